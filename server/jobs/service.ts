// The accompaniment job service: admits a request (validation, rate limit, size caps, per-session
// queue), records it, runs it on the worker pool, and writes its life — queued, running with
// progress, done with the result, failed with a reason, cancelled — both into the session's Y.Doc
// (so every participant sees it, live) and into the database (so it outlives the room and the
// process). Document writes go through `rooms.withDoc`, so they sync and persist with no browser.
import type * as Y from 'yjs';
import { jobsMap, randomId, readJob, readScore, ScoreValidationError, undoJobResult, writeJobState, jobOrigin, type JobState, type JobStatus, type UndoOutcome } from '../../lib/score';
import { applyResult, ResultError } from './apply';
import { checkLease, type JobsConfig } from './config';
import { LeaseKeeper } from './lease';
import { WorkerPool, RunError } from './pool';
import { SessionQueue, QueueFullError } from './queue';
import { RateLimiter } from './rate-limit';
import { JobRequestError, parseJobRequest, type ParsedJobRequest } from './schema';
import type { JobPatch, JobRecord, JobStore } from './store';

export interface RoomAccess {
  /** One transaction on the session's document; `origin` names it (the room's default otherwise). */
  withDoc<T>(sessionId: string, fn: (doc: Y.Doc) => T, options?: { origin?: unknown; flush?: boolean }): Promise<Awaited<T>>;
}

export interface JobServiceDeps {
  rooms: RoomAccess;
  store: JobStore;
  sessionExists(sessionId: string): Promise<boolean>;
  config: JobsConfig;
  /** This instance's lease owner id (default: random per service). */
  ownerId?: string;
  log?: (msg: string) => void;
}

interface Active {
  sessionId: string;
  ctrl: AbortController;
  /** Resolves once the job reached a final state in the doc and the database. */
  settled: Promise<void>;
  resolveSettled(): void;
  /** Serialise this job's status writes so a late progress never overwrites "done". Two chains:
   *  the result must wait for earlier document writes (fast, in memory) but not for the database. */
  docChain: Promise<unknown>;
  dbChain: Promise<unknown>;
}

const DOC_PROGRESS_EVERY_MS = 150;
const DB_PROGRESS_EVERY_MS = 1_000;

export class JobService {
  readonly pool: WorkerPool;
  private readonly queue: SessionQueue;
  private readonly perParticipant: RateLimiter;
  private readonly perAddress: RateLimiter;
  private readonly active = new Map<string, Active>();
  /** Whose jobs these are in a database several instances share (server/jobs/lease.ts). */
  readonly ownerId: string;
  private readonly lease: LeaseKeeper;

  constructor(private readonly deps: JobServiceDeps) {
    const c = deps.config;
    checkLease(c);
    this.ownerId = deps.ownerId ?? randomId(16);
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
    this.perParticipant = new RateLimiter(c.rateLimit, c.rateWindowMs);
    // Looser, so friends behind one NAT are not throttled together, but minting ids does not help much.
    this.perAddress = new RateLimiter(c.rateLimitPerAddress, c.rateWindowMs);
  }

