// AI suggestions in the shared document (issue 13). A finished job does not edit the score: it
// lands as a suggestion everyone can see, audition, accept or dismiss. An additive top-level type:
//   suggestions  Y.Map  suggestionId -> Y.Map(requestId, index, jobId, model, modelVersion, task,
//                knobs (JSON), seed, requesterId, requesterName, createdAt, bars, sourceTrackId,
//                status, decidedBy, decidedAt, notes (JSON), remove (JSON), voices (JSON))
// Only the server creates entries and writes their payload; a participant may only decide one —
// status pending → accepted | dismissed, with decidedBy/decidedAt — which the update guard
// enforces (server/sync/update-guard.ts via CLIENT_SUGGESTION_FIELDS). Accepting writes the notes
// in ONE transaction with the status, under the accepter's origin, so their Ctrl+Z undoes it.
import * as Y from 'yjs';
import { z } from 'zod';
import { notesMap, readScore, tracksMap } from './doc';
import { newNoteId, newTrackId } from './ids';
import { idSchema, INSTRUMENTS, noteSchema, ticksPerBar, trackSchema, type Note, type NoteData, type NoteId, type Score, type Track, type TrackData, type TrackId } from './types';

export const SUGGESTION_STATUSES = ['pending', 'accepted', 'dismissed'] as const;
export type SuggestionStatus = (typeof SUGGESTION_STATUSES)[number];
/** The voices accompaniment tracks are found by again (track.aiVoice). */
export const SUGGESTION_VOICES = ['soprano', 'alto', 'tenor', 'bass'] as const;
export type Voice = (typeof SUGGESTION_VOICES)[number];

/** Most notes one suggestion may carry (a long four-voice harmonisation stays far below). */
export const MAX_SUGGESTION_NOTES = 20_000;
/** How many suggestions a document keeps; the oldest decided ones go first. */
export const MAX_SUGGESTIONS_IN_DOC = 40;

export const suggestionsMap = (doc: Y.Doc): Y.Map<Y.Map<unknown>> => doc.getMap('suggestions');

const voiceName = z.string().min(1).max(24);
export const suggestionNoteSchema = z
  .object({
    /** 'alto', 'tenor', … for notes that go to accompaniment voice tracks (trackId null). */
    voice: voiceName,
    /** An existing track the note goes into (rewrite/infill/continue); null: the voice's accompaniment track. */
    trackId: idSchema.nullable(),
    pitch: noteSchema.shape.pitch,
    start: noteSchema.shape.start,
    duration: noteSchema.shape.duration,
    velocity: noteSchema.shape.velocity,
  })
  .strict();
export type SuggestionNote = z.infer<typeof suggestionNoteSchema>;

export const suggestionVoiceSchema = z.object({ voice: voiceName, name: z.string().min(1).max(100), instrument: z.enum(INSTRUMENTS) }).strict();
export type SuggestionVoice = z.infer<typeof suggestionVoiceSchema>;

const json = <T>(schema: z.ZodType<T>) =>
  z.string().transform((s, ctx): T => {
    try {
      const r = schema.safeParse(JSON.parse(s));
      if (r.success) return r.data;
      ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? 'invalid' });
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON' });
    }
    return z.NEVER;
  });

const ms = z.number().int().min(0);
/** Every field of a suggestion entry as the document stores it (JSON strings decoded). */
export const SUGGESTION_FIELDS = {
  requestId: idSchema,
  index: z.number().int().min(0).max(15),
  jobId: idSchema,
  model: z.string().min(1).max(40),
  modelVersion: z.string().max(80),
  task: z.string().min(1).max(40),
  knobs: json(z.record(z.string().max(40), z.union([z.number(), z.boolean(), z.string().max(64)]))),
  seed: z.number().int().min(0),
  requesterId: z.string().max(64),
  requesterName: z.string().max(60),
  createdAt: ms,
  bars: z.tuple([z.number().int().min(0), z.number().int().min(1)]).nullable(),
  sourceTrackId: idSchema,
  status: z.enum(SUGGESTION_STATUSES),
  decidedBy: z.string().max(64).nullable(),
  decidedAt: ms.nullable(),
  notes: json(z.array(suggestionNoteSchema).max(MAX_SUGGESTION_NOTES)),
  remove: json(z.array(idSchema).max(MAX_SUGGESTION_NOTES)),
  voices: json(z.array(suggestionVoiceSchema).max(16)),
} as const;
export type SuggestionField = keyof typeof SUGGESTION_FIELDS;

