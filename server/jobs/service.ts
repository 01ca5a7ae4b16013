// The in-process job service (the default, without REDIS_URL): admitted jobs (./admission.ts)
// wait in this process's per-session queue (./queue.ts) and run on its worker-thread pool
// (./runner.ts, ./pool.ts); their state goes through ./state.ts. Several instances may share one
// database: each keeps a lease on its own jobs and fails those of dead instances (./lease.ts,
// ./recovery.ts).
import { randomId } from '../../lib/score';
import { admit, type AdmissionLimits, type Client, type JobSpec } from './admission';
import { alreadyFinished, JobsApi } from './api';
import { checkLease, type JobsConfig } from './config';
import { LeaseKeeper } from './lease';
import { WorkerPool } from './pool';
import { SessionQueue } from './queue';
import { RateLimiter } from './rate-limit';
import { recoverInterrupted } from './recovery';
import { runJob } from './runner';
import { JobRequestError } from './schema';
import { JobStateWriter, type RoomAccess } from './state';
import type { JobRecord, JobStore } from './store';

export type { RoomAccess } from './state';
import type { VersionResolver } from './admission';

export interface JobServiceDeps {
  rooms: RoomAccess;
  store: JobStore;
  sessionExists(sessionId: string): Promise<boolean>;
  config: JobsConfig;
  /** The model registry: which version each job runs with (server/studio). */
  versions?: VersionResolver;
  /** This instance's lease owner id (default: random per service). */
  ownerId?: string;
  log?: (msg: string) => void;
}

interface Active {
  sessionId: string;
  requestId: string;
  ctrl: AbortController;
  /** Resolves once the job reached a final state in the database and the document. */
  settled: Promise<void>;
  resolveSettled(): void;
}

export class JobService extends JobsApi {
  readonly pool: WorkerPool;
  private readonly queue: SessionQueue;
  private readonly state: JobStateWriter;
  private readonly limits: AdmissionLimits;
  private readonly active = new Map<string, Active>();
  /** Whose jobs these are in a database several instances share (server/jobs/lease.ts). */
  readonly ownerId: string;
  private readonly lease: LeaseKeeper;

  constructor(private readonly deps: JobServiceDeps) {
    super(deps.store, deps.sessionExists);
    const c = deps.config;
    checkLease(c);
    this.ownerId = deps.ownerId ?? randomId(16);
    this.state = new JobStateWriter(deps.rooms, deps.store, deps.log);
    this.lease = new LeaseKeeper({
      heartbeatMs: c.heartbeatMs,
      sweepMs: c.sweepMs,
      holdsJobs: () => this.active.size > 0,
      heartbeat: () => deps.store.heartbeat(this.ownerId),
      sweep: async () => {
        const n = await this.recoverInterrupted();
        if (n) deps.log?.(`[jobs] marked ${n} job(s) of a server that stopped renewing its lease as failed`);
      },
      ...(deps.log ? { log: deps.log } : {}),
    });
    this.pool = new WorkerPool({ size: c.workers, cancelGraceMs: c.cancelGraceMs, preload: c.preload, ...(deps.log ? { log: deps.log } : {}) });
    this.queue = new SessionQueue(c.maxRunningPerSession, c.maxPendingPerSession);
    this.limits = memoryLimits(c, this.queue);
  }

  async submitAi(sessionId: string, body: unknown, client: Client): Promise<{ requestId: string; jobIds: string[] }> {
    const { requestId, jobs } = await admit({ ...this.deps, limits: this.limits, ownerId: this.ownerId }, sessionId, body, client);
    for (const [jobId, spec] of jobs) {
      let resolveSettled = (): void => undefined;
      const settled = new Promise<void>((r) => (resolveSettled = r));
      this.active.set(jobId, { sessionId, requestId, ctrl: new AbortController(), settled, resolveSettled });
      this.queue.enqueue(sessionId, jobId, () => this.run(sessionId, jobId, spec));
    }
    await this.limits.release(sessionId, jobs.map(([id]) => id)); // the queue counts them now
    return { requestId, jobIds: jobs.map(([id]) => id) };
  }

  depth(): number {
    return this.queue.totalPending;
  }

