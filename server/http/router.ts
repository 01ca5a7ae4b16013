// Routes the custom server answers itself, before Next sees the request. Returns false for
// anything it does not own so the caller can hand it to Next. Other modules (e.g. the job
// queue) add routes by appending to ROUTES.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RoomRegistry } from '../rooms/registry';
import type { SessionAccess } from '../auth/access';
import type { LiveConnections } from '../auth/live';
import type { EdgeConfig } from './edge';
import type { LinkChange } from '../scaleout/redis-fanout';
import { HttpError, sendJson } from './json';
import { deleteSession, getLinks, getSession, postParticipant, postSession, rotateLink } from './sessions';
import { VERSION_ROUTES } from '../versions/routes';
import type { Versions } from '../versions';

export interface RouteContext {
  rooms: RoomRegistry;
  log: (msg: string, err?: unknown) => void;
  /** Share links: who may do what (server/auth). */
  access: SessionAccess;
  /** Open sync connections by role, closed on rotation and deletion. */
  live: LiveConnections;
  edge: EdgeConfig;
  /** Closes connections a rotation or deletion invalidated, on every instance (server/app.ts). */
  revoke(change: LinkChange): void;
  /** Versions, restore and fork (server/versions). */
  versions?: Versions;
}

type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RouteContext, ...params: string[]) => Promise<void>;

export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

export const ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/api\/sessions\/?$/, handler: postSession },
  { method: 'GET', pattern: /^\/api\/sessions\/([^/]+)\/?$/, handler: getSession },
  { method: 'DELETE', pattern: /^\/api\/sessions\/([^/]+)\/?$/, handler: deleteSession },
  { method: 'GET', pattern: /^\/api\/sessions\/([^/]+)\/links\/?$/, handler: getLinks },
  { method: 'POST', pattern: /^\/api\/sessions\/([^/]+)\/links\/([^/]+)\/rotate\/?$/, handler: rotateLink },
  { method: 'POST', pattern: /^\/api\/sessions\/([^/]+)\/participants\/?$/, handler: postParticipant },
  ...VERSION_ROUTES,
  { method: 'GET', pattern: /^\/healthz$/, handler: async (_q, res, ctx) => sendJson(res, 200, { ok: true, rooms: ctx.rooms.count }) },
];

/** True when the request was handled here. `apiOnly` = no Next behind us: unknown paths get 404. */
export async function handleRoute(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, apiOnly: boolean): Promise<boolean> {
  const pathname = new URL(req.url ?? '/', 'http://x').pathname;
  const matches = ROUTES.filter((r) => r.pattern.test(pathname));
  if (matches.length === 0) {
    if (!apiOnly && !pathname.startsWith('/api/')) return false;
    sendJson(res, 404, { error: `no route for ${pathname}` });
    return true;
  }
  const route = matches.find((r) => r.method === req.method);
  if (!route) {
    res.setHeader('allow', matches.map((r) => r.method).join(', '));
    sendJson(res, 405, { error: `${req.method} not allowed on ${pathname}` });
    return true;
  }
  let params: string[];
  try {
    params = pathname.match(route.pattern)!.slice(1).map(decodeURIComponent);
  } catch {
    sendJson(res, 404, { error: `malformed path ${pathname} (no such session)` });
    return true;
  }
  try {
    await route.handler(req, res, ctx, ...params);
  } catch (err) {
    if (err instanceof HttpError) sendJson(res, err.status, { error: err.message });
    else {
      ctx.log(`[http] ${req.method} ${pathname} failed`, err);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    }
  }
  return true;
}
