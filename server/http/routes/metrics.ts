// GET /metrics: the Prometheus series (server/ops/metrics.ts) in the text exposition format;
// with TUTTI_METRICS_TOKEN set, only for that bearer token (server/ops/metrics-access.ts).
import { registry } from '../../ops/metrics';
import { METRICS_UNAUTHORIZED, metricsAuthorized } from '../../ops/metrics-access';
import { route } from '../route';

export const metrics = route('GET', '/metrics', 'Prometheus series (prom-client)', async (req, res, ctx) => {
  if (!metricsAuthorized(req.headers.authorization, ctx.metricsToken)) {
    res.writeHead(METRICS_UNAUTHORIZED.status, METRICS_UNAUTHORIZED.headers).end(METRICS_UNAUTHORIZED.body);
    return;
  }
  const body = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body);
});
