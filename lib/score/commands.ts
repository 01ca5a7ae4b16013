// Pure edits on the shared document. Each call is one Yjs transaction carrying the caller's origin,
// so a per-user Y.UndoManager (tracking only that origin) undoes exactly one user action at a time
// and never someone else's edit. Every value is validated before it is written.
import * as Y from 'yjs';
import { metaMap, notesMap, tracksMap, readMeta, readNote, readTrack, type YNote, type YTrack } from './doc';
import { newNoteId, newTrackId } from './ids';
import {
  DEFAULT_META,
  metaSchema,
  noteSchema,
  parseOrThrow,
  trackSchema,
  type Meta,
  type Note,
  type NoteData,
  type NoteId,
  type Track,
  type TrackData,
  type TrackId,
} from './types';

const TRACK_COLORS = ['#e4572e', '#17bebb', '#ffc914', '#76b041', '#6c5ce7', '#fd79a8', '#2e86de', '#a0522d'];

/** Writes defaults for any meta field that is missing; safe to call on every load. */
export function initScore(doc: Y.Doc, meta: Partial<Meta> = {}, origin: unknown = null): void {
  const m = metaMap(doc);
  const full = parseOrThrow(metaSchema, { ...DEFAULT_META, ...meta }, 'meta');
  doc.transact(() => {
    for (const [k, v] of Object.entries(full)) if (!m.has(k) || k in meta) m.set(k, v);
  }, origin);
}

export function setMeta(doc: Y.Doc, patch: Partial<Meta>, origin: unknown = null): Meta {
  const next = parseOrThrow(metaSchema, { ...readMeta(doc), ...patch }, 'meta');
  doc.transact(() => {
    for (const k of Object.keys(patch)) metaMap(doc).set(k, next[k as keyof Meta]);
  }, origin);
  return next;
}

function writeNote(y: YNote, data: NoteData): void {
  y.set('trackId', data.trackId);
  y.set('pitch', data.pitch);
  y.set('start', data.start);
  y.set('duration', data.duration);
  y.set('velocity', data.velocity);
  if (data.suggestionId !== undefined) y.set('suggestionId', data.suggestionId);
}

/** Adds notes (validated) in one transaction; returns them with their new ids. */
export function addNotes(doc: Y.Doc, notes: readonly NoteData[], origin: unknown = null): Note[] {
  const valid = notes.map((n) => parseOrThrow(noteSchema, n, 'note') as NoteData);
  const out: Note[] = [];
  doc.transact(() => {
    const map = notesMap(doc);
    for (const data of valid) {
      const id = newNoteId();
      const y = new Y.Map<unknown>();
      writeNote(y, data);
      map.set(id, y);
      out.push({ ...data, id });
    }
  }, origin);
  return out;
}

export function addNote(doc: Y.Doc, note: NoteData, origin: unknown = null): Note {
  return addNotes(doc, [note], origin)[0]!;
}

export type NotePatch = Partial<Omit<NoteData, 'trackId'>> & { trackId?: TrackId };

/**
 * Applies per-note patches in one transaction. Only the fields that change are written, so a
 * concurrent edit of another field of the same note by a peer is kept.
 */
export function updateNotes(doc: Y.Doc, patches: ReadonlyMap<NoteId, NotePatch> | Record<string, NotePatch>, origin: unknown = null): void {
  const entries = patches instanceof Map ? [...patches.entries()] : Object.entries(patches);
  const map = notesMap(doc);
  const planned: [YNote, NotePatch][] = [];
  for (const [id, patch] of entries) {
    const y = map.get(id);
    if (!y) continue; // deleted by a peer meanwhile: nothing to update
    const cur = readNote(id, y);
    if (!cur) continue;
    parseOrThrow(noteSchema, { ...cur, ...patch, id: undefined }, 'note');
    planned.push([y, patch]);
  }
  doc.transact(() => {
    for (const [y, patch] of planned)
      for (const [k, v] of Object.entries(patch)) if (v !== undefined && y.get(k) !== v) y.set(k, v);
  }, origin);
}

