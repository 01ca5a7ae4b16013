// The accompaniment job service: admits a request (validation, rate limit, size caps, per-session
// queue), records it, runs it on the worker pool, and writes its life — queued, running with
// progress, done with the result, failed with a reason, cancelled — both into the session's Y.Doc
// (so every participant sees it, live) and into the database (so it outlives the room and the
// process). Document writes go through `rooms.withDoc`, so they sync and persist with no browser.
import type * as Y from 'yjs';
import { getSuggestion, jobsMap, randomId, readJob, readScore, ScoreValidationError, undoJobResult, writeJobState, writeSuggestion, jobOrigin, type JobState, type JobStatus, type TrackId, type UndoOutcome } from '../../lib/score';
import { splitKnobs, type KnobValue, type ModelName, type ParsedAiRequest, type SteerKnobs } from '../../lib/ai/contract';
import type { GenerateRequest } from '../../models/generator';
import { ResultError } from './apply';
import { modelVersion } from './model-version';
import { resultToSuggestion } from './suggest';
import { checkLease, type JobsConfig } from './config';
import { LeaseKeeper } from './lease';
import { WorkerPool, RunError } from './pool';
import { SessionQueue, QueueFullError } from './queue';
import { RateLimiter } from './rate-limit';
import { JobRequestError, legacyToAiBody, parseAiJobRequest, type DebugHooks } from './schema';
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

/** One candidate of a request, as it runs. */
interface JobSpec {
  model: ModelName;
  request: GenerateRequest;
  knobs: Record<string, KnobValue>;
  steer: SteerKnobs;
  previous: { pitch: number; start: number }[] | null;
  debug: DebugHooks | undefined;
  requestId: string;
  index: number;
  seed: number;
  modelVersion: string;
  requesterId: string;
  requesterName: string;
  createdAt: number;
}

interface Active {
  sessionId: string;
  requestId: string;
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

  /** The older POST /jobs body: one candidate, its `params` as knobs (validated by the contract all the same). */
  async submit(sessionId: string, body: unknown, client: { address: string; participantId?: string | null }): Promise<{ jobId: string; requestId: string }> {
    const r = await this.submitAi(sessionId, legacyToAiBody(body), client);
    return { jobId: r.jobIds[0]!, requestId: r.requestId };
  }

  /**
   * Validates a whole AI request (the contract: model/compare, task, candidates, every knob) and
   * queues its candidates — 1–4 seeds of one model, or one job per model for "compare" — sharing
   * a requestId. Any refusal (JobRequestError 4xx) happens before anything is written.
   * `client.participantId`: the server-verified identity (server/jobs/routes.ts), null for anonymous API use.
   */
  async submitAi(sessionId: string, body: unknown, client: { address: string; participantId?: string | null }): Promise<{ requestId: string; jobIds: string[] }> {
    const c = this.deps.config;
    const { ai, debug } = parseAiJobRequest(body, { allowDebug: c.allowDebug, maxBars: c.maxBars });
    if (!(await this.deps.sessionExists(sessionId))) throw new JobRequestError(`no session with id "${sessionId}"`, 404, [], 'not_found');
    const requesterId = client.participantId ?? null;
    this.rateCheck(requesterId ? `p:${requesterId}` : `a:${client.address}`, this.perParticipant);
    this.rateCheck(`a:${client.address}`, this.perAddress);
    if (this.queue.pending(sessionId) + ai.jobs.length > c.maxPendingPerSession)
      throw new JobRequestError(new QueueFullError(c.maxPendingPerSession).message, 429, [], 'queue_full');
    const previous = await this.deps.rooms.withDoc(sessionId, (doc) => {
      this.checkInput(doc, ai);
      return previousNotes(doc, ai);
    });

    const requestId = randomId(16);
    const now = new Date();
    const request: Omit<GenerateRequest, 'params' | 'seed'> = {
      task: ai.task,
      sourceTrackIds: [ai.sourceTrackId as TrackId],
      ...(ai.targetTrackIds.length ? { targetTrackIds: ai.targetTrackIds as TrackId[] } : {}),
      ...(ai.bars ? { bars: ai.bars } : {}),
    };
    const specs = ai.jobs.map((j): [string, JobSpec] => {
      const { params, steer } = splitKnobs(j.model, j.knobs);
      return [
        randomId(16),
        {
          model: j.model,
          request: { ...request, params, seed: j.seed },
          knobs: j.knobs,
          steer,
          previous,
          debug,
          requestId,
          index: j.index,
          seed: j.seed,
          modelVersion: modelVersion(j.model),
          requesterId: requesterId ?? '',
          requesterName: ai.requesterName,
          createdAt: now.getTime(),
        },
      ];
    });
    for (const [jobId, spec] of specs)
      await this.deps.store.create(
        {
          id: jobId,
          sessionId,
          model: spec.model,
          task: ai.task,
          params: { ...spec.request, knobs: spec.knobs, requestId, index: spec.index, modelVersion: spec.modelVersion, compare: ai.compare, ...(ai.previousSuggestionId ? { previousSuggestionId: ai.previousSuggestionId } : {}) },
          requesterId,
          requesterName: ai.requesterName,
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
        },
        this.ownerId,
      );
    // Every candidate appears in everyone's job list at once (one transaction).
    await this.deps.rooms.withDoc(
      sessionId,
      (doc) => {
        for (const [jobId, spec] of specs)
          writeJobState(doc, jobId, {
            model: spec.model,
            task: ai.task,
            status: 'queued',
            requesterId: spec.requesterId,
            requesterName: spec.requesterName,
            createdAt: spec.createdAt,
            requestId,
            index: spec.index,
            bars: ai.bars,
            seed: spec.seed,
            modelVersion: spec.modelVersion,
          });
      },
      { origin: `ai:${requestId}` },
    );
    for (const [jobId, spec] of specs) {
      let resolveSettled = (): void => undefined;
      const settled = new Promise<void>((r) => (resolveSettled = r));
      this.active.set(jobId, { sessionId, requestId, ctrl: new AbortController(), settled, resolveSettled, docChain: Promise.resolve(), dbChain: Promise.resolve() });
      this.queue.enqueue(sessionId, jobId, () => this.run(sessionId, jobId, spec));
    }
    return { requestId, jobIds: specs.map(([id]) => id) };
  }

