// Editing commands: each turns a user action into pure lib/editing ops and writes the result in
// ONE Yjs transaction carrying this user's origin, so it syncs as one update and undoes as one step.
import * as Y from 'yjs';
import {
  addNotes,
  addTrack,
  deleteNotes,
  deleteTrack,
  readScore,
  setMeta,
  updateNotes,
  updateTrack,
  type Meta,
  type NoteData,
  type NoteId,
  type TrackData,
  type TrackId,
} from '@/lib/score';
import {
  copyNotes,
  duplicateNotes,
  moveNotes,
  nudgeVelocity,
  pasteClip,
  quantiseNotes,
  setVelocity,
  snapTicks,
  transposeNotes,
  type PatchMap,
} from '@/lib/editing';
import { scoreToMidi } from '@/lib/midi';
import type { Editor } from './editor';

const tx = (ed: Editor, fn: () => void) => ed.conn.doc.transact(fn, ed.conn.origin);

export const grid = (ed: Editor) => snapTicks(ed.ui.snap);
const selected = (ed: Editor) => ed.store.notesOf(ed.ui.selection);

/** The track new notes go to; creates one (in the caller's transaction) for an empty session. */
export function ensureTrack(ed: Editor): TrackId {
  const active = ed.store.track(ed.ui.activeTrackId);
  if (active) return active.id;
  if (ed.store.tracks[0]) return ed.store.tracks[0].id;
  const t = addTrack(ed.conn.doc, { name: 'Melody', role: 'melody' }, ed.conn.origin);
  ed.setUi({ activeTrackId: t.id });
  return t.id;
}

export function drawNote(ed: Editor, data: Omit<NoteData, 'trackId'>): NoteId | null {
  let id: NoteId | null = null;
  tx(ed, () => {
    const trackId = ensureTrack(ed);
    id = addNotes(ed.conn.doc, [{ ...data, trackId }], ed.conn.origin)[0]!.id;
  });
  if (id) ed.setSelection([id]);
  return id;
}

export function applyPatches(ed: Editor, patches: PatchMap): void {
  if (patches.size) updateNotes(ed.conn.doc, patches, ed.conn.origin);
}

export function moveSelection(ed: Editor, dTicks: number, dPitch: number): void {
  applyPatches(ed, moveNotes(selected(ed), dTicks, dPitch));
}

export function transposeSelection(ed: Editor, semitones: number): void {
  applyPatches(ed, transposeNotes(selected(ed), semitones));
}

export function deleteSelection(ed: Editor): void {
  const ids = [...ed.ui.selection];
  if (!ids.length) return;
  deleteNotes(ed.conn.doc, ids, ed.conn.origin);
  ed.setSelection([]);
}

export function copySelection(ed: Editor): void {
  ed.clipboard = copyNotes(selected(ed));
}

export function cutSelection(ed: Editor): void {
  copySelection(ed);
  deleteSelection(ed);
}

/** Pastes at the playhead into the active track and selects the pasted notes. */
export function paste(ed: Editor): void {
  if (!ed.clipboard) return;
  const clip = ed.clipboard;
  let ids: NoteId[] = [];
  tx(ed, () => {
    const trackId = ensureTrack(ed);
    ids = addNotes(ed.conn.doc, pasteClip(clip, ed.playheadTick, trackId), ed.conn.origin).map((n) => n.id);
  });
  ed.setSelection(ids);
}

export function duplicateSelection(ed: Editor): void {
  const notes = selected(ed);
  if (!notes.length) return;
  const added = addNotes(ed.conn.doc, duplicateNotes(notes, Math.max(grid(ed), ed.beatTicks)), ed.conn.origin);
  ed.setSelection(added.map((n) => n.id));
}

/** Quantises the selection, or the whole active track when nothing is selected. */
export function quantise(ed: Editor): void {
  const notes = ed.ui.selection.size ? selected(ed) : [...ed.store.notes.values()].filter((n) => n.trackId === ed.ui.activeTrackId);
  const g = grid(ed) || snapTicks('1/16');
  const patches = quantiseNotes(notes, g);
  applyPatches(ed, patches);
  ed.toast(patches.size ? `Quantised ${patches.size} note${patches.size === 1 ? '' : 's'} to ${ed.ui.snap === 'off' ? '1/16' : ed.ui.snap}` : 'Already on the grid');
}

export function setSelectionVelocity(ed: Editor, velocity: number): void {
  applyPatches(ed, setVelocity(selected(ed), velocity));
}

export function nudgeSelectionVelocity(ed: Editor, delta: number): void {
  applyPatches(ed, nudgeVelocity(selected(ed), delta));
}

export function selectAll(ed: Editor): void {
  const t = ed.ui.activeTrackId;
  ed.setSelection([...ed.store.notes.values()].filter((n) => n.trackId === t).map((n) => n.id));
}

export function undo(ed: Editor): void {
  ed.conn.undo.undo();
}

export function redo(ed: Editor): void {
  ed.conn.undo.redo();
}

export function newTrack(ed: Editor, patch: Partial<TrackData> = {}): void {
  const t = addTrack(ed.conn.doc, patch, ed.conn.origin);
  ed.setUi({ activeTrackId: t.id });
}

export function editTrack(ed: Editor, id: TrackId, patch: Partial<TrackData>): void {
  try {
    updateTrack(ed.conn.doc, id, patch, ed.conn.origin);
  } catch (err) {
    ed.toast(err instanceof Error ? err.message : String(err), 'error');
  }
}

export function removeTrack(ed: Editor, id: TrackId): void {
  deleteTrack(ed.conn.doc, id, ed.conn.origin);
}

/** Moves a track one place up or down by giving it an order between its new neighbours. */
export function reorderTrack(ed: Editor, id: TrackId, dir: -1 | 1): void {
  const list = ed.store.tracks;
  const i = list.findIndex((t) => t.id === id);
  const j = i + dir;
  if (i < 0 || j < 0 || j >= list.length) return;
  const beyond = list[j + dir];
  const order = beyond ? (list[j]!.order + beyond.order) / 2 : list[j]!.order + dir;
  editTrack(ed, id, { order });
}

export function editMeta(ed: Editor, patch: Partial<Meta>): void {
  try {
    setMeta(ed.conn.doc, patch, ed.conn.origin);
  } catch (err) {
    ed.toast(err instanceof Error ? err.message : String(err), 'error');
  }
}

/** Imports a .mid file in batches that each fit the message limit (midi-import.ts). */
export { importMidi } from './midi-import';

export function exportMidi(ed: Editor): { bytes: Uint8Array; name: string } {
  const score = readScore(ed.conn.doc);
  const base = (score.meta.title || 'tutti').replace(/[^\w\- ]+/g, '').trim() || 'tutti';
  return { bytes: scoreToMidi(score), name: `${base}.mid` };
}

export function isLocalOrigin(ed: Editor, tr: Y.Transaction): boolean {
  return tr.origin === ed.conn.origin;
}