  /** Validates and queues a request; resolves with the job id (the HTTP layer answers 202). */
  /** `client.participantId`: the server-verified identity (server/jobs/routes.ts), null for anonymous API use. */
  async submit(sessionId: string, body: unknown, client: { address: string; participantId?: string | null }): Promise<{ jobId: string }> {
    const c = this.deps.config;
    const req = parseJobRequest(body, { allowDebug: c.allowDebug, maxParams: c.maxParams, maxBars: c.maxBars });
    if (!(await this.deps.sessionExists(sessionId))) throw new JobRequestError(`no session with id "${sessionId}"`, 404, [], 'not_found');
    const requesterId = client.participantId ?? null;
    this.rateCheck(requesterId ? `p:${requesterId}` : `a:${client.address}`, this.perParticipant);
    this.rateCheck(`a:${client.address}`, this.perAddress);
    if (this.queue.pending(sessionId) >= c.maxPendingPerSession)
      throw new JobRequestError(new QueueFullError(c.maxPendingPerSession).message, 429, [], 'queue_full');
    await this.deps.rooms.withDoc(sessionId, (doc) => this.checkInput(doc, req));

    const jobId = randomId(16);
    const now = new Date();
    await this.deps.store.create({
      id: jobId,
      sessionId,
      model: req.model,
      task: req.request.task,
      params: { ...req.request },
      requesterId,
      requesterName: req.requesterName,
      status: 'queued',
      progress: 0,
      error: null,
      errorCode: null,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      inferenceMs: null,
      resultNoteIds: [],
      resultTrackIds: [],
      removedNoteIds: [],
      undoneAt: null,
    }, this.ownerId);
    await this.deps.rooms.withDoc(
      sessionId,
      (doc) =>
        writeJobState(doc, jobId, {
          model: req.model,
          task: req.request.task,
          status: 'queued',
          requesterId: requesterId ?? '',
          requesterName: req.requesterName,
          createdAt: now.getTime(),
        }),
      { origin: jobOrigin(jobId) },
    );
    let resolveSettled = (): void => undefined;
    const settled = new Promise<void>((r) => (resolveSettled = r));
    this.active.set(jobId, { sessionId, ctrl: new AbortController(), settled, resolveSettled, docChain: Promise.resolve(), dbChain: Promise.resolve() });
    this.queue.enqueue(sessionId, jobId, () => this.run(sessionId, jobId, req));
    return { jobId };
  }

  async get(sessionId: string, jobId: string): Promise<JobRecord | null> {
    const r = await this.deps.store.get(jobId);
    return r && r.sessionId === sessionId ? r : null;
  }

  async list(sessionId: string, limit = 50): Promise<JobRecord[]> {
    if (!(await this.deps.sessionExists(sessionId))) throw new JobRequestError(`no session with id "${sessionId}"`, 404, [], 'not_found');
    return this.deps.store.listBySession(sessionId, Math.max(1, Math.min(200, limit)));
  }

  /** Cancels a waiting or running job (any participant may); resolves with the final record. */
  async cancel(sessionId: string, jobId: string): Promise<JobRecord> {
    const rec = await this.get(sessionId, jobId);
    if (!rec) throw new JobRequestError(`no job "${jobId}" in this session`, 404, [], 'not_found');
    const a = this.active.get(jobId);
    if (!a) {
      if (rec.status === 'queued' || rec.status === 'running') throw new JobRequestError('this job is not running on this server', 409, [], 'not_active');
      throw new JobRequestError(`the job already ${rec.status === 'done' ? 'finished' : rec.status}`, 409, [], 'finished');
    }
    if (this.queue.removeWaiting(sessionId, jobId)) {
      await this.finish(jobId, 'cancelled', { error: 'cancelled before it started', errorCode: 'cancelled' });
      this.active.delete(jobId);
      a.resolveSettled();
    } else a.ctrl.abort();
    await a.settled;
    return (await this.deps.store.get(jobId))!;
  }

  /** Reverts a finished job's result in one transaction; only its requester (the verified participant id) may. */
  async undo(sessionId: string, jobId: string, participantId: string | null | undefined): Promise<UndoOutcome> {
    const rec = await this.get(sessionId, jobId);
    if (!rec) throw new JobRequestError(`no job "${jobId}" in this session`, 404, [], 'not_found');
    if (rec.requesterId && rec.requesterId !== participantId) throw new JobRequestError('only the participant who asked for this result can undo it', 403, [], 'forbidden');
    if (rec.status !== 'done') throw new JobRequestError(`the job has no result to undo (it is ${rec.status})`, 409, [], 'no_result');
    if (rec.undoneAt) throw new JobRequestError('this result was already undone', 409, [], 'already_undone');
    const out = await this.deps.rooms.withDoc(sessionId, (doc) => undoJobResult(doc, jobId), { origin: `${jobOrigin(jobId)}:undo` });
    await this.deps.store.update(jobId, { undoneAt: new Date() });
    return out;
  }

  /** Start of service: fails jobs orphaned by dead instances, then keeps this instance's lease and sweeps. */
  async start(): Promise<number> {
    const n = await this.recoverInterrupted();
    this.lease.start();
    return n;
  }