  /** Cancels every candidate of a request still waiting or running (any participant may); resolves with how many. */
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

  private checkInput(doc: Y.Doc, req: { sourceTrackIds?: readonly string[]; targetTrackIds?: readonly string[]; sourceTrackId?: string }): void {
    const c = this.deps.config;
    const score = readScore(doc);
    const have = new Set<string>(score.tracks.map((t) => t.id));
    const missing = [...(req.sourceTrackIds ?? [req.sourceTrackId!]), ...(req.targetTrackIds ?? [])].filter((t) => !have.has(t));
    if (missing.length) throw new JobRequestError(`unknown track id(s): ${missing.join(', ')}`, 422, missing.map((m) => `track ${m}: not in this session`), 'unknown_track');
    if (score.notes.length > c.maxInputNotes)
      throw new JobRequestError(`the session has ${score.notes.length} notes; AI requests accept at most ${c.maxInputNotes}`, 413, [], 'too_large');
  }

  private async run(sessionId: string, jobId: string, spec: JobSpec): Promise<void> {
    const a = this.active.get(jobId);
    if (!a) return;
    let lastDoc = 0;
    let lastDb = 0;
    try {
      const score = await this.deps.rooms.withDoc(sessionId, (doc) => {
        this.checkInput(doc, spec.request);
        return readScore(doc);
      });
      const { result, ms } = await this.pool.run(
        { model: spec.model, score, request: spec.request, steer: spec.steer, previous: spec.previous, ...(spec.debug ? { debug: spec.debug } : {}) },
        {
          timeoutMs: spec.debug?.timeoutMs ?? this.deps.config.timeoutMs,
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
      // The suggestion and the "done" status land in ONE transaction (flush: once the record says
      // "done", the suggestion is durable too). Its id is the job's.
      await this.deps.rooms.withDoc(
        sessionId,
        (doc) => {
          const existing = new Set<string>(readScore(doc).tracks.map((t) => t.id));
          const suggestion = resultToSuggestion(
            result,
            {
              requestId: spec.requestId,
              index: spec.index,
              jobId,
              model: spec.model,
              modelVersion: spec.modelVersion,
              task: spec.request.task,
              knobs: spec.knobs,
              seed: spec.seed,
              requesterId: spec.requesterId,
              requesterName: spec.requesterName,
              createdAt: spec.createdAt,
              bars: spec.request.bars ?? null,
              sourceTrackId: spec.request.sourceTrackIds[0]!,
            },
            existing,
          );
          writeSuggestion(doc, jobId, suggestion);
          writeJobState(doc, jobId, { status: 'done', progress: 1, finishedAt: finishedAt.getTime(), error: null, suggestionId: jobId });
        },
        { origin: jobOrigin(jobId), flush: true },
      );
      await a.dbChain;
      await this.deps.store.update(jobId, { status: 'done', progress: 1, finishedAt, inferenceMs: Math.round(ms) });
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

/** The notes of the suggestion a request regenerates from (for "like / unlike"); 422 when it is not in the session. */
function previousNotes(doc: Y.Doc, ai: ParsedAiRequest): { pitch: number; start: number }[] | null {
  if (!ai.previousSuggestionId) return null;
  const s = getSuggestion(doc, ai.previousSuggestionId);
  if (!s) throw new JobRequestError(`no suggestion "${ai.previousSuggestionId}" in this session`, 422, [`previousSuggestionId: not in this session`], 'unknown_suggestion');
  return s.notes.map((n) => ({ pitch: n.pitch, start: n.start }));
}
