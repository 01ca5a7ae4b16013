// Liveness and readiness. /healthz answers as long as the process serves HTTP. /readyz says
// whether this instance can do its job: the database answers, every checked-in migration is
// applied, Redis answers when scale-out is configured, the job queue answers when jobs go
// through it (BullMQ, its own Redis connection), and the instance is not shutting down.
// Anything else is 503 with the reasons, for a load balancer or orchestrator to act on.
import type pg from 'pg';
import { readMigrations } from '../db/migrate';

export interface ReadinessDeps {
  pool: pg.Pool;
  /** Resolves when Redis answers a PING (scale-out only). */
  redisPing?: () => Promise<unknown>;
  /** Resolves when the job queue answers (queue mode only: server/jobs/queued-service.ts). */
  queuePing?: () => Promise<unknown>;
  draining(): boolean;
  timeoutMs?: number;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, 'ok' | string>;
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
};

export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const ms = deps.timeoutMs ?? 2000;
  const expected = readMigrations().map((m) => m.name);
  const checks: Readiness['checks'] = {};
  const database = (async () => {
    const r = await within(
      deps.pool.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`),
      ms,
      'database',
    );
    checks.database = 'ok';
    const applied = new Set(r.rows.map((row) => row.migration_name));
    const missing = expected.filter((name) => !applied.has(name));
    checks.migrations = missing.length === 0 ? 'ok' : `not applied: ${missing.join(', ')}`;
  })().catch((err: Error) => {
    checks.database = `unreachable: ${err.message}`;
    checks.migrations = 'unknown (database unreachable)';
  });
  const redis = deps.redisPing
    ? within(deps.redisPing(), ms, 'redis').then(
        () => void (checks.redis = 'ok'),
        (err: Error) => void (checks.redis = `unreachable: ${err.message}`),
      )
    : Promise.resolve();
  const queue = deps.queuePing
    ? within(deps.queuePing(), ms, 'queue').then(
        () => void (checks.queue = 'ok'),
        (err: Error) => void (checks.queue = `unreachable: ${err.message}`),
      )
    : Promise.resolve();
  await Promise.all([database, redis, queue]);
  if (deps.draining()) checks.shutdown = 'draining: this instance is shutting down';
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}
