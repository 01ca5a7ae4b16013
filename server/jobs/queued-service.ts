// The job service of a web instance in queue mode (REDIS_URL): it admits a request (./admission.ts,
// limits in Redis so they hold across instances), records it, and adds its candidates to a BullMQ
// queue; separate worker processes (server/worker-main.ts, ./queue-worker.ts) run the models and
// write progress and results into the session's document — which reaches this instance's clients
// through the Redis fan-out like any edit. Nothing runs here, so inference never competes with sync.
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { admit, type Client, type JobSpec, type VersionResolver } from './admission';
import { alreadyFinished, JobsApi } from './api';
import type { JobsConfig } from './config';
import { queueKeys, RedisLimits } from './redis-limits';
import { JobRequestError } from './schema';
import { JobStateWriter, type RoomAccess } from './state';
import type { JobRecord, JobStore } from './store';

/** What travels through the queue: everything a worker needs, nothing it must look up. */
export interface QueuedJobData {
  sessionId: string;
  spec: JobSpec;
}

/** The rows of queued jobs carry this owner: no instance holds them, BullMQ does (no lease sweep). */
export const QUEUE_OWNER = 'queue';

export interface QueuedServiceDeps {
  rooms: RoomAccess;
  store: JobStore;
  sessionExists(sessionId: string): Promise<boolean>;
  config: JobsConfig;
  /** The model registry: which version each job runs with (server/studio). */
  versions?: VersionResolver;
  redisUrl: string;
  log?: (msg: string) => void;
}

const FINAL = new Set(['done', 'failed', 'cancelled']);

export class QueuedJobService extends JobsApi {
  readonly queue: Queue<QueuedJobData>;
  private readonly redis: Redis;
  private readonly limits: RedisLimits;
  private readonly state: JobStateWriter;
  private readonly keys: ReturnType<typeof queueKeys>;

  constructor(private readonly deps: QueuedServiceDeps) {
    super(deps.store, deps.sessionExists);
    this.queue = new Queue<QueuedJobData>(deps.config.queueName, { connection: { url: deps.redisUrl } });
    this.queue.on('error', (e) => deps.log?.(`[jobs] queue connection error: ${e.message}`));
    this.redis = new Redis(deps.redisUrl, { maxRetriesPerRequest: 3, connectionName: `tutti-jobs-web-${process.pid}` });
    this.redis.on('error', (e) => deps.log?.(`[jobs] redis connection error: ${e.message}`));
    this.limits = new RedisLimits(this.redis, deps.config);
    this.state = new JobStateWriter(deps.rooms, deps.store, deps.log);
    this.keys = queueKeys(deps.config.queueName);
  }

  async submitAi(sessionId: string, body: unknown, client: Client): Promise<{ requestId: string; jobIds: string[] }> {
    const { requestId, jobs } = await admit({ ...this.deps, limits: this.limits, ownerId: QUEUE_OWNER }, sessionId, body, client);
    try {
      await this.queue.addBulk(
        jobs.map(([jobId, spec]) => ({
          name: spec.model,
          data: { sessionId, spec },
          // Finished entries are kept a while for operators; the row is the record.
          opts: { jobId, attempts: 1, removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 24 * 3600, count: 5000 } },
        })),
      );
    } catch (e) {
      const error = `the job queue is unreachable: ${(e as Error).message}`;
      for (const [jobId] of jobs) await this.state.finish(sessionId, jobId, 'failed', { error, errorCode: 'queue_unavailable' }).catch(() => undefined);
      await this.limits.release(
        sessionId,
        jobs.map(([id]) => id),
      );
      throw new JobRequestError(error, 503, [], 'queue_unavailable');
    }
    return { requestId, jobIds: jobs.map(([id]) => id) };
  }

  async cancel(sessionId: string, jobId: string): Promise<JobRecord> {
    const rec = await this.mustGet(sessionId, jobId);
    if (FINAL.has(rec.status)) throw alreadyFinished(rec);
    const job = await Job.fromId<QueuedJobData>(this.queue, jobId);
    // Still waiting: take it out of the queue (atomic; refused once a worker holds its lock).
    const removed = job
      ? await job.remove().then(
          () => true,
          () => false,
        )
      : false;
    if (removed) {
      await this.state.finish(sessionId, jobId, 'cancelled', { error: 'cancelled before it started', errorCode: 'cancelled' });
      await this.limits.release(sessionId, [jobId]);
    } else {
      // Running: every worker hears it; the one running it aborts the generation.
      await this.redis.set(this.keys.cancelled(jobId), '1', 'PX', 10 * 60_000);
      await this.redis.publish(this.keys.cancel, jobId);
    }
    return this.waitFinal(jobId, this.deps.config.cancelGraceMs + 15_000);
  }

  async cancelRequest(sessionId: string, requestId: string): Promise<{ cancelled: string[] }> {
    const open = (await this.store.listBySession(sessionId, 200)).filter((r) => r.params.requestId === requestId && !FINAL.has(r.status));
    if (!open.length) throw new JobRequestError(`no waiting or running job of request "${requestId}" in this session`, 404, [], 'not_found');
    const cancelled: string[] = [];
    await Promise.all(
      open.map(async (r) => {
        const rec = await this.cancel(sessionId, r.id).catch(() => null);
        if (rec?.status === 'cancelled') cancelled.push(r.id);
      }),
    );
    return { cancelled };
  }

  /** Waiting, delayed (a session at its running cap) and active jobs, across the cluster. */
  async depth(): Promise<number> {
    return this.queue.getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized');
  }

  /** Resolves when the queue answers a read of its own keys, on its own connection (/readyz). */
  async ping(): Promise<void> {
    await this.queue.getJobCountByTypes('waiting');
  }

  async start(): Promise<number> {
    await this.queue.waitUntilReady();
    return 0;
  }

  /** Nothing of ours to drain: queued jobs belong to the queue and its workers. */
  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
  }

  /** The row once it is final (a worker records it); the row as it is after `ms`. */
  private async waitFinal(jobId: string, ms: number): Promise<JobRecord> {
    const end = Date.now() + ms;
    for (;;) {
      const r = (await this.store.get(jobId))!;
      if (FINAL.has(r.status) || Date.now() > end) return r;
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}