/** Moves notes by a time and pitch offset, clamped so no note leaves the valid range. */
export function moveNotes(doc: Y.Doc, ids: readonly NoteId[], dTicks: number, dPitch: number, origin: unknown = null): void {
  const map = notesMap(doc);
  const notes = ids.map((id) => map.get(id) && readNote(id, map.get(id)!)).filter((n): n is Note => !!n);
  if (notes.length === 0) return;
  const minStart = Math.min(...notes.map((n) => n.start));
  const minPitch = Math.min(...notes.map((n) => n.pitch));
  const maxPitch = Math.max(...notes.map((n) => n.pitch));
  const dt = Math.max(dTicks, -minStart);
  const dp = Math.min(Math.max(dPitch, -minPitch), 127 - maxPitch);
  const patches = new Map<NoteId, NotePatch>();
  for (const n of notes) patches.set(n.id, { start: n.start + dt, pitch: n.pitch + dp });
  updateNotes(doc, patches, origin);
}

export function resizeNote(doc: Y.Doc, id: NoteId, duration: number, origin: unknown = null): void {
  updateNotes(doc, new Map([[id, { duration: Math.max(1, Math.round(duration)) }]]), origin);
}

export function deleteNotes(doc: Y.Doc, ids: readonly NoteId[], origin: unknown = null): void {
  doc.transact(() => {
    const map = notesMap(doc);
    for (const id of ids) map.delete(id);
  }, origin);
}

// `fresh`: y is a new Y.Map not yet in the document; reading it would only log Yjs's
// "premature access" warning, and every field must be written anyway.
function writeTrack(y: YTrack, data: Partial<TrackData>, fresh = false): void {
  for (const [k, v] of Object.entries(data)) if (v !== undefined && (fresh || y.get(k) !== v)) y.set(k, v);
}

export function defaultTrack(index: number, patch: Partial<TrackData> = {}): TrackData {
  return {
    name: `Track ${index + 1}`,
    instrument: 'piano',
    color: TRACK_COLORS[index % TRACK_COLORS.length]!,
    role: index === 0 ? 'melody' : 'accompaniment',
    muted: false,
    solo: false,
    volume: 0.8,
    order: index,
    ...patch,
  };
}

export function addTrack(doc: Y.Doc, patch: Partial<TrackData> = {}, origin: unknown = null): Track {
  const tracks = tracksMap(doc);
  let maxOrder = -1;
  tracks.forEach((y) => {
    const order = y instanceof Y.Map ? Number(y.get('order') ?? 0) : NaN; // skip entries that are not tracks
    if (Number.isFinite(order)) maxOrder = Math.max(maxOrder, order);
  });
  const data = parseOrThrow(trackSchema, defaultTrack(tracks.size, { order: maxOrder + 1, ...patch }), 'track');
  const id = newTrackId();
  doc.transact(() => {
    const y = new Y.Map<unknown>();
    writeTrack(y, data, true);
    tracks.set(id, y);
  }, origin);
  return { ...data, id };
}

export function updateTrack(doc: Y.Doc, id: TrackId, patch: Partial<TrackData>, origin: unknown = null): void {
  const y = tracksMap(doc).get(id);
  if (!y) return;
  const cur = readTrack(id, y);
  if (!cur) return;
  parseOrThrow(trackSchema, { ...cur, ...patch, id: undefined }, 'track');
  doc.transact(() => writeTrack(y, patch), origin);
}

/** Deletes a track and all its notes in one transaction (so one undo brings both back). */
export function deleteTrack(doc: Y.Doc, id: TrackId, origin: unknown = null): void {
  doc.transact(() => {
    const notes = notesMap(doc);
    const doomed: string[] = [];
    notes.forEach((y, nid) => {
      if (y instanceof Y.Map && y.get('trackId') === id) doomed.push(nid);
    });
    for (const nid of doomed) notes.delete(nid);
    tracksMap(doc).delete(id);
  }, origin);
}
