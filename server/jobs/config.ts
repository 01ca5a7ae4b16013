// The AI jobs' settings, read once. `jobsEnvSchema` declares every TUTTI_JOB_* / TUTTI_WORKER_*
// variable (zod; spread into server/config.ts's one schema, so a bad value stops start-up with a
// message naming it); `resolveJobsConfig` turns a parsed environment plus the server's options
// (tests) into a JobsConfig. Defaults suit a laptop.
import os from 'node:os';
import { z } from 'zod';

const count = z.coerce.number().int().positive().optional();
const flag = (name: string) => z.enum(['0', '1'], { message: `${name} must be 0 or 1` }).optional();
const MODEL_NAMES = ['gan', 'arcnn', 'transformer'] as const;

/** Every jobs variable; unset = the default in resolveJobsConfig. A plain shape, so it composes. */
export const jobsEnvSchema = {
  /** In-process mode: worker threads in the web process's pool. */
  TUTTI_JOB_WORKERS: count,
  TUTTI_JOB_MAX_RUNNING_PER_SESSION: count,
  TUTTI_JOB_MAX_PENDING_PER_SESSION: count,
  TUTTI_JOB_RATE_LIMIT: count,
  TUTTI_JOB_RATE_LIMIT_PER_ADDRESS: count,
  TUTTI_JOB_RATE_WINDOW_MS: count,
  TUTTI_JOB_TIMEOUT_MS: count,
  TUTTI_JOB_MAX_INPUT_NOTES: count,
  TUTTI_JOB_PRELOAD: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(MODEL_NAMES, { message: 'TUTTI_JOB_PRELOAD lists models: gan, arcnn, transformer' })))
    .optional(),
  TUTTI_JOB_WARM: flag('TUTTI_JOB_WARM'),
  TUTTI_JOB_TEST_HOOKS: flag('TUTTI_JOB_TEST_HOOKS'),
  TUTTI_JOB_LEASE_MS: count,
  TUTTI_JOB_HEARTBEAT_MS: count,
  TUTTI_JOB_SWEEP_MS: count,
  /** `pool`: models run in the web process's worker threads; `queue`: through BullMQ on separate
   *  worker processes (`npm run worker`). Default: `queue` when REDIS_URL is set, else `pool`. */
  TUTTI_JOB_RUNNER: z.enum(['pool', 'queue'], { message: 'TUTTI_JOB_RUNNER must be pool or queue' }).optional(),
  /** Queue mode: the BullMQ queue's name (several deployments can share one Redis). */
  TUTTI_JOB_QUEUE: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'TUTTI_JOB_QUEUE must be 1-64 letters, digits, - or _').optional(),
  /** Queue mode (REDIS_URL): a worker's hold on a running job; a killed worker's job is picked up again after it lapses. */
  TUTTI_JOB_LOCK_MS: count,
  /** Queue mode: how often workers look for jobs whose worker died (BullMQ stalled-job check). */
  TUTTI_JOB_STALLED_MS: count,
  /** Queue mode: how many times a job whose worker died is run again before it is failed. */
  TUTTI_JOB_MAX_RETRIES: z.coerce.number().int().min(0).max(10).optional(),
  /** `npm run worker`: jobs one worker process runs at once (one model thread each). */
  TUTTI_WORKER_CONCURRENCY: count,
  /** `npm run worker`: scheduling niceness (0–19) of its model threads (not of its main thread,
   *  which keeps the job locks), so on a machine shared with web instances inference yields the cores. */
  TUTTI_WORKER_NICE: z.coerce.number().int().min(0).max(19).optional(),
  /** `npm run worker`: port of its /metrics and /healthz (unset: none). */
  TUTTI_WORKER_PORT: z.coerce.number().int().min(0).max(65535).optional(),
};

const jobsEnv = z.object(jobsEnvSchema);
export type JobsEnv = z.infer<typeof jobsEnv>;