/** The only fields a participant may write, and only to decide a pending suggestion. */
export const CLIENT_SUGGESTION_FIELDS = ['status', 'decidedBy', 'decidedAt'] as const;

const suggestionSchema = z.object(SUGGESTION_FIELDS).strict();
export type Suggestion = z.infer<typeof suggestionSchema> & { id: string };

/** What the server writes (plain values; JSON fields as values, encoded on write). */
export interface NewSuggestion {
  requestId: string;
  index: number;
  jobId: string;
  model: string;
  modelVersion: string;
  task: string;
  knobs: Record<string, number | boolean | string>;
  seed: number;
  requesterId: string;
  requesterName: string;
  createdAt: number;
  bars: [number, number] | null;
  sourceTrackId: string;
  notes: SuggestionNote[];
  remove: string[];
  voices: SuggestionVoice[];
}

/** null when a suggestion's field may hold `value`; else why not. */
export function suggestionFieldProblem(field: string, value: unknown): string | null {
  const s = (SUGGESTION_FIELDS as Record<string, z.ZodType>)[field];
  if (!s || !Object.hasOwn(SUGGESTION_FIELDS, field)) return `unknown suggestion field "${field.slice(0, 40)}"`;
  return s.safeParse(value).success ? null : `invalid suggestion field ${field}`;
}

export function readSuggestion(id: string, y: unknown): Suggestion | null {
  if (!(y instanceof Y.Map)) return null;
  const raw: Record<string, unknown> = {};
  y.forEach((v, k) => (raw[k] = v));
  const r = suggestionSchema.safeParse(raw);
  return r.success ? { ...r.data, id } : null;
}

/** All valid suggestions, newest request first, candidates of a request in index order. */
export function readSuggestions(doc: Y.Doc): Suggestion[] {
  const out: Suggestion[] = [];
  suggestionsMap(doc).forEach((y, id) => {
    const s = readSuggestion(id, y);
    if (s) out.push(s);
  });
  return out.sort((a, b) => b.createdAt - a.createdAt || (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : a.index - b.index));
}

export const getSuggestion = (doc: Y.Doc, id: string): Suggestion | null => readSuggestion(id, suggestionsMap(doc).get(id));

/** Writes a new suggestion (server only), validated first; prunes the oldest decided ones past the cap. */
export function writeSuggestion(doc: Y.Doc, id: string, s: NewSuggestion, origin: unknown = null): void {
  const fields: Record<string, unknown> = {
    ...s,
    knobs: JSON.stringify(s.knobs),
    notes: JSON.stringify(s.notes),
    remove: JSON.stringify(s.remove),
    voices: JSON.stringify(s.voices),
    status: 'pending',
    decidedBy: null,
    decidedAt: null,
  };
  const problems = Object.entries(fields)
    .map(([k, v]) => suggestionFieldProblem(k, v))
    .filter(Boolean);
  idSchema.parse(id);
  if (problems.length) throw new Error(`invalid suggestion: ${problems.join('; ')}`);
  doc.transact(() => {
    const y = new Y.Map<unknown>();
    for (const [k, v] of Object.entries(fields)) y.set(k, v);
    suggestionsMap(doc).set(id, y);
    // Past the cap the oldest decided suggestions go; past twice the cap, the oldest undecided too.
    let over = suggestionsMap(doc).size - MAX_SUGGESTIONS_IN_DOC;
    if (over > 0) {
      const all = readSuggestions(doc).filter((x) => x.id !== id);
      const decided = all.filter((x) => x.status !== 'pending').slice(-over);
      for (const d of decided) suggestionsMap(doc).delete(d.id);
      over = suggestionsMap(doc).size - 2 * MAX_SUGGESTIONS_IN_DOC;
      if (over > 0) for (const d of all.filter((x) => x.status === 'pending').slice(-over)) suggestionsMap(doc).delete(d.id);
    }
  }, origin);
}

