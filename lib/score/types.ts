// The score's vocabulary: what a note, a track and the session's meta are, and the rules each field
// obeys. Every value that enters the shared document from outside (a user gesture, a MIDI file, a
// model's output) passes through these schemas first, so the document never holds an invalid field.
import { z } from 'zod';

/** Ticks per quarter note, the time base of the whole score (as in MIDI files and DAWs). */
export const PPQ = 480;
export const SCHEMA_VERSION = 1;

export type NoteId = string & { readonly __brand: 'NoteId' };
export type TrackId = string & { readonly __brand: 'TrackId' };

export const TRACK_ROLES = ['melody', 'accompaniment'] as const;
export type TrackRole = (typeof TRACK_ROLES)[number];

export const INSTRUMENTS = ['piano', 'strings', 'bass', 'organ', 'pad', 'drums', 'lead', 'choir'] as const;
export type Instrument = (typeof INSTRUMENTS)[number];

/** Keys of the notes and tracks maps (and a note's trackId). */
export const idSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'ids are url-safe strings');

export const noteSchema = z.object({
  trackId: idSchema,
  pitch: z.number().int().min(0).max(127),
  start: z.number().int().min(0).max(2 ** 31 - 1),
  duration: z.number().int().min(1).max(2 ** 31 - 1),
  velocity: z.number().int().min(1).max(127),
  /** Provenance: the AI suggestion whose acceptance wrote this note (issue 13). Absent on notes people wrote. */
  suggestionId: idSchema.optional(),
});
export type NoteData = Omit<z.infer<typeof noteSchema>, 'trackId'> & { trackId: TrackId };
export type Note = NoteData & { id: NoteId };

export const trackSchema = z.object({
  name: z.string().min(1).max(100),
  instrument: z.enum(INSTRUMENTS),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'colour is #rrggbb'),
  role: z.enum(TRACK_ROLES),
  muted: z.boolean(),
  solo: z.boolean(),
  volume: z.number().min(0).max(1),
  /** Display order in the tracks panel; fractional so a reorder touches one track only. */
  order: z.number().finite(),
  /** The voice an AI accompaniment track holds, so accepting a later harmonisation finds it again after a rename (issue 13). */
  aiVoice: z.enum(['soprano', 'alto', 'tenor', 'bass']).optional(),
});
export type TrackData = z.infer<typeof trackSchema>;
export type Track = TrackData & { id: TrackId };

export const timeSignatureSchema = z.tuple([z.number().int().min(1).max(32), z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8), z.literal(16), z.literal(32)])]);
export type TimeSignature = z.infer<typeof timeSignatureSchema>;

// Tempo and metre changes (issue 15 item 7); lib/score/tempo-map.ts says how they combine with bpm and timeSignature.
/** At most this many tempo (or metre) changes in a score: a long orchestral MIDI file has a few hundred. */
export const MAX_TEMPO_CHANGES = 2_000;
export const MIN_BPM = 20;
export const MAX_BPM = 400;

const tickSchema = z.number().int().min(0).max(2 ** 31 - 1);
const DENOMINATORS = [1, 2, 4, 8, 16, 32] as const;

export const tempoPointSchema = z.object({ tick: tickSchema, bpm: z.number().min(MIN_BPM).max(MAX_BPM) }).strict();
export type TempoPoint = z.infer<typeof tempoPointSchema>;

export const timeSignaturePointSchema = z
  .object({
    tick: tickSchema,
    numerator: z.number().int().min(1).max(32),
    denominator: z.number().refine((d) => (DENOMINATORS as readonly number[]).includes(d), 'denominator is 1, 2, 4, 8, 16 or 32'),
  })
  .strict();
export type TimeSignaturePoint = { tick: number; numerator: number; denominator: TimeSignature[1] };

/** Sorted strictly by tick, first at tick 0: one value per instant, no ambiguity to resolve. */
const sortedFromZero = (pts: readonly { tick: number }[]) => pts.length > 0 && pts[0]!.tick === 0 && pts.every((p, i) => i === 0 || p.tick > pts[i - 1]!.tick);

export const tempoMapSchema = z
  .array(tempoPointSchema)
  .min(1)
  .max(MAX_TEMPO_CHANGES)
  .refine(sortedFromZero, 'tempos are sorted by tick, strictly increasing, the first at tick 0');
export const timeSignatureMapSchema = z
  .array(timeSignaturePointSchema)
  .min(1)
  .max(MAX_TEMPO_CHANGES)
  .refine(sortedFromZero, 'time signatures are sorted by tick, strictly increasing, the first at tick 0') as unknown as z.ZodType<TimeSignaturePoint[]>;

export const metaSchema = z.object({
  title: z.string().max(200),
  bpm: z.number().min(20).max(400),
  timeSignature: timeSignatureSchema,
  /** Key as tonic pitch class + mode, e.g. "C major", "F# minor". */
  key: z.string().regex(/^[A-G][#b]? (major|minor)$/),
  lengthBars: z.number().int().min(1).max(9999),
  schemaVersion: z.number().int().min(1),
  /** Tempo changes; the tick-0 entry mirrors bpm (which wins). Absent in older documents: one tempo. */
  tempos: tempoMapSchema.optional(),
  /** Metre changes; the tick-0 entry mirrors timeSignature (which wins). */
  timeSignatures: timeSignatureMapSchema.optional(),
});
export type Meta = z.infer<typeof metaSchema>;

export const DEFAULT_META: Meta = {
  title: 'Untitled session',
  bpm: 100,
  timeSignature: [4, 4],
  key: 'C major',
  lengthBars: 16,
  schemaVersion: SCHEMA_VERSION,
};

/** A plain, immutable view of the whole document: what models, MIDI export and tests work on. */
export interface Score {
  meta: Meta;
  tracks: Track[];
  notes: Note[];
}

export class ScoreValidationError extends Error {
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ScoreValidationError';
  }
}

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`);
    throw new ScoreValidationError(`invalid ${what}: ${issues.join('; ')}`, issues);
  }
  return r.data;
}

/** Ticks in one bar of the given time signature. */
export function ticksPerBar(ts: TimeSignature): number {
  return (PPQ * 4 * ts[0]) / ts[1];
}
