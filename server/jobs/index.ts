// Composition root of the accompaniment jobs: the Prisma job store, the service that runs them —
// this process's worker pool (default), or a BullMQ queue drained by `npm run worker` processes
// when Redis is configured (TUTTI_JOB_RUNNER) — and the HTTP routes, wired to the server's rooms
// and database. The server calls `startJobs` once after its database is open and `handle` before
// its own router.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrismaClient } from '../db/generated/client';
import { setJobQueueDepth } from '../ops/metrics';
import type { JobsApi } from './api';
import { resolveJobsConfig, type JobsConfig } from './config';
import { PrismaJobStore } from './prisma-store';
import { handleJobsRoute, type JobAccess } from './routes';
import { JobService, type RoomAccess } from './service';
import type { VersionResolver } from './admission';

export { applyResult } from './apply';
export { resolveJobsConfig, jobsEnvSchema, type JobsConfig } from './config';
export { JobService } from './service';
export type { JobsApi } from './api';

export interface Jobs {
  service: JobsApi;
  config: JobsConfig;
  /** Where models run: this process's pool, or separate workers through the queue. */
  runner: 'pool' | 'queue';
  /** Queue mode: resolves when the queue answers (/readyz); absent for the in-process pool. */
  queuePing?: () => Promise<unknown>;
  /** True when the request was a jobs route (and has been answered). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  close(): Promise<void>;
}

export interface StartJobsOptions {
  prisma: PrismaClient;
  rooms: RoomAccess;
  config?: Partial<JobsConfig>;
  /** REDIS_URL: jobs go through the BullMQ queue unless TUTTI_JOB_RUNNER=pool. */
  redisUrl?: string;
  log?: (msg: string, err?: unknown) => void;
  /** Share-link checks (server/auth/access.ts); omitted = every caller may do everything. */
  access?: JobAccess;
  /** The model registry (server/studio): which version each job runs with; omitted = the committed weights. */
  versions?: VersionResolver;
}

export async function startJobs(opts: StartJobsOptions): Promise<Jobs> {
  const config = resolveJobsConfig(opts.config);
  const log = opts.log ?? ((m: string) => console.log(m));
  const runner = config.runner ?? (opts.redisUrl ? 'queue' : 'pool');
  if (runner === 'queue' && !opts.redisUrl) throw new Error('TUTTI_JOB_RUNNER=queue needs REDIS_URL');
  const store = new PrismaJobStore(opts.prisma);
  const sessionExists = async (id: string) => (await opts.prisma.session.findUnique({ where: { id }, select: { id: true } })) !== null;
  let service: JobsApi;
  let queuePing: (() => Promise<unknown>) | undefined;
  if (runner === 'queue') {
    // Loaded only in queue mode: BullMQ and its Redis client hold 10–16 MB the embedded default never uses.
    const { QueuedJobService } = await import('./queued-service');
    const queued = new QueuedJobService({ rooms: opts.rooms, store, sessionExists, config, versions: opts.versions, redisUrl: opts.redisUrl!, log });
    service = queued;
    await service.start();
    queuePing = () => queued.ping();
    log(`[jobs] AI jobs go to the queue "${config.queueName}"; run \`npm run worker\` to run them`);
  } else {
    const pool = new JobService({ rooms: opts.rooms, store, sessionExists, config, versions: opts.versions, log });
    if (config.warm) pool.pool.warm();
    // Only jobs whose lease expired: another live instance on this database keeps its own.
    const interrupted = await pool.start();
    if (interrupted) log(`[jobs] marked ${interrupted} job(s) left by a stopped server as failed`);
    service = pool;
  }
  setJobQueueDepth(() => service.depth());
  return {
    service,
    config,
    runner,
    queuePing,
    handle: (req, res) => handleJobsRoute(req, res, service, config.maxBodyBytes, opts.access),
    close: async () => {
      setJobQueueDepth(null);
      await service.close();
    },
  };
}
