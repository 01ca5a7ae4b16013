// Versions of a score (issue 16): encoding a score as a compact Yjs state, comparing two scores
// note by note, and planning a restore of the whole score or of a range of bars and tracks.
// Pure functions over plain scores, plus one applier that writes a plan into a document in a
// single transaction under the caller's origin, so per-user undo takes the whole restore back.
import * as Y from 'yjs';
import { metaMap, notesMap, readScore, tracksMap } from './doc';
import { newNoteId } from './ids';
import { timeSignaturesOf } from './tempo-map';
import { noteSchema, parseOrThrow, ticksPerBar, type Meta, type Note, type NoteData, type NoteId, type Score, type Track, type TrackData, type TrackId } from './types';

const NOTE_FIELDS = ['trackId', 'pitch', 'start', 'duration', 'velocity'] as const;
const TRACK_FIELDS = ['name', 'instrument', 'color', 'role', 'muted', 'solo', 'volume', 'order'] as const;

/** The score as a fresh document's full state: no edit history, no tombstones, same note and track ids. */
export function scoreToState(score: Score): Uint8Array {
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      const meta = metaMap(doc);
      for (const [k, v] of Object.entries(score.meta)) if (v !== undefined) meta.set(k, v);
      const tracks = tracksMap(doc);
      for (const t of score.tracks) {
        const y = new Y.Map<unknown>();
        for (const k of TRACK_FIELDS) y.set(k, t[k]);
        tracks.set(t.id, y);
      }
      const notes = notesMap(doc);
      for (const n of score.notes) {
        const y = new Y.Map<unknown>();
        for (const k of NOTE_FIELDS) y.set(k, n[k]);
        notes.set(n.id, y);
      }
    });
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

/** Reads a state written by scoreToState (or any session state) back into a plain score. */
export function scoreFromState(state: Uint8Array): Score {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, state);
    return readScore(doc);
  } finally {
    doc.destroy();
  }
}

/** What makes two notes sound the same, whatever their ids. */
export const noteContentKey = (n: NoteData): string => `${n.trackId}|${n.pitch}|${n.start}|${n.duration}|${n.velocity}`;

const sameNote = (a: NoteData, b: NoteData): boolean => NOTE_FIELDS.every((k) => a[k] === b[k]);

export interface NoteDiff {
  /** In `after`, not in `before`. */
  added: Note[];
  /** In `before`, not in `after`. */
  removed: Note[];
  /** The same note (id) with another pitch, time, length, velocity or track. */
  changed: { before: Note; after: Note }[];
  unchanged: number;
}

/**
 * How `after` differs from `before`, note by note. Notes are matched by id; what is left is matched
 * by content, so a note deleted and drawn again in the same place is not reported as a change.
 */
export function diffNotes(before: readonly Note[], after: readonly Note[]): NoteDiff {
  const beforeById = new Map(before.map((n) => [n.id, n]));
  const changed: NoteDiff['changed'] = [];
  let unchanged = 0;
  const addedCandidates: Note[] = [];
  const matched = new Set<NoteId>();
  for (const a of after) {
    const b = beforeById.get(a.id);
    if (!b) {
      addedCandidates.push(a);
      continue;
    }
    matched.add(a.id);
    if (sameNote(a, b)) unchanged++;
    else changed.push({ before: b, after: a });
  }
  const removedByContent = new Map<string, Note[]>();
  for (const b of before) {
    if (matched.has(b.id)) continue;
    const k = noteContentKey(b);
    const list = removedByContent.get(k);
    if (list) list.push(b);
    else removedByContent.set(k, [b]);
  }
  const added: Note[] = [];
  for (const a of addedCandidates) {
    const twin = removedByContent.get(noteContentKey(a))?.pop();
    if (twin) unchanged++;
    else added.push(a);
  }
  const removed = [...removedByContent.values()].flat();
  return { added, removed, changed, unchanged };
}

/** Bars are numbered from 1, as on the ruler; `toBar` is included. */
export interface BarRange {
  fromBar: number;
  toBar: number;
}

export interface RestoreRange extends Partial<BarRange> {
  /** Only these tracks (default: all). */
  trackIds?: readonly string[];
}

