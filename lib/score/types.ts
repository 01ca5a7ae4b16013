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
});
export type TrackData = z.infer<typeof trackSchema>;
export type Track = TrackData & { id: TrackId };

export const timeSignatureSchema = z.tuple([z.number().int().min(1).max(32), z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8), z.literal(16), z.literal(32)])]);
export type TimeSignature = z.infer<typeof timeSignatureSchema>;

export const metaSchema = z.object({
  title: z.string().max(200),
  bpm: z.number().min(20).max(400),
  timeSignature: timeSignatureSchema,
  /** Key as tonic pitch class + mode, e.g. "C major", "F# minor". */
  key: z.string().regex(/^[A-G][#b]? (major|minor)$/),
  lengthBars: z.number().int().min(1).max(9999),
  schemaVersion: z.number().int().min(1),
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
