// What a route is: a method, a path template, a one-line summary (the README's route list is
// checked against the table), and a handler. `<name>` in a path matches one path segment and is
// passed to the handler, in order, decoded. The table itself is in ./router.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionAccess } from '../auth/access';
import type { LiveConnections } from '../auth/live';
import type { ReadinessDeps } from '../ops/health';
import type { RoomRegistry } from '../rooms/registry';
import type { LinkChange } from '../scaleout/redis-fanout';
import type { Studio } from '../studio';
import type { Versions } from '../versions';
import type { EdgeConfig } from './edge';

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
  /** The AI job service's HTTP face (server/jobs/routes.ts): true when it answered. */
  jobs?: { handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> };
  /** The model studio: registry, uploads, trainings (server/studio). */
  studio?: Studio;
  /** What /readyz checks. */
  readiness?: ReadinessDeps;
  /** TUTTI_METRICS_TOKEN (server/ops/metrics-access.ts). */
  metricsToken?: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RouteContext, ...params: string[]) => Promise<void>;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** e.g. `/api/sessions/<id>/versions/<versionId>`; a trailing slash is accepted too. */
  path: string;
  /** One line: who may call it and what it answers (README "HTTP API"). */
  summary: string;
  handler: Handler;
}

/** The path template as a regular expression with one group per `<name>`. */
export function patternOf(path: string): RegExp {
  const source = path
    .split(/(<[a-zA-Z]+>)/)
    .map((part) => (/^<[a-zA-Z]+>$/.test(part) ? '([^/]+)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}/?$`);
}

/** A Route from its parts, one line of header per route file. */
export const route = (method: Route['method'], path: string, summary: string, handler: Handler): Route => ({ method, path, summary, handler });
