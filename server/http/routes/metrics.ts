// GET /metrics: the Prometheus series (server/ops/metrics.ts) in the text exposition format.
import { registry } from '../../ops/metrics';
import type { Route } from '../route';

export const metrics: Route = {
  method: 'GET',
  path: '/metrics',
  summary: 'Prometheus series (prom-client)',
  async handler(_req, res) {
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body);
  },
};
