// The operator's endpoints next to /healthz (server/http/router.ts): /readyz and /metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkReadiness, type ReadinessDeps } from './health';
import { registry } from './metrics';
import { sendJson } from '../http/json';

/** True when the request was an ops route (and has been answered). */
export async function handleOpsRoute(req: IncomingMessage, res: ServerResponse, deps: ReadinessDeps): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const pathname = (req.url ?? '/').split('?')[0];
  if (pathname === '/readyz') {
    const r = await checkReadiness(deps);
    sendJson(res, r.ready ? 200 : 503, r);
    return true;
  }
  if (pathname === '/metrics') {
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body);
    return true;
  }
  return false;
}
