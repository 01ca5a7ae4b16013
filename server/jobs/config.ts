// The accompaniment service's limits, read once. Defaults suit a laptop; every figure can be
// overridden by the server's options (tests) or by environment variables (operators).
import os from 'node:os';

export interface JobsConfig {
  /** Worker threads in the pool. Default: one per core, at most 4 (each holds all three models). */
  workers: number;
  /** Jobs of one session running at once; the rest wait in the queue. */
  maxRunningPerSession: number;
  /** Jobs of one session waiting or running; beyond this a request gets 429. */
  maxPendingPerSession: number;
  /** Per participant: at most `rateLimit` requests per `rateWindowMs`. */
  rateLimit: number;
  /** Looser cap per client address, so minting participant ids does not lift the limit. */
  rateLimitPerAddress: number;
  rateWindowMs: number;
  /** Wall-clock limit of one generation; the worker running it is terminated and replaced. */
  timeoutMs: number;
  /** Input-size caps: notes in the session handed to the model, bars per request, body bytes. */
  maxInputNotes: number;
  maxBars: number;
  maxBodyBytes: number;
  maxParams: number;
  /** How long a cancelled generation may take to notice its abort signal before its worker is killed. */
  cancelGraceMs: number;
  /** Models each new worker loads before taking work (so the first request does not pay for it). */
  preload: readonly ('gan' | 'arcnn' | 'transformer')[];
  /** Start the workers (and load the models) at server start rather than on the first request. */
  warm: boolean;
  /** Accept the `debug` field (crash / spin a worker). Only for tests. */
  allowDebug: boolean;
  /** Several instances may share one database: each job row is leased by the instance holding it.
   *  An unfinished job whose owner has not refreshed its heartbeat for `leaseMs` is failed as
   *  interrupted by any instance (at start and every `sweepMs`); owners refresh every `heartbeatMs`. */
  leaseMs: number;
  heartbeatMs: number;
  sweepMs: number;
}

const int = (v: string | undefined): number | undefined => {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
};

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

export function resolveJobsConfig(overrides: Partial<JobsConfig> = {}, env: NodeJS.ProcessEnv = process.env): JobsConfig {
  const leaseMs = overrides.leaseMs ?? (int(env.TUTTI_JOB_LEASE_MS) || 20_000);
  const preloadEnv = env.TUTTI_JOB_PRELOAD?.split(',').map((s) => s.trim()).filter(Boolean) as JobsConfig['preload'] | undefined;
  return {
    workers: int(env.TUTTI_JOB_WORKERS) || defaultWorkerCount(),
    maxRunningPerSession: int(env.TUTTI_JOB_MAX_RUNNING_PER_SESSION) || 2,
    maxPendingPerSession: int(env.TUTTI_JOB_MAX_PENDING_PER_SESSION) || 8,
    rateLimit: int(env.TUTTI_JOB_RATE_LIMIT) || 10,
    rateLimitPerAddress: int(env.TUTTI_JOB_RATE_LIMIT_PER_ADDRESS) || 3 * (int(env.TUTTI_JOB_RATE_LIMIT) || 10),
    rateWindowMs: int(env.TUTTI_JOB_RATE_WINDOW_MS) || 60_000,
    timeoutMs: int(env.TUTTI_JOB_TIMEOUT_MS) || 60_000,
    maxInputNotes: int(env.TUTTI_JOB_MAX_INPUT_NOTES) || 20_000,
    maxBars: 64,
    maxBodyBytes: 16 * 1024,
    maxParams: 24,
    cancelGraceMs: 1_000,
    preload: preloadEnv ?? ['gan', 'arcnn', 'transformer'],
    warm: env.TUTTI_JOB_WARM ? env.TUTTI_JOB_WARM === '1' : env.NODE_ENV === 'production',
    allowDebug: env.NODE_ENV === 'test' || env.TUTTI_JOB_TEST_HOOKS === '1',
    leaseMs,
    // Several heartbeats per lease, so a slow database write or a busy event loop does not lose it.
    heartbeatMs: int(env.TUTTI_JOB_HEARTBEAT_MS) || Math.max(10, Math.min(5_000, Math.floor(leaseMs / 4))),
    sweepMs: int(env.TUTTI_JOB_SWEEP_MS) || Math.max(10, Math.min(10_000, Math.floor(leaseMs / 2))),
    ...overrides,
  };
}

/** A lease no longer than its heartbeat would expire under a live owner. */
export function checkLease(c: Pick<JobsConfig, 'leaseMs' | 'heartbeatMs'>): void {
  if (c.heartbeatMs * 2 > c.leaseMs) throw new Error(`jobs: the heartbeat (${c.heartbeatMs} ms) must be at most half the lease (${c.leaseMs} ms)`);
}