/** The tick where bar `bar` (1-based) starts, following metre changes. */
export function barStartTick(meta: Pick<Meta, 'bpm' | 'timeSignature' | 'timeSignatures'>, bar: number): number {
  const sigs = timeSignaturesOf(meta);
  let first = 1; // number of the first bar of segment i
  for (let i = 0; i < sigs.length; i++) {
    const s = sigs[i]!;
    const len = ticksPerBar([s.numerator, s.denominator]);
    const next = sigs[i + 1]?.tick;
    const bars = next === undefined ? Infinity : Math.max(1, Math.ceil((next - s.tick) / len));
    if (bar < first + bars) return s.tick + Math.max(0, bar - first) * len;
    first += bars;
  }
  return 0;
}

/** [from, to) ticks of a bar range, or the whole timeline when no bars are given. */
export function rangeTicks(meta: Pick<Meta, 'bpm' | 'timeSignature' | 'timeSignatures'>, range?: RestoreRange): [number, number] {
  if (!range || range.fromBar === undefined || range.toBar === undefined) return [0, Infinity];
  const from = Math.max(1, Math.floor(Math.min(range.fromBar, range.toBar)));
  const to = Math.max(from, Math.floor(Math.max(range.fromBar, range.toBar)));
  return [barStartTick(meta, from), barStartTick(meta, to + 1)];
}

/** A note belongs to a range when it starts inside it, on one of its tracks. */
export function inRange(n: Note, ticks: [number, number], trackIds?: ReadonlySet<string>): boolean {
  return n.start >= ticks[0] && n.start < ticks[1] && (!trackIds || trackIds.has(n.trackId));
}

export interface RestorePlan {
  deletes: NoteId[];
  /** `id` null: the version's id is taken by a note living outside the range, so a fresh one is used. */
  adds: (NoteData & { id: NoteId | null })[];
  updates: { id: NoteId; patch: Partial<NoteData> }[];
  addTracks: Track[];
  deleteTracks: TrackId[];
  trackUpdates: { id: TrackId; patch: Partial<TrackData> }[];
  /** Meta fields to write; undefined = remove the field (e.g. a tempo map the version did not have). */
  meta: Partial<Record<keyof Meta, unknown>>;
}

export const planSize = (p: RestorePlan): number =>
  p.deletes.length + p.adds.length + p.updates.length + p.addTracks.length + p.deleteTracks.length + p.trackUpdates.length + Object.keys(p.meta).length;

/**
 * What to change in `current` so it looks like `version`: everywhere (no range: notes, tracks and
 * the musical meta; the title stays), or only for the notes starting in a bar range on some
 * tracks (bars counted in the current score's metre). Nothing outside the range is touched; a
 * track that a restored note needs but that was deleted since comes back.
 */
