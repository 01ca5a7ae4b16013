// The shared document's layout, one Y.Doc per session:
//   meta   Y.Map  title, bpm, timeSignature, key, lengthBars, schemaVersion, tempos?, timeSignatures?
//   tracks Y.Map  trackId -> Y.Map(name, instrument, color, role, muted, solo, volume, order, aiVoice?)
//   notes  Y.Map  noteId  -> Y.Map(trackId, pitch, start, duration, velocity, suggestionId?)
// Notes are keyed by stable ids, never positions, so concurrent inserts and moves from different
// peers touch different keys and merge without conflicts. Each note is its own Y.Map so that a
// concurrent move (start) and transpose (pitch) of the same note both survive.
import * as Y from 'yjs';
import {
  DEFAULT_META,
  metaSchema,
  noteSchema,
  trackSchema,
  type Meta,
  type Note,
  type NoteId,
  type Score,
  type Track,
  type TrackId,
} from './types';

export type YNote = Y.Map<unknown>;
export type YTrack = Y.Map<unknown>;

export const metaMap = (doc: Y.Doc): Y.Map<unknown> => doc.getMap('meta');
export const tracksMap = (doc: Y.Doc): Y.Map<YTrack> => doc.getMap('tracks');
export const notesMap = (doc: Y.Doc): Y.Map<YNote> => doc.getMap('notes');

/** Reads meta, filling any missing or invalid field with its default (a fresh or older document). */
export function readMeta(doc: Y.Doc): Meta {
  const m = metaMap(doc);
  const out: Record<string, unknown> = { ...DEFAULT_META };
  // Every schema field, so the optional ones (tempos, timeSignatures) are read too.
  for (const key of Object.keys(metaSchema.shape) as (keyof Meta)[]) {
    const v = m.get(key);
    if (v === undefined) continue;
    const field = metaSchema.shape[key].safeParse(v);
    if (field.success) out[key] = field.data;
  }
  return out as Meta;
}

/**
 * Counts what the readers skipped: entries that are not valid (a value that is not a map, a
 * missing or out-of-range field). Readers never throw on such entries; they leave them out.
 */
export interface ReadStats {
  skipped: number;
}

/** Reads one note; returns null when a peer wrote something that is not a valid note. */
export function readNote(id: string, y: unknown): Note | null {
  if (!(y instanceof Y.Map)) return null;
  const r = noteSchema.safeParse({
    trackId: y.get('trackId'),
    pitch: y.get('pitch'),
    start: y.get('start'),
    duration: y.get('duration'),
    velocity: y.get('velocity'),
    ...(y.has('suggestionId') ? { suggestionId: y.get('suggestionId') } : {}),
  });
  return r.success ? ({ ...r.data, id: id as NoteId } as Note) : null;
}

export function readTrack(id: string, y: unknown): Track | null {
  if (!(y instanceof Y.Map)) return null;
  const r = trackSchema.safeParse({
    name: y.get('name'),
    instrument: y.get('instrument'),
    color: y.get('color'),
    role: y.get('role'),
    muted: y.get('muted'),
    solo: y.get('solo'),
    volume: y.get('volume'),
    order: y.get('order') ?? 0,
    ...(y.has('aiVoice') ? { aiVoice: y.get('aiVoice') } : {}),
  });
  return r.success ? ({ ...r.data, id: id as TrackId } as Track) : null;
}

export function readNotes(doc: Y.Doc, stats?: ReadStats): Note[] {
  const out: Note[] = [];
  notesMap(doc).forEach((y, id) => {
    const n = readNote(id, y);
    if (n) out.push(n);
    else if (stats) stats.skipped++;
  });
  return out.sort((a, b) => a.start - b.start || a.pitch - b.pitch || (a.id < b.id ? -1 : 1));
}

export function readTracks(doc: Y.Doc, stats?: ReadStats): Track[] {
  const out: Track[] = [];
  tracksMap(doc).forEach((y, id) => {
    const t = readTrack(id, y);
    if (t) out.push(t);
    else if (stats) stats.skipped++;
  });
  return out.sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : 1));
}

/** A plain snapshot of the whole document; invalid notes and tracks are left out and counted in `stats`. */
export function readScore(doc: Y.Doc, stats?: ReadStats): Score {
  return { meta: readMeta(doc), tracks: readTracks(doc, stats), notes: readNotes(doc, stats) };
}

/** readScore plus how many note and track entries it had to skip. */
export function readScoreReport(doc: Y.Doc): { score: Score; skipped: number } {
  const stats: ReadStats = { skipped: 0 };
  return { score: readScore(doc, stats), skipped: stats.skipped };
}

export function noteCount(doc: Y.Doc): number {
  return notesMap(doc).size;
}
