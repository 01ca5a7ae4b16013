// The AI jobs of a session, as every participant sees them. An additive top-level type of the
// session's Y.Doc:
//   jobs   Y.Map  jobId -> Y.Map(model, task, status, progress, requesterId, requesterName,
//                                createdAt, startedAt, finishedAt, error, addedNoteIds,
//                                addedTrackIds, removedNotes, requestId, index, bars, seed,
//                                modelVersion, suggestionId)
// Only the server writes it (status/progress as the queue moves; since issue 13 a finished job
// writes its suggestion (lib/score/suggestions.ts) in ONE transaction with its "done" status,
// origin `jobOrigin(id)`, and no notes); browsers read it to draw the job list and the progress
// overlay on the job's bars. Candidates of one request share its requestId.
// Because Yjs origins do not travel over the wire, the requester's one-step undo of a result is
// computed from the recorded ids here (`undoJobResult`) instead of from a remote transaction.
import * as Y from 'yjs';
import { z } from 'zod';
import { notesMap, tracksMap, type ReadStats } from './doc';
import { noteSchema, type Note, type NoteId, type TrackId } from './types';

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINISHED_STATUSES: readonly JobStatus[] = ['done', 'failed', 'cancelled'];

/** How many finished jobs a document keeps in its list; older ones live on in the database only. */
export const MAX_FINISHED_JOBS_IN_DOC = 30;

/** The transaction origin of everything a job writes: name it to recognise or undo the result. */
export const jobOrigin = (jobId: string): string => `job:${jobId}`;

const removedNoteSchema = noteSchema.extend({ id: z.string().min(1).max(64) });

