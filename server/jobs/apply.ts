// Writes a generator's result into a session's Y.Doc as ONE transaction whose origin names the job,
// so it syncs and persists like any edit and can be recognised (and undone) as a whole. Everything
// is validated before the transaction starts, because a Yjs transaction cannot be rolled back:
// a bad note fails the job and leaves the document untouched.
import type * as Y from 'yjs';
import {
  addNotes,
  addTrack,
  deleteNotes,
  notesMap,
  noteSchema,
  parseOrThrow,
  readNote,
  tracksMap,
  writeJobState,
  type Note,
  type NoteData,
  type TrackId,
} from '../../lib/score';
import type { GenerateResult } from '../../models/generator';

export interface AppliedResult {
  addedNoteIds: string[];
  addedTrackIds: string[];
  removedNotes: Note[];
  /** Notes dropped because their target track was deleted while the job ran. */
  skippedNotes: number;
}

export class ResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultError';
  }
}

export interface ApplyOptions {
  /** Also mark this job done (with the ids written) inside the same transaction. */
  jobId?: string;
  finishedAt?: number;
  maxNotes?: number;
}

export function applyResult(doc: Y.Doc, result: GenerateResult, origin: string, opts: ApplyOptions = {}): AppliedResult {
  const maxNotes = opts.maxNotes ?? 20_000;
  if (result.add.length > maxNotes) throw new ResultError(`the model returned ${result.add.length} notes (limit ${maxNotes})`);
  const refs = new Set(result.newTracks.map((t) => t.ref));
  if (refs.size !== result.newTracks.length) throw new ResultError('the model returned two new tracks with the same ref');
  for (const n of result.add) parseOrThrow(noteSchema, n, 'generated note');

  const tracks = tracksMap(doc);
  const notes = notesMap(doc);
  // Only create tracks that will receive notes, and only keep notes whose track still exists.
  const used = new Set(result.add.map((n) => n.trackId as string));
  const keep = result.add.filter((n) => refs.has(n.trackId) || tracks.has(n.trackId));
  const out: AppliedResult = { addedNoteIds: [], addedTrackIds: [], removedNotes: [], skippedNotes: result.add.length - keep.length };

  doc.transact(() => {
    const idOfRef = new Map<string, TrackId>();
    for (const t of result.newTracks) {
      if (!used.has(t.ref)) continue;
      const track = addTrack(doc, { name: t.name.slice(0, 100) || 'AI track', instrument: t.instrument, role: t.role }, origin);
      idOfRef.set(t.ref, track.id);
      out.addedTrackIds.push(track.id);
    }
    const toRemove = result.remove.filter((id) => notes.has(id));
    for (const id of toRemove) {
      const n = readNote(id, notes.get(id)!);
      if (n) out.removedNotes.push(n);
    }
    deleteNotes(doc, toRemove, origin);
    const data: NoteData[] = keep.map((n) => ({ ...n, trackId: idOfRef.get(n.trackId) ?? n.trackId }));
    out.addedNoteIds = addNotes(doc, data, origin).map((n) => n.id);
    if (opts.jobId)
      writeJobState(
        doc,
        opts.jobId,
        {
          status: 'done',
          progress: 1,
          finishedAt: opts.finishedAt ?? Date.now(),
          error: null,
          addedNoteIds: out.addedNoteIds,
          addedTrackIds: out.addedTrackIds,
          removedNotes: out.removedNotes,
        },
        origin,
      );
  }, origin);
  return out;
}