// ---------------------------------------------------------------------------------------------
// Where a suggestion's notes go

export interface PlannedTrack extends TrackData {
  id: TrackId;
  aiVoice?: Voice;
}

export interface AcceptPlan {
  /** Accompaniment voice tracks to create (a voice with no track yet). */
  createTracks: PlannedTrack[];
  /** Notes to write, each with its suggestionId. */
  add: (NoteData & { suggestionId: string })[];
  /** Notes to remove: still present, and the suggestion replaces them. */
  remove: NoteId[];
  /** Suggestion notes left out because their target track is gone. */
  skipped: number;
}

const isVoice = (v: string): v is Voice => (SUGGESTION_VOICES as readonly string[]).includes(v);
const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A track name not yet used in the score (case-insensitive): "Alto", else "Alto 2", "Alto 3", … */
export function uniqueTrackName(base: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((n) => n.trim().toLowerCase()));
  if (!used.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) if (!used.has(`${base} ${i}`.toLowerCase())) return `${base} ${i}`;
}

/** Colours new AI tracks are picked from: saturated, mutually distinguishable on the dark roll. */
export const AI_TRACK_PALETTE = ['#e4572e', '#17bebb', '#ffc914', '#76b041', '#6c5ce7', '#fd79a8', '#2e86de', '#a0522d', '#00b894', '#e17055', '#b2bec3', '#fdcb6e', '#0984e3', '#d63031', '#81ecec', '#a29bfe'];

const rgb = (hex: string): [number, number, number] => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
/** Perceptual-ish distance between two colours ("redmean" weighted RGB). */
export function colourDistance(a: string, b: string): number {
  const [r1, g1, b1] = rgb(a);
  const [r2, g2, b2] = rgb(b);
  const rm = (r1 + r2) / 2;
  return Math.sqrt((2 + rm / 256) * (r1 - r2) ** 2 + 4 * (g1 - g2) ** 2 + (2 + (255 - rm) / 256) * (b1 - b2) ** 2);
}

/** The palette colour farthest from every colour already in use (first in palette order on ties). */
export function distinctColour(used: readonly string[]): string {
  let best = AI_TRACK_PALETTE[0]!;
  let bestD = -1;
  for (const c of AI_TRACK_PALETTE) {
    const d = used.length ? Math.min(...used.map((u) => colourDistance(c, u.toLowerCase()))) : Infinity;
    if (d > bestD) (best = c), (bestD = d);
  }
  return best;
}

/** The accompaniment track that holds a voice: by aiVoice first, lowest order first. */
export function voiceTrack(tracks: readonly Track[], voice: string): Track | undefined {
  return tracks.filter((t) => (t as Track & { aiVoice?: string }).aiVoice === voice).sort((a, b) => a.order - b.order)[0];
}

/** [from, to) ticks a suggestion is about: its bars, else the span of its notes. */
export function suggestionSpan(score: Pick<Score, 'meta'>, s: Pick<Suggestion, 'bars' | 'notes'>): [number, number] {
  if (s.bars) {
    const tpb = ticksPerBar(score.meta.timeSignature);
    return [s.bars[0] * tpb, s.bars[1] * tpb];
  }
  if (!s.notes.length) return [0, 0];
  return [Math.min(...s.notes.map((n) => n.start)), Math.max(...s.notes.map((n) => n.start + n.duration))];
}

/**
 * What accepting `s` would do to the score as it is now. Voice notes (trackId null) go to the
 * accompaniment track of their voice — created once (unique name, distinct colour, aiVoice set)
 * and reused by every later acceptance, where they replace that track's notes starting in the
 * suggestion's span. Notes for existing tracks (rewrite/infill/continue) go there if the track
 * still exists, and the notes the suggestion replaces are removed if still present.
 */
