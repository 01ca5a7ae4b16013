// The model side of queue mode, run by `npm run worker` (server/worker-main.ts): a BullMQ worker
// taking AI jobs from the queue the web instances fill (./queued-service.ts) and running each on
// a model thread of its own pool (./runner.ts), so inference has its own cores. It writes
// progress and results into the session's document through its own room (server/rooms, with the
// Redis fan-out): the update log and every instance's clients get them as they get any edit.
//   - Per-session cap of running jobs across the cluster: a worker claims a slot in Redis first;
//     a job of a session at its cap goes back to the queue for a moment (BullMQ delayed).
//   - A worker killed mid-job stops renewing its lock; another worker's stalled-job check puts the
//     job back in the queue and it runs again (up to TUTTI_JOB_MAX_RETRIES times); beyond that
//     BullMQ fails it, and the first worker to hear of it records the failure, row and document.
//   - Cancel: a web instance publishes the job id; the worker running it aborts the generation.
//   - Shutdown (SIGTERM): take no new job, finish the running ones, then close.
import { DelayedError, Job, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobsConfig } from './config';
import { WorkerPool } from './pool';
import type { QueuedJobData } from './queued-service';
import { queueKeys, RedisLimits } from './redis-limits';
import { runJob, type Outcome } from './runner';
import { JobStateWriter, type RoomAccess } from './state';
import type { JobStore } from './store';

export interface QueueWorkerDeps {
  rooms: RoomAccess;
  store: JobStore;
  config: JobsConfig;
  redisUrl: string;
  /** Shown in BullMQ (job.processedBy) and the logs. */
  name: string;
  log?: (msg: string) => void;
}

export interface QueueWorker {
  readonly name: string;
  readonly pool: WorkerPool;
  /** Jobs running here now. */
  running(): number;
  /** Graceful: no new job; running ones finish (or, past `graceMs`, are left to the stalled check). */
  close(graceMs?: number): Promise<void>;
}

const FINAL = new Set(['done', 'failed', 'cancelled']);
const AT_CAP_RETRY_MS = 250;

export async function startQueueWorker(deps: QueueWorkerDeps): Promise<QueueWorker> {
  const c = deps.config;
  const log = deps.log ?? (() => undefined);
  const keys = queueKeys(c.queueName);
  const pool = new WorkerPool({ size: c.workerConcurrency, cancelGraceMs: c.cancelGraceMs, preload: c.preload, nice: c.workerNice, log });
  pool.warm();
  const state = new JobStateWriter(deps.rooms, deps.store, log);
  const redis = new Redis(deps.redisUrl, { maxRetriesPerRequest: 3, connectionName: `tutti-jobs-${deps.name}` });
  const sub = new Redis(deps.redisUrl, { connectionName: `tutti-jobs-sub-${deps.name}` });
  for (const r of [redis, sub]) r.on('error', (e) => log(`[worker] redis connection error: ${e.message}`));
  const limits = new RedisLimits(redis, c);
  const aborts = new Map<string, AbortController>();

  await sub.subscribe(keys.cancel);
  sub.on('message', (_channel: string, jobId: string) => aborts.get(jobId)?.abort());

  const processor = async (job: Job<QueuedJobData>, token?: string): Promise<Outcome | { status: 'skipped' }> => {
    const jobId = job.id!;
    const { sessionId, spec } = job.data;
    const rec = await deps.store.get(jobId);
    // Ended while it waited (cancelled, or failed by another worker), or its session was deleted.
    if (!rec || FINAL.has(rec.status)) return { status: 'skipped' };
    // Cancelled while a worker held it between tries (a session at its cap): the web instance
    // could not take it out of the queue, so it left the word here.
    if (await redis.exists(keys.cancelled(jobId))) {
      await state.finish(sessionId, jobId, 'cancelled', { error: 'cancelled before it started', errorCode: 'cancelled' });
      await limits.release(sessionId, [jobId]);
      return { status: 'cancelled' };
    }
    if (!(await limits.claimRunning(sessionId, jobId))) {
      await job.moveToDelayed(Date.now() + AT_CAP_RETRY_MS, token);
      throw new DelayedError();
    }
    const ctrl = new AbortController();
    aborts.set(jobId, ctrl);
    try {
      if (await redis.exists(keys.cancelled(jobId))) ctrl.abort();
      if (rec.status === 'running') log(`[worker] ${jobId}: running it again (the worker that had it stopped)`);
      const outcome = await runJob({ rooms: deps.rooms, pool, state, config: c, log }, sessionId, jobId, spec, ctrl.signal);
      log(`[worker] ${jobId} (${spec.model}, session ${sessionId}): ${outcome.status}${outcome.code ? ` (${outcome.code})` : ''}`);
      return outcome;
    } finally {
      aborts.delete(jobId);
      await limits.releaseRunning(sessionId, jobId).catch(() => undefined);
      const now = await deps.store.get(jobId).catch(() => null);
      if (!now || FINAL.has(now.status)) await limits.release(sessionId, [jobId]).catch(() => undefined);
    }
  };

  const worker = new Worker<QueuedJobData>(c.queueName, processor, {
    connection: { url: deps.redisUrl },
    name: deps.name,
    concurrency: c.workerConcurrency,
    lockDuration: c.lockMs,
    stalledInterval: c.stalledMs,
    maxStalledCount: c.maxRetries,
  });
  worker.on('error', (e) => log(`[worker] queue error: ${e.message}`));
  worker.on('stalled', (jobId) => log(`[worker] ${jobId}: its worker stopped mid-job; queued again`));

  // A job BullMQ failed without our processor recording it (its worker died more often than
  // TUTTI_JOB_MAX_RETRIES allows, or the processor itself could not reach the database): the row
  // and the document say so. Every worker hears it; finishIfOpen lets exactly one write it.
  const events = new QueueEvents(c.queueName, { connection: { url: deps.redisUrl } });
  events.on('error', (e) => log(`[worker] queue events error: ${e.message}`));
  events.on('failed', ({ jobId, failedReason }) => {
    void (async () => {
      const rec = await deps.store.get(jobId);
      if (!rec || FINAL.has(rec.status)) return;
      const stalled = /stalled/i.test(failedReason);
      const error = stalled
        ? `the model worker running this job stopped ${c.maxRetries + 1} time(s); please ask again`
        : `the job could not be run: ${failedReason}`;
      if (await state.finish(rec.sessionId, jobId, 'failed', { error, errorCode: stalled ? 'worker_lost' : 'internal' })) log(`[worker] ${jobId}: failed (${failedReason})`);
      await limits.release(rec.sessionId, [jobId]);
      await limits.releaseRunning(rec.sessionId, jobId);
    })().catch((e) => log(`[worker] could not record the failure of ${jobId}: ${(e as Error).message}`));
  });
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);

  return {
    name: deps.name,
    pool,
    running: () => aborts.size,
    async close(graceMs = 60_000) {
      // worker.close() waits for the running jobs; past the grace they are abandoned: their lock
      // lapses and another worker runs them again (a hand-back, not a loss).
      const closing = worker.close();
      const timedOut = await Promise.race([closing.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
      if (timedOut) {
        // Their pool is left running (closing it would record them as failed); the process exits.
        log(`[worker] ${aborts.size} job(s) still running after ${graceMs} ms; leaving them to another worker`);
        await worker.close(true).catch(() => undefined);
        sub.disconnect();
        redis.disconnect();
        return;
      }
      await events.close();
      await pool.close();
      sub.disconnect();
      redis.disconnect();
    },
  };
}