export interface JobsConfig {
  /** Where models run (see TUTTI_JOB_RUNNER); undefined = decided by whether Redis is configured. */
  runner?: 'pool' | 'queue';
  /** Queue mode: BullMQ queue name; its Redis keys (limits, cancel channel) share it as a prefix. */
  queueName: string;
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
  /** Queue mode (BullMQ): lock of a running job, stalled check interval, runs after a worker died. */
  lockMs: number;
  stalledMs: number;
  maxRetries: number;
  /** Queue mode: jobs one `npm run worker` process runs at once, and its model threads' niceness. */
  workerConcurrency: number;
  workerNice: number;
}

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

/** Parses the jobs variables of `env`; throws one message naming every bad one. */
export function parseJobsEnv(env: NodeJS.ProcessEnv = process.env): JobsEnv {
  const r = jobsEnv.safeParse(env);
  if (!r.success) throw new Error(`invalid configuration: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

export function resolveJobsConfig(overrides: Partial<JobsConfig> = {}, env: NodeJS.ProcessEnv = process.env): JobsConfig {
  const e = parseJobsEnv(env);
  const leaseMs = overrides.leaseMs ?? e.TUTTI_JOB_LEASE_MS ?? 20_000;
  const rateLimit = e.TUTTI_JOB_RATE_LIMIT ?? 10;
  return {
    ...(e.TUTTI_JOB_RUNNER ? { runner: e.TUTTI_JOB_RUNNER } : {}),
    queueName: e.TUTTI_JOB_QUEUE ?? 'tutti-ai',
    workers: e.TUTTI_JOB_WORKERS ?? defaultWorkerCount(),
    maxRunningPerSession: e.TUTTI_JOB_MAX_RUNNING_PER_SESSION ?? 2,
    maxPendingPerSession: e.TUTTI_JOB_MAX_PENDING_PER_SESSION ?? 8,
    rateLimit,
    rateLimitPerAddress: e.TUTTI_JOB_RATE_LIMIT_PER_ADDRESS ?? 3 * rateLimit,
    rateWindowMs: e.TUTTI_JOB_RATE_WINDOW_MS ?? 60_000,
    timeoutMs: e.TUTTI_JOB_TIMEOUT_MS ?? 60_000,
    maxInputNotes: e.TUTTI_JOB_MAX_INPUT_NOTES ?? 20_000,
    maxBars: 64,
    maxBodyBytes: 16 * 1024,
    maxParams: 24,
    cancelGraceMs: 1_000,
    preload: e.TUTTI_JOB_PRELOAD ?? ['gan', 'arcnn', 'transformer'],
    warm: e.TUTTI_JOB_WARM ? e.TUTTI_JOB_WARM === '1' : env.NODE_ENV === 'production',
    allowDebug: env.NODE_ENV === 'test' || e.TUTTI_JOB_TEST_HOOKS === '1',
    leaseMs,
    // Several heartbeats per lease, so a slow database write or a busy event loop does not lose it.
    heartbeatMs: e.TUTTI_JOB_HEARTBEAT_MS ?? Math.max(10, Math.min(5_000, Math.floor(leaseMs / 4))),
    sweepMs: e.TUTTI_JOB_SWEEP_MS ?? Math.max(10, Math.min(10_000, Math.floor(leaseMs / 2))),
    lockMs: e.TUTTI_JOB_LOCK_MS ?? 30_000,
    stalledMs: e.TUTTI_JOB_STALLED_MS ?? 15_000,
    maxRetries: e.TUTTI_JOB_MAX_RETRIES ?? 1,
    workerConcurrency: e.TUTTI_WORKER_CONCURRENCY ?? 1,
    workerNice: e.TUTTI_WORKER_NICE ?? 10,
    ...overrides,
  };
}

/** A lease no longer than its heartbeat would expire under a live owner. */
export function checkLease(c: Pick<JobsConfig, 'leaseMs' | 'heartbeatMs'>): void {
  if (c.heartbeatMs * 2 > c.leaseMs) throw new Error(`jobs: the heartbeat (${c.heartbeatMs} ms) must be at most half the lease (${c.leaseMs} ms)`);
}