  /**
   * Fails the jobs a dead instance left queued or running — those whose lease expired (their
   * owner stopped renewing it), never a live instance's — in the database and in the session's
   * shared job list. Returns how many.
   */
  async recoverInterrupted(): Promise<number> {
    const error = 'the server running this job stopped before it finished; please ask again';
    const left = await this.deps.store.failExpired(this.deps.config.leaseMs, this.ownerId, { error, errorCode: 'interrupted' });
    for (const r of left) await this.reflectInterrupted(r, error).catch((e) => this.deps.log?.(`jobs: could not update the job list for ${r.id}: ${(e as Error).message}`));
    return left.length;
  }

  private async reflectInterrupted(r: JobRecord, error: string): Promise<void> {
    if (!(await this.deps.sessionExists(r.sessionId))) return;
    const landed = await this.deps.rooms.withDoc(
      r.sessionId,
      (doc): JobState | null => {
        const y = jobsMap(doc).get(r.id);
        const cur = y ? readJob(r.id, y) : null;
        // Its result was flushed with "done" before the owner died recording it: keep it.
        if (cur?.status === 'done') return cur;
        // The whole entry: the last status the dead process wrote may not have reached the document.
        writeJobState(doc, r.id, {
          model: r.model,
          task: r.task,
          requesterId: r.requesterId ?? '',
          requesterName: r.requesterName,
          createdAt: r.createdAt.getTime(),
          status: 'failed',
          error,
          finishedAt: (r.finishedAt ?? new Date()).getTime(),
        });
        return null;
      },
      { origin: jobOrigin(r.id) },
    );
    if (landed)
      await this.deps.store.update(r.id, {
        status: 'done',
        progress: 1,
        error: null,
        errorCode: null,
        finishedAt: new Date(landed.finishedAt ?? Date.now()),
        resultNoteIds: landed.addedNoteIds,
        resultTrackIds: landed.addedTrackIds,
        removedNoteIds: landed.removedNotes.map((n) => n.id),
      });
  }

  /** Shutdown: jobs not started yet and jobs mid-run are recorded as interrupted, never left "running". */
  async close(): Promise<void> {
    const error = 'the server shut down before this job finished; please ask again';
    await this.lease.stopSweeping(); // before the rooms close under it
    for (const [id, a] of [...this.active]) {
      if (!this.queue.removeWaiting(a.sessionId, id)) continue;
      await this.finish(id, 'failed', { error, errorCode: 'interrupted' }).catch(() => undefined);
      this.active.delete(id);
      a.resolveSettled();
    }
    await this.pool.close(); // running generations fail with "the server is shutting down"
    await Promise.all([...this.active.values()].map((a) => a.settled));
    await this.lease.stop(); // every job of ours is final now: nothing left to renew
  }

  private rateCheck(key: string, limiter: RateLimiter): void {
    const d = limiter.take(key);
    if (!d.ok)
      throw Object.assign(
        new JobRequestError(`too many AI requests: at most ${limiter.limit} per ${Math.round(limiter.windowMs / 1000)} s; try again in ${Math.ceil(d.retryAfterMs / 1000)} s`, 429, [], 'rate_limited'),
        { retryAfterMs: d.retryAfterMs },
      );
  }

  private checkInput(doc: Y.Doc, req: ParsedJobRequest): void {
    const c = this.deps.config;
    const score = readScore(doc);
    const have = new Set<string>(score.tracks.map((t) => t.id));
    const missing = [...req.request.sourceTrackIds, ...(req.request.targetTrackIds ?? [])].filter((t) => !have.has(t));
    if (missing.length) throw new JobRequestError(`unknown track id(s): ${missing.join(', ')}`, 422, missing.map((m) => `track ${m}: not in this session`), 'unknown_track');
    if (score.notes.length > c.maxInputNotes)
      throw new JobRequestError(`the session has ${score.notes.length} notes; AI requests accept at most ${c.maxInputNotes}`, 413, [], 'too_large');
  }