export function planAccept(score: Score, s: Suggestion, opts: { newId?: () => TrackId } = {}): AcceptPlan {
  const newId = opts.newId ?? newTrackId;
  const have = new Set<string>(score.tracks.map((t) => t.id));
  const names = score.tracks.map((t) => t.name);
  const colours = score.tracks.map((t) => t.color);
  let order = score.tracks.reduce((m, t) => Math.max(m, t.order), -1);
  const plan: AcceptPlan = { createTracks: [], add: [], remove: [], skipped: 0 };
  const trackOfVoice = new Map<string, TrackId>();
  const reused = new Set<TrackId>();
  for (const voice of [...new Set(s.notes.filter((n) => n.trackId === null).map((n) => n.voice))]) {
    const existing = voiceTrack(score.tracks, voice);
    if (existing) {
      trackOfVoice.set(voice, existing.id);
      reused.add(existing.id);
      continue;
    }
    const info = s.voices.find((v) => v.voice === voice);
    const name = uniqueTrackName(info?.name ?? title(voice), names);
    const color = distinctColour(colours);
    const t: PlannedTrack = trackSchema.parse({
      name,
      instrument: info?.instrument ?? 'piano',
      color,
      role: 'accompaniment',
      muted: false,
      solo: false,
      volume: 0.8,
      order: ++order,
      ...(isVoice(voice) ? { aiVoice: voice } : {}),
    }) as PlannedTrack;
    t.id = newId();
    names.push(name);
    colours.push(color);
    plan.createTracks.push(t);
    trackOfVoice.set(voice, t.id);
  }
  for (const n of s.notes) {
    const trackId = n.trackId === null ? trackOfVoice.get(n.voice)! : have.has(n.trackId) ? (n.trackId as TrackId) : null;
    if (!trackId) {
      plan.skipped++;
      continue;
    }
    plan.add.push({ trackId, pitch: n.pitch, start: n.start, duration: n.duration, velocity: n.velocity, suggestionId: s.id });
  }
  const present = new Set<string>(score.notes.map((n) => n.id));
  const remove = new Set<NoteId>(s.remove.filter((id) => present.has(id)) as NoteId[]);
  if (reused.size) {
    const [from, to] = suggestionSpan(score, s);
    for (const n of score.notes) if (reused.has(n.trackId) && n.start >= from && n.start < to) remove.add(n.id);
  }
  plan.remove = [...remove];
  return plan;
}

export interface DiffAgainstNow {
  /** Notes the suggestion would add that are not there already. */
  added: (NoteData & { suggestionId: string })[];
  /** Notes now in the score it would remove (and not put back identically). */
  removed: Note[];
  /** Planned notes identical to a note already there (same track, pitch, start, duration). */
  unchanged: number;
  /** Notes it would write into a track that is gone since. */
  skipped: number;
  /** Notes it meant to replace that someone already deleted or whose track is gone. */
  alreadyGone: number;
  /** Voice tracks accepting would create. */
  newTracks: number;
}

