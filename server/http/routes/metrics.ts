// GET /metrics: the Prometheus series (server/ops/metrics.ts) in the text exposition format.
import { registry } from '../../ops/metrics';
import { route } from '../route';

export const metrics = route('GET', '/metrics', 'Prometheus series (prom-client)', async (_req, res) => {
  const body = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body);
});
