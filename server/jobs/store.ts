// Where job records live. The service talks to this narrow interface; the Prisma implementation
// (./prisma-store.ts) is the real one, in both database modes.
import type { JobStatus } from '../../lib/score/jobs';

export interface JobRecord {
  id: string;
  sessionId: string;
  model: string;
  task: string;
  /** The whole validated request: source/target tracks, bars, knobs, seed. */
  params: Record<string, unknown>;
  requesterId: string | null;
  requesterName: string;
  status: JobStatus;
  progress: number;
  error: string | null;
  /** Machine-readable failure: invalid_params, timeout, cancelled, worker_crashed, generator_error, ... */
  errorCode: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Time inside the model worker, as it measured it. */
  inferenceMs: number | null;
  resultNoteIds: string[];
  resultTrackIds: string[];
  removedNoteIds: string[];
  /** When the requester undid the result (the notes are gone from the document, the record stays). */
  undoneAt: Date | null;
}

export type JobPatch = Partial<Omit<JobRecord, 'id' | 'sessionId' | 'createdAt'>>;

export interface JobStore {
  /** Records a new job leased to `ownerId` (the instance that will run it), heartbeat now. */
  create(rec: JobRecord, ownerId: string): Promise<void>;
  update(id: string, patch: JobPatch): Promise<void>;
  /** Applies a final patch only while the job is still queued or running; true when it did (one writer wins). */
  finishIfOpen(id: string, patch: JobPatch): Promise<boolean>;
  get(id: string): Promise<JobRecord | null>;
  /** A session's most recent jobs, newest first. */
  listBySession(sessionId: string, limit: number): Promise<JobRecord[]>;
  /** Renews the lease of every queued or running job `ownerId` holds, in one write; returns how many. */
  heartbeat(ownerId: string): Promise<number>;
  /**
   * Atomically fails the queued or running jobs whose lease expired (no heartbeat for `leaseMs`,
   * by the database's clock) and that `exceptOwnerId` does not hold; returns them as failed. Two
   * instances sweeping at once never both get the same job.
   */
  failExpired(leaseMs: number, exceptOwnerId: string, failure: { error: string; errorCode: string }): Promise<JobRecord[]>;
}

/** Public JSON view of a job (GET /api/sessions/<id>/jobs/<jobId>). */
export function jobView(r: JobRecord): Record<string, unknown> {
  const ms = (a: Date | null, b: Date | null): number | null => (a && b ? b.getTime() - a.getTime() : null);
  return {
    id: r.id,
    sessionId: r.sessionId,
    model: r.model,
    task: r.task,
    params: r.params,
    requester: { id: r.requesterId, name: r.requesterName },
    status: r.status,
    progress: r.progress,
    error: r.error,
    errorCode: r.errorCode,
    timings: {
      createdAt: r.createdAt.toISOString(),
      startedAt: r.startedAt?.toISOString() ?? null,
      finishedAt: r.finishedAt?.toISOString() ?? null,
      queueMs: ms(r.createdAt, r.startedAt),
      runMs: ms(r.startedAt, r.finishedAt),
      totalMs: ms(r.createdAt, r.finishedAt),
      inferenceMs: r.inferenceMs,
    },
    result: { noteIds: r.resultNoteIds, trackIds: r.resultTrackIds, removedNoteIds: r.removedNoteIds },
    undoneAt: r.undoneAt?.toISOString() ?? null,
  };
}
