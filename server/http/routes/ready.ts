// GET /readyz: 200 when the database answers, migrations are applied, (scale-out) Redis answers
// and (queue mode) the job queue answers; 503 with the failing check while not, and while
// shutting down (server/ops/health.ts).
import { checkReadiness } from '../../ops/health';
import { HttpError, sendJson } from '../json';
import { route } from '../route';

export const ready = route('GET', '/readyz', 'ready → 200, else 503 with the failing check (also while shutting down)', async (_req, res, ctx) => {
  if (!ctx.readiness) throw new HttpError(503, 'this server has no readiness checks');
  const r = await checkReadiness(ctx.readiness);
  sendJson(res, r.ready ? 200 : 503, r);
});
