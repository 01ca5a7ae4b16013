// Who may read /metrics (web instances and `npm run worker`'s port). Unset TUTTI_METRICS_TOKEN:
// anyone who reaches the port (keep it internal). Set: only `Authorization: Bearer <token>`, the
// form Prometheus sends with `authorization: { credentials: … }` in a scrape config. The series
// name rooms, jobs and rejection reasons, which an outsider has no business reading.
import { timingSafeEqual } from 'node:crypto';
import { hashToken } from '../auth/tokens';

/** True when a request with this Authorization header may read the metrics. */
export function metricsAuthorized(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const m = /^Bearer (\S+)$/i.exec(authorization ?? '');
  if (!m) return false;
  // Compared as SHA-256 digests (as share tokens are): equal lengths, so nothing depends on where or whether they differ in length.
  return timingSafeEqual(Buffer.from(hashToken(m[1]!), 'hex'), Buffer.from(hashToken(token), 'hex'));
}

/** The 401 answer: says what is missing, and how to send it. */
export const METRICS_UNAUTHORIZED = {
  status: 401,
  headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="metrics"', 'cache-control': 'no-store' },
  body: JSON.stringify({ error: 'metrics need Authorization: Bearer <TUTTI_METRICS_TOKEN>', code: 'unauthorized' }),
} as const;
