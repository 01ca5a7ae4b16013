// Lease recovery (in-process mode): fails the jobs a dead instance left queued or running —
// those whose lease expired (their owner stopped renewing it, ./lease.ts), never a live
// instance's — in the database and then in the session's job list. A job whose result was
// already flushed to the document with "done" before its owner died is recorded as done instead.
// (In queue mode BullMQ's stalled-job check does this job: server/jobs/queue-worker.ts.)
import { jobOrigin, jobsMap, readJob, writeJobState, type JobState } from '../../lib/score';
import type { RoomAccess } from './state';
import type { JobRecord, JobStore } from './store';

export interface RecoveryDeps {
  rooms: RoomAccess;
  store: JobStore;
  sessionExists(sessionId: string): Promise<boolean>;
  leaseMs: number;
  ownerId: string;
  log?: (msg: string) => void;
}

const INTERRUPTED = 'the server running this job stopped before it finished; please ask again';

/** Returns how many jobs it ended. */
export async function recoverInterrupted(deps: RecoveryDeps): Promise<number> {
  const left = await deps.store.failExpired(deps.leaseMs, deps.ownerId, { error: INTERRUPTED, errorCode: 'interrupted' });
  for (const r of left) await reflectInterrupted(deps, r).catch((e) => deps.log?.(`jobs: could not update the job list for ${r.id}: ${(e as Error).message}`));
  return left.length;
}

async function reflectInterrupted(deps: RecoveryDeps, r: JobRecord): Promise<void> {
  if (!(await deps.sessionExists(r.sessionId))) return;
  const landed = await deps.rooms.withDoc(
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
        error: INTERRUPTED,
        finishedAt: (r.finishedAt ?? new Date()).getTime(),
      });
      return null;
    },
    { origin: jobOrigin(r.id) },
  );
  if (landed)
    await deps.store.update(r.id, {
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