  async cancelRequest(sessionId: string, requestId: string): Promise<{ cancelled: string[] }> {
    const ids = [...this.active].filter(([, a]) => a.sessionId === sessionId && a.requestId === requestId).map(([id]) => id);
    if (!ids.length) throw new JobRequestError(`no waiting or running job of request "${requestId}" in this session`, 404, [], 'not_found');
    const cancelled: string[] = [];
    await Promise.all(
      ids.map(async (id) => {
        const rec = await this.cancel(sessionId, id).catch(() => null);
        if (rec?.status === 'cancelled') cancelled.push(id);
      }),
    );
    return { cancelled };
  }

  async cancel(sessionId: string, jobId: string): Promise<JobRecord> {
    const rec = await this.mustGet(sessionId, jobId);
    const a = this.active.get(jobId);
    if (!a) {
      if (rec.status === 'queued' || rec.status === 'running') throw new JobRequestError('this job is not running on this server', 409, [], 'not_active');
      throw alreadyFinished(rec);
    }
    if (this.queue.removeWaiting(sessionId, jobId)) {
      await this.state.finish(sessionId, jobId, 'cancelled', { error: 'cancelled before it started', errorCode: 'cancelled' });
      this.active.delete(jobId);
      a.resolveSettled();
    } else a.ctrl.abort();
    await a.settled;
    return (await this.deps.store.get(jobId))!;
  }

  /** Start of service: fails jobs orphaned by dead instances, then keeps this instance's lease and sweeps. */
  async start(): Promise<number> {
    const n = await this.recoverInterrupted();
    this.lease.start();
    return n;
  }

  recoverInterrupted(): Promise<number> {
    return recoverInterrupted({ ...this.deps, leaseMs: this.deps.config.leaseMs, ownerId: this.ownerId });
  }

  /** Shutdown: jobs not started yet and jobs mid-run are recorded as interrupted, never left "running". */
  async close(): Promise<void> {
    const error = 'the server shut down before this job finished; please ask again';
    await this.lease.stopSweeping(); // before the rooms close under it
    for (const [id, a] of [...this.active]) {
      if (!this.queue.removeWaiting(a.sessionId, id)) continue;
      await this.state.finish(a.sessionId, id, 'failed', { error, errorCode: 'interrupted' }).catch(() => undefined);
      this.active.delete(id);
      a.resolveSettled();
    }
    await this.pool.close(); // running generations fail with "the server is shutting down"
    await Promise.all([...this.active.values()].map((a) => a.settled));
    await this.lease.stop(); // every job of ours is final now: nothing left to renew
  }

  private async run(sessionId: string, jobId: string, spec: JobSpec): Promise<void> {
    const a = this.active.get(jobId);
    if (!a) return;
    try {
      await runJob({ rooms: this.deps.rooms, pool: this.pool, state: this.state, config: this.deps.config, ...(this.deps.log ? { log: this.deps.log } : {}) }, sessionId, jobId, spec, a.ctrl.signal);
    } finally {
      this.active.delete(jobId);
      a.resolveSettled();
    }
  }
}

/** This process's limits: sliding windows in memory, the session cap counted by the queue itself. */
function memoryLimits(c: JobsConfig, queue: SessionQueue): AdmissionLimits {
  const perParticipant = new RateLimiter(c.rateLimit, c.rateWindowMs);
  // Looser, so friends behind one NAT are not throttled together, but minting ids does not help much.
  const perAddress = new RateLimiter(c.rateLimitPerAddress, c.rateWindowMs);
  const reserved = new Map<string, number>();
  return {
    rate: async (kind, key) => (kind === 'participant' ? perParticipant : perAddress).take(key),
    // Admitted but not enqueued yet (admission awaits the database): counted, so a second
    // request of the same session meanwhile cannot slip past the cap.
    reserve: async (sessionId, ids) => {
      const held = reserved.get(sessionId) ?? 0;
      if (queue.pending(sessionId) + held + ids.length > c.maxPendingPerSession) return false;
      reserved.set(sessionId, held + ids.length);
      return true;
    },
    release: async (sessionId, ids) => {
      const left = (reserved.get(sessionId) ?? 0) - ids.length;
      if (left > 0) reserved.set(sessionId, left);
      else reserved.delete(sessionId);
    },
  };
}
