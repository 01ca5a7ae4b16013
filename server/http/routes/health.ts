// GET /healthz: the process is alive (a liveness probe; /readyz says whether it can serve).
import { sendJson } from '../json';
import type { Route } from '../route';

export const health: Route = {
  method: 'GET',
  path: '/healthz',
  summary: 'alive → {ok: true, rooms}',
  async handler(_req, res, ctx) {
    sendJson(res, 200, { ok: true, rooms: ctx.rooms.count });
  },
};
