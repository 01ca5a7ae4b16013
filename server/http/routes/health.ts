// GET /healthz: the process is alive (a liveness probe; /readyz says whether it can serve).
import { sendJson } from '../json';
import { route } from '../route';

export const health = route('GET', '/healthz', 'alive → {ok: true, rooms}', async (_req, res, ctx) => {
  sendJson(res, 200, { ok: true, rooms: ctx.rooms.count });
});