export const jobStateSchema = z.object({
  model: z.string(),
  task: z.string(),
  status: z.enum(JOB_STATUSES),
  progress: z.number().min(0).max(1),
  requesterId: z.string(),
  requesterName: z.string(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  error: z.string().nullable(),
  addedNoteIds: z.array(z.string()),
  addedTrackIds: z.array(z.string()),
  /** Full copies of the notes a rewrite removed, so an undo can put them back. */
  removedNotes: z.array(removedNoteSchema),
  /** The request this job is a candidate of ('' for jobs from before issue 13). */
  requestId: z.string().max(64),
  /** Candidate index within the request. */
  index: z.number().int().min(0).max(15),
  /** Bars [from, to) it works on (the progress overlay); null = the whole score. */
  bars: z.tuple([z.number().int().min(0), z.number().int().min(1)]).nullable(),
  seed: z.number().int().min(0).nullable(),
  /** Which trained weights ran it (e.g. "gan-3f2a9c1e"). */
  modelVersion: z.string().max(80),
  /** The suggestion it wrote once done. */
  suggestionId: z.string().max(64).nullable(),
});
export type JobState = z.infer<typeof jobStateSchema> & { id: string };

export const jobsMap = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap('jobs');

const DEFAULTS: Omit<JobState, 'id' | 'model' | 'task' | 'requesterId' | 'requesterName' | 'createdAt'> = {
  status: 'queued',
  progress: 0,
  startedAt: null,
  finishedAt: null,
  error: null,
  addedNoteIds: [],
  addedTrackIds: [],
  removedNotes: [],
  requestId: '',
  index: 0,
  bars: null,
  seed: null,
  modelVersion: '',
  suggestionId: null,
};

export function readJob(id: string, y: unknown): JobState | null {
  if (!(y instanceof Y.Map)) return null;
  const raw: Record<string, unknown> = { ...DEFAULTS };
  y.forEach((v, k) => (raw[k] = v));
  const r = jobStateSchema.safeParse(raw);
  return r.success ? { ...r.data, id } : null;
}

/** All jobs, newest first. */
export function readJobs(doc: Y.Doc, stats?: ReadStats): JobState[] {
  const out: JobState[] = [];
  jobsMap(doc).forEach((y, id) => {
    const j = readJob(id, y);
    if (j) out.push(j);
    else if (stats) stats.skipped++;
  });
  return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
}

type Patch = Partial<Omit<JobState, 'id'>>;

function writePatch(y: Y.Map<unknown>, patch: Patch, fresh = false): void {
  // A fresh (not yet integrated) Y.Map cannot be read, only written.
  for (const [k, v] of Object.entries(patch)) if (v !== undefined && (fresh || y.get(k) !== v)) y.set(k, v);
}

/** Writes (or creates) a job entry. Must run inside or outside a transaction; never throws on a missing entry. */
export function writeJobState(doc: Y.Doc, id: string, patch: Patch, origin: unknown = jobOrigin(id)): void {
  doc.transact(() => {
    const jobs = jobsMap(doc);
    const y: unknown = jobs.get(id);
    if (!(y instanceof Y.Map)) {
      // Missing, or something that is not a job entry (never written by this server): replace it.
      const fresh = new Y.Map<unknown>();
      writePatch(fresh, { ...DEFAULTS, ...patch }, true);
      jobs.set(id, fresh);
      pruneFinished(doc);
    } else writePatch(y as Y.Map<unknown>, patch);
  }, origin);
}

/** Drops the oldest finished jobs beyond the cap so the document does not grow forever. */
function pruneFinished(doc: Y.Doc): void {
  const finished = readJobs(doc).filter((j) => FINISHED_STATUSES.includes(j.status));
  for (const j of finished.slice(MAX_FINISHED_JOBS_IN_DOC)) jobsMap(doc).delete(j.id);
}

export interface UndoOutcome {
  removedNotes: number;
  removedTracks: number;
  restoredNotes: number;
}

/** Whether any part of a finished job's result is still in the document (so an undo would do something). */
export function jobResultPresent(doc: Y.Doc, job: JobState): boolean {
  if (job.status !== 'done') return false;
  const notes = notesMap(doc);
  const tracks = tracksMap(doc);
  return job.addedNoteIds.some((id) => notes.has(id)) || job.addedTrackIds.some((id) => tracks.has(id));
}

/**
 * Reverts a finished job's result in ONE transaction: deletes the notes and tracks it added (and
 * any notes since drawn on those tracks, which would otherwise point at nothing) and restores the
 * notes it removed under their old ids. Edits others made to unrelated notes are untouched.
 * Idempotent, and it writes nothing into `jobs`: run with the browser's own origin, the undo is one
 * item of that user's undo stack, so Ctrl+Z after it brings the result back.
 */
export function undoJobResult(doc: Y.Doc, jobId: string, origin: unknown = `${jobOrigin(jobId)}:undo`): UndoOutcome {
  const y = jobsMap(doc).get(jobId);
  const job = y && readJob(jobId, y);
  const out: UndoOutcome = { removedNotes: 0, removedTracks: 0, restoredNotes: 0 };
  if (!job || !jobResultPresent(doc, job)) return out;
  doc.transact(() => {
    const notes = notesMap(doc);
    const tracks = tracksMap(doc);
    const doomedTracks = new Set(job.addedTrackIds.filter((t) => tracks.has(t)));
    for (const id of job.addedNoteIds) if (notes.has(id)) (notes.delete(id), out.removedNotes++);
    const strays: string[] = [];
    notes.forEach((n, id) => {
      if (n instanceof Y.Map && doomedTracks.has(String(n.get('trackId')))) strays.push(id);
    });
    for (const id of strays) (notes.delete(id), out.removedNotes++);
    for (const t of doomedTracks) (tracks.delete(t), out.removedTracks++);
    for (const n of job.removedNotes) {
      if (notes.has(n.id) || !tracks.has(n.trackId)) continue;
      const ny = new Y.Map<unknown>();
      for (const k of ['trackId', 'pitch', 'start', 'duration', 'velocity'] as const) ny.set(k, n[k]);
      notes.set(n.id, ny);
      out.restoredNotes++;
    }
  }, origin);
  return out;
}

export type { Note, NoteId, TrackId };