export function planRestore(current: Score, version: Score, range?: RestoreRange): RestorePlan {
  const whole = !range || ((range.fromBar === undefined || range.toBar === undefined) && !range.trackIds);
  const ticks = rangeTicks(current.meta, range);
  const trackSet = range?.trackIds ? new Set(range.trackIds) : undefined;
  const pick = (n: Note) => inRange(n, ticks, trackSet);
  const curIn = current.notes.filter(pick);
  const verIn = version.notes.filter(pick);
  const curIds = new Set(current.notes.map((n) => n.id));
  const verInById = new Map(verIn.map((n) => [n.id, n]));

  const updates: RestorePlan['updates'] = [];
  const deleteCandidates: Note[] = [];
  const matched = new Set<NoteId>();
  for (const c of curIn) {
    const v = verInById.get(c.id);
    if (!v) {
      deleteCandidates.push(c);
      continue;
    }
    matched.add(c.id);
    const patch: Partial<NoteData> = {};
    for (const k of NOTE_FIELDS) if (c[k] !== v[k]) (patch as Record<string, unknown>)[k] = v[k];
    if (Object.keys(patch).length > 0) updates.push({ id: c.id, patch });
  }
  // A note to delete and one to add that sound the same cancel out: the current note stays.
  const deletable = new Map<string, Note[]>();
  for (const c of deleteCandidates) {
    const k = noteContentKey(c);
    const list = deletable.get(k);
    if (list) list.push(c);
    else deletable.set(k, [c]);
  }
  const adds: RestorePlan['adds'] = [];
  for (const v of verIn) {
    if (matched.has(v.id)) continue;
    if (deletable.get(noteContentKey(v))?.pop()) continue;
    const { id, ...data } = v;
    adds.push({ ...data, id: curIds.has(id) ? null : id });
  }
  const deletes = [...deletable.values()].flat().map((n) => n.id);

  const curTracks = new Map(current.tracks.map((t) => [t.id, t]));
  const verTracks = new Map(version.tracks.map((t) => [t.id, t]));
  const addTracks: Track[] = [];
  const deleteTracks: TrackId[] = [];
  const trackUpdates: RestorePlan['trackUpdates'] = [];
  const meta: RestorePlan['meta'] = {};
  if (whole) {
    for (const t of version.tracks) {
      const c = curTracks.get(t.id);
      if (!c) {
        addTracks.push(t);
        continue;
      }
      const patch: Partial<TrackData> = {};
      for (const k of TRACK_FIELDS) if (c[k] !== t[k]) (patch as Record<string, unknown>)[k] = t[k];
      if (Object.keys(patch).length > 0) trackUpdates.push({ id: t.id, patch });
    }
    for (const t of current.tracks) if (!verTracks.has(t.id)) deleteTracks.push(t.id);
    for (const k of new Set([...Object.keys(current.meta), ...Object.keys(version.meta)]) as Set<keyof Meta>) {
      if (k === 'title') continue;
      if (JSON.stringify(current.meta[k]) !== JSON.stringify(version.meta[k])) meta[k] = version.meta[k];
    }
  } else {
    for (const a of adds) {
      if (curTracks.has(a.trackId) || addTracks.some((t) => t.id === a.trackId)) continue;
      const t = verTracks.get(a.trackId);
      if (t) addTracks.push(t);
    }
  }
  return { deletes, adds, updates, addTracks, deleteTracks, trackUpdates, meta };
}

/** Writes a restore plan into `doc` as one transaction with `origin`. Returns the number of changes. */
export function applyRestorePlan(doc: Y.Doc, plan: RestorePlan, origin: unknown = null): number {
  const adds = plan.adds.map((a) => ({ id: a.id, data: parseOrThrow(noteSchema, { trackId: a.trackId, pitch: a.pitch, start: a.start, duration: a.duration, velocity: a.velocity }, 'note') }));
  doc.transact(() => {
    const tracks = tracksMap(doc);
    for (const t of plan.addTracks) {
      if (tracks.has(t.id)) continue;
      const y = new Y.Map<unknown>();
      for (const k of TRACK_FIELDS) y.set(k, t[k]);
      tracks.set(t.id, y);
    }
    for (const { id, patch } of plan.trackUpdates) {
      const y = tracks.get(id);
      if (y instanceof Y.Map) for (const [k, v] of Object.entries(patch)) y.set(k, v);
    }
    const notes = notesMap(doc);
    for (const id of plan.deletes) notes.delete(id);
    for (const { id, patch } of plan.updates) {
      const y = notes.get(id);
      if (y instanceof Y.Map) for (const [k, v] of Object.entries(patch)) y.set(k, v);
    }
    for (const { id, data } of adds) {
      const y = new Y.Map<unknown>();
      for (const k of NOTE_FIELDS) y.set(k, data[k]);
      notes.set(id && !notes.has(id) ? id : newNoteId(), y);
    }
    for (const id of plan.deleteTracks) {
      // Notes of a deleted track that the plan did not cover (none, for a plan made from this doc).
      const orphans: string[] = [];
      notes.forEach((y, nid) => y instanceof Y.Map && y.get('trackId') === id && orphans.push(nid));
      for (const nid of orphans) notes.delete(nid);
      tracks.delete(id);
    }
    const meta = metaMap(doc);
    for (const [k, v] of Object.entries(plan.meta)) {
      if (v === undefined) meta.delete(k);
      else meta.set(k, v);
    }
  }, origin);
  return planSize(plan);
}
