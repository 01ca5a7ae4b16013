// The one table of HTTP routes the custom server answers itself, before Next sees the request:
// sessions and links, versions, AI jobs, the models' explanations, and the operator's probes.
// A new route is one file under ./routes (or its module's own) exporting a Route, plus one line
// here; README "HTTP API" lists the same method and path for each (tests/unit/routes-readme.test.ts).
// Every refusal is {error, code, issues} (./json.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, sendError } from './json';
import { patternOf, type Route, type RouteContext } from './route';
import { AI_JOB_ROUTES } from './routes/ai-jobs';
import { health } from './routes/health';
import { linkRotate } from './routes/link-rotate';
import { metrics } from './routes/metrics';
import { modelExplain, modelExplainTracks } from './models-explain';
import { participantCreate } from './routes/participant-create';
import { ready } from './routes/ready';
import { sessionCreate } from './routes/session-create';
import { sessionDelete } from './routes/session-delete';
import { sessionFork } from './routes/session-fork';
import { sessionGet } from './routes/session-get';
import { sessionLinks } from './routes/session-links';
import { versionCreate } from './routes/version-create';
import { versionGet } from './routes/version-get';
import { versionRestore } from './routes/version-restore';
import { versionsList } from './routes/versions-list';
import { STUDIO_ROUTES } from '../studio/routes';

export type { Handler, Route, RouteContext } from './route';

export const ROUTES: Route[] = [
  sessionCreate,
  sessionGet,
  sessionDelete,
  sessionLinks,
  linkRotate,
  participantCreate,
  versionsList,
  versionCreate,
  versionGet,
  versionRestore,
  sessionFork,
  ...AI_JOB_ROUTES,
  modelExplain,
  modelExplainTracks,
  ...STUDIO_ROUTES,
  health,
  ready,
  metrics,
];

let compiled: Array<Route & { pattern: RegExp }> | undefined;
const table = (): Array<Route & { pattern: RegExp }> => (compiled ??= ROUTES.map((r) => ({ ...r, pattern: patternOf(r.path) })));

/** True when the request was handled here. `apiOnly` = no Next behind us: unknown paths get 404. */
export async function handleRoute(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, apiOnly: boolean): Promise<boolean> {
  const pathname = new URL(req.url ?? '/', 'http://x').pathname;
  const matches = table().filter((r) => r.pattern.test(pathname));
  if (matches.length === 0) {
    if (!apiOnly && !pathname.startsWith('/api/')) return false;
    sendError(res, 404, `no route for ${pathname}`);
    return true;
  }
  // HEAD is answered by the GET route (Node sends the headers without the body).
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const route = matches.find((r) => r.method === method);
  if (!route) {
    const allowed = [...new Set(matches.map((r) => r.method))];
    sendError(res, 405, `${req.method} not allowed on ${pathname}`, 'method_not_allowed', [], { allow: allowed.join(', ') });
    return true;
  }
  let params: string[];
  try {
    params = pathname.match(route.pattern)!.slice(1).map(decodeURIComponent);
  } catch {
    sendError(res, 404, `malformed path ${pathname} (no such session)`);
    return true;
  }
  try {
    await route.handler(req, res, ctx, ...params);
  } catch (err) {
    if (err instanceof HttpError) {
      if (!res.headersSent) sendError(res, err.status, err.message, err.code, err.issues);
    } else {
      ctx.log(`[http] ${req.method} ${pathname} failed`, err);
      if (!res.headersSent) sendError(res, 500, 'internal error');
    }
  }
  return true;
}