/** What the suggestion would change against the notes as they are now (the score may have moved on while the job ran). */
export function diffAgainstNow(score: Score, s: Suggestion): DiffAgainstNow {
  let i = 0;
  const plan = planAccept(score, s, { newId: () => `new-${i++}` as TrackId });
  const key = (n: { trackId: string; pitch: number; start: number; duration: number }) => `${n.trackId}|${n.pitch}|${n.start}|${n.duration}`;
  const removing = new Set<string>(plan.remove);
  const byId = new Map(score.notes.map((n) => [n.id as string, n]));
  const removedNotes = plan.remove.map((id) => byId.get(id)!);
  const removedKeys = new Map<string, number>();
  for (const n of removedNotes) removedKeys.set(key(n), (removedKeys.get(key(n)) ?? 0) + 1);
  const standing = new Set(score.notes.filter((n) => !removing.has(n.id)).map(key));
  const added: DiffAgainstNow['added'] = [];
  let unchanged = 0;
  for (const n of plan.add) {
    const k = key(n);
    const r = removedKeys.get(k) ?? 0;
    if (r > 0) {
      removedKeys.set(k, r - 1);
      unchanged++;
    } else if (standing.has(k)) unchanged++;
    else added.push(n);
  }
  const removed = removedNotes.filter((n) => {
    const r = removedKeys.get(key(n)) ?? 0;
    if (r > 0) {
      removedKeys.set(key(n), r - 1);
      return true;
    }
    return false;
  });
  return { added, removed, unchanged, skipped: plan.skipped, alreadyGone: s.remove.length - s.remove.filter((id) => byId.has(id)).length, newTracks: plan.createTracks.length };
}

export type DecideOutcome = { ok: true; addedNoteIds: NoteId[]; createdTrackIds: TrackId[]; removedNoteIds: NoteId[] } | { ok: false; reason: string };

/**
 * Accepts a pending suggestion: creates the voice tracks it needs, removes what it replaces,
 * writes its notes (each with suggestionId) and marks it accepted by `participantId`, all in ONE
 * transaction under `origin` — the accepter's undo origin, so their Ctrl+Z takes it back.
 */
export function acceptSuggestion(doc: Y.Doc, id: string, participantId: string, origin: unknown, now = Date.now()): DecideOutcome {
  const s = getSuggestion(doc, id);
  if (!s) return { ok: false, reason: 'no such suggestion' };
  if (s.status !== 'pending') return { ok: false, reason: `this suggestion was already ${s.status}` };
  const plan = planAccept(readScore(doc), s);
  const addedNoteIds: NoteId[] = [];
  doc.transact(() => {
    const tracks = tracksMap(doc);
    for (const t of plan.createTracks) {
      const y = new Y.Map<unknown>();
      for (const [k, v] of Object.entries(t)) if (k !== 'id' && v !== undefined) y.set(k, v);
      tracks.set(t.id, y);
    }
    const notes = notesMap(doc);
    for (const nid of plan.remove) notes.delete(nid);
    for (const n of plan.add) {
      const nid = newNoteId();
      const y = new Y.Map<unknown>();
      for (const k of ['trackId', 'pitch', 'start', 'duration', 'velocity', 'suggestionId'] as const) y.set(k, n[k]);
      notes.set(nid, y);
      addedNoteIds.push(nid);
    }
    decide(doc, id, 'accepted', participantId, now);
  }, origin);
  return { ok: true, addedNoteIds, createdTrackIds: plan.createTracks.map((t) => t.id), removedNoteIds: plan.remove };
}

/** Dismisses a pending suggestion (one transaction under `origin`). */
export function dismissSuggestion(doc: Y.Doc, id: string, participantId: string, origin: unknown, now = Date.now()): DecideOutcome {
  const s = getSuggestion(doc, id);
  if (!s) return { ok: false, reason: 'no such suggestion' };
  if (s.status !== 'pending') return { ok: false, reason: `this suggestion was already ${s.status}` };
  doc.transact(() => decide(doc, id, 'dismissed', participantId, now), origin);
  return { ok: true, addedNoteIds: [], createdTrackIds: [], removedNoteIds: [] };
}

function decide(doc: Y.Doc, id: string, status: SuggestionStatus, participantId: string, now: number): void {
  const y = suggestionsMap(doc).get(id)!;
  y.set('status', status);
  y.set('decidedBy', participantId.slice(0, 64));
  y.set('decidedAt', Math.max(0, Math.round(now)));
}

/** Ids of the notes now in the score that an accepted suggestion wrote ("select this suggestion's notes"). */
export function notesOfSuggestion(score: Pick<Score, 'notes'>, suggestionId: string): NoteId[] {
  return score.notes.filter((n) => n.suggestionId === suggestionId).map((n) => n.id);
}