  private async run(sessionId: string, jobId: string, req: ParsedJobRequest): Promise<void> {
    const a = this.active.get(jobId);
    if (!a) return;
    let lastDoc = 0;
    let lastDb = 0;
    try {
      const score = await this.deps.rooms.withDoc(sessionId, (doc) => {
        this.checkInput(doc, req);
        return readScore(doc);
      });
      const { result, ms } = await this.pool.run(
        { model: req.model, score, request: req.request, ...(req.debug ? { debug: req.debug } : {}) },
        {
          timeoutMs: req.debug?.timeoutMs ?? this.deps.config.timeoutMs,
          signal: a.ctrl.signal,
          onStart: () => {
            const startedAt = new Date();
            this.write(jobId, { status: 'running', startedAt }, { status: 'running', startedAt: startedAt.getTime() });
          },
          onProgress: (fraction) => {
            const now = Date.now();
            const docDue = now - lastDoc >= DOC_PROGRESS_EVERY_MS;
            const dbDue = now - lastDb >= DB_PROGRESS_EVERY_MS;
            if (docDue) lastDoc = now;
            if (dbDue) lastDb = now;
            if (docDue || dbDue) this.write(jobId, dbDue ? { progress: fraction } : null, docDue ? { progress: fraction } : null);
          },
        },
      );
      await a.docChain;
      const finishedAt = new Date();
      // flush: once the record says "done", the notes are durable too.
      const applied = await this.deps.rooms.withDoc(
        sessionId,
        (doc) => applyResult(doc, result, jobOrigin(jobId), { jobId, finishedAt: finishedAt.getTime(), maxNotes: this.deps.config.maxInputNotes }),
        { origin: jobOrigin(jobId), flush: true },
      );
      await a.dbChain;
      await this.deps.store.update(jobId, {
        status: 'done',
        progress: 1,
        finishedAt,
        inferenceMs: Math.round(ms),
        resultNoteIds: applied.addedNoteIds,
        resultTrackIds: applied.addedTrackIds,
        removedNoteIds: applied.removedNotes.map((n) => n.id),
      });
    } catch (e) {
      const { status, error, code } = describeFailure(e);
      await this.finish(jobId, status, { error, errorCode: code }).catch((err) => this.deps.log?.(`jobs: could not record failure of ${jobId}: ${(err as Error).message}`));
    } finally {
      this.active.delete(jobId);
      a.resolveSettled();
    }
  }

  private async finish(jobId: string, status: JobStatus, f: { error: string; errorCode: string }): Promise<void> {
    const a = this.active.get(jobId);
    await a?.docChain;
    await a?.dbChain;
    const finishedAt = new Date();
    await this.deps.store.update(jobId, { status, finishedAt, ...f });
    if (a) await this.deps.rooms.withDoc(a.sessionId, (doc) => writeJobState(doc, jobId, { status, error: f.error, finishedAt: finishedAt.getTime() }), { origin: jobOrigin(jobId) });
  }

  /** Queues a DB patch and/or a doc patch behind the job's earlier writes. Failures are logged, not thrown. */
  private write(jobId: string, db: JobPatch | null, doc: Parameters<typeof writeJobState>[2] | null): void {
    const a = this.active.get(jobId);
    if (!a) return;
    const log = (e: unknown) => this.deps.log?.(`jobs: status write for ${jobId} failed: ${(e as Error).message}`);
    if (doc) a.docChain = a.docChain.then(() => this.deps.rooms.withDoc(a.sessionId, (d) => writeJobState(d, jobId, doc), { origin: jobOrigin(jobId) })).catch(log);
    if (db) a.dbChain = a.dbChain.then(() => this.deps.store.update(jobId, db)).catch(log);
  }
}

function describeFailure(e: unknown): { status: JobStatus; error: string; code: string } {
  if (e instanceof RunError) return { status: e.code === 'cancelled' ? 'cancelled' : 'failed', error: e.message, code: e.code };
  if (e instanceof JobRequestError) return { status: 'failed', error: e.message, code: e.code };
  if (e instanceof ResultError || e instanceof ScoreValidationError) return { status: 'failed', error: `the model returned an unusable result: ${e.message}`, code: 'bad_result' };
  return { status: 'failed', error: `internal error: ${(e as Error)?.message ?? String(e)}`, code: 'internal' };
}
