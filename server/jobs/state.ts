// A job's state and its one writer. The database row (JobStore) is the source of truth; the
// session document's `jobs` map mirrors it for display (lib/score/jobs.ts), always written after
// the row, through ONE chain per job so a late progress never overtakes "done" and the two never
// disagree about a final state. The exception is "done": the suggestion and the "done" mirror
// land in one flushed document transaction BEFORE the row, so a crash between the two leaves a
// durable result that lease recovery (./recovery.ts) records as done instead of failing it.
// Used alike by the in-process service and by queue workers (server/worker-main.ts).
import type * as Y from 'yjs';
import { jobOrigin, writeJobState, writeSuggestion, type JobStatus, type NewSuggestion } from '../../lib/score';
import type { JobPatch, JobStore } from './store';

export interface RoomAccess {
  /** One transaction on the session's document; `origin` names it (the room's default otherwise). */
  withDoc<T>(sessionId: string, fn: (doc: Y.Doc) => T, options?: { origin?: unknown; flush?: boolean }): Promise<Awaited<T>>;
}

type DocPatch = Parameters<typeof writeJobState>[2];

const DOC_PROGRESS_EVERY_MS = 150;
const DB_PROGRESS_EVERY_MS = 1_000;

export class JobStateWriter {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly lastProgress = new Map<string, { doc: number; db: number }>();

  constructor(
    private readonly rooms: RoomAccess,
    readonly store: JobStore,
    private readonly log?: (msg: string) => void,
  ) {}

  /** Running from now (row, then mirror). */
  running(sessionId: string, jobId: string): void {
    const startedAt = new Date();
    this.queue(sessionId, jobId, { status: 'running', startedAt, progress: 0 }, { status: 'running', startedAt: startedAt.getTime(), progress: 0, error: null });
  }

  /** Progress, throttled: the mirror every 150 ms (live display), the row every second. */
  progress(sessionId: string, jobId: string, fraction: number): void {
    const now = Date.now();
    const last = this.lastProgress.get(jobId) ?? { doc: 0, db: 0 };
    const docDue = now - last.doc >= DOC_PROGRESS_EVERY_MS;
    const dbDue = now - last.db >= DB_PROGRESS_EVERY_MS;
    if (docDue) last.doc = now;
    if (dbDue) last.db = now;
    this.lastProgress.set(jobId, last);
    if (docDue || dbDue) this.queue(sessionId, jobId, dbDue ? { progress: fraction } : null, docDue ? { progress: fraction } : null);
  }

  /** The result: suggestion + "done" in one durable document transaction, then the row. */
  async done(sessionId: string, jobId: string, build: (doc: Y.Doc) => NewSuggestion, inferenceMs: number): Promise<void> {
    await this.settled(jobId);
    const finishedAt = new Date();
    await this.rooms.withDoc(
      sessionId,
      (doc) => {
        writeSuggestion(doc, jobId, build(doc));
        writeJobState(doc, jobId, { status: 'done', progress: 1, finishedAt: finishedAt.getTime(), error: null, suggestionId: jobId });
      },
      { origin: jobOrigin(jobId), flush: true },
    );
    await this.store.update(jobId, { status: 'done', progress: 1, finishedAt, inferenceMs: Math.round(inferenceMs), error: null, errorCode: null });
    this.forget(jobId);
  }

  /**
   * Failed or cancelled: the row first — only if it is still open (queued/running), so two
   * instances racing to end one job write it once — then the mirror. True when this call ended it.
   */
  async finish(sessionId: string, jobId: string, status: Exclude<JobStatus, 'done' | 'queued' | 'running'>, f: { error: string; errorCode: string }): Promise<boolean> {
    await this.settled(jobId);
    const finishedAt = new Date();
    const ended = await this.store.finishIfOpen(jobId, { status, finishedAt, ...f });
    if (ended) await this.rooms.withDoc(sessionId, (doc) => writeJobState(doc, jobId, { status, error: f.error, finishedAt: finishedAt.getTime() }), { origin: jobOrigin(jobId) });
    this.forget(jobId);
    return ended;
  }

  /** Resolves once every write queued for the job so far has landed (or failed and been logged). */
  settled(jobId: string): Promise<unknown> {
    return this.chains.get(jobId) ?? Promise.resolve();
  }

  private forget(jobId: string): void {
    this.chains.delete(jobId);
    this.lastProgress.delete(jobId);
  }

  private queue(sessionId: string, jobId: string, db: JobPatch | null, doc: DocPatch | null): void {
    const log = (e: unknown) => this.log?.(`jobs: status write for ${jobId} failed: ${(e as Error).message}`);
    const next = this.settled(jobId)
      .then(async () => {
        if (db) await this.store.update(jobId, db);
        if (doc) await this.rooms.withDoc(sessionId, (d) => writeJobState(d, jobId, doc), { origin: jobOrigin(jobId) });
      })
      .catch(log);
    this.chains.set(jobId, next);
  }
}
