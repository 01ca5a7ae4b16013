// Composition root of the accompaniment jobs: the Prisma job store, the worker pool and queue
// (inside JobService), and the HTTP routes, wired to the server's rooms and database. The server
// calls `startJobs` once after its database is open and `handle` before its own router.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrismaClient } from '../db/generated/client';
import { resolveJobsConfig, type JobsConfig } from './config';
import { PrismaJobStore } from './prisma-store';
import { handleJobsRoute, type JobAccess } from './routes';
import { JobService, type RoomAccess } from './service';

export { applyResult } from './apply';
export { resolveJobsConfig, type JobsConfig } from './config';
export { JobService } from './service';

export interface Jobs {
  service: JobService;
  config: JobsConfig;
  /** True when the request was a jobs route (and has been answered). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  close(): Promise<void>;
}

export interface StartJobsOptions {
  prisma: PrismaClient;
  rooms: RoomAccess;
  config?: Partial<JobsConfig>;
  log?: (msg: string, err?: unknown) => void;
  /** Share-link checks (server/auth/access.ts); omitted = every caller may do everything. */
  access?: JobAccess;
}

export async function startJobs(opts: StartJobsOptions): Promise<Jobs> {
  const config = resolveJobsConfig(opts.config);
  const log = opts.log ?? ((m: string) => console.log(m));
  const service = new JobService({
    rooms: opts.rooms,
    store: new PrismaJobStore(opts.prisma),
    sessionExists: async (id) => (await opts.prisma.session.findUnique({ where: { id }, select: { id: true } })) !== null,
    config,
    log,
  });
  if (config.warm) service.pool.warm();
  // Only jobs whose lease expired: another live instance on this database keeps its own.
  const interrupted = await service.start();
  if (interrupted) log(`[jobs] marked ${interrupted} job(s) left by a stopped server as failed`);
  return {
    service,
    config,
    handle: (req, res) => handleJobsRoute(req, res, service, config.maxBodyBytes, opts.access),
    close: () => service.close(),
  };
}
