// The versions service of the request's server, for the versions routes (a 503 when it has none).
import type { Versions } from '../../versions';
import { HttpError } from '../json';
import type { RouteContext } from '../route';

export function versionsOf(ctx: RouteContext): Versions {
  if (!ctx.versions) throw new HttpError(503, 'versions are not available on this server');
  return ctx.versions;
}
