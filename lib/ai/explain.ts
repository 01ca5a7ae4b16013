// The contract of the models page's "how it works" views (issue 18 item 2): what the browser asks
// `POST /api/models/<model>/explain` for, and what each model sends back. One definition for the
// server (which validates with these schemas) and the app (which draws the answers).
import { z } from 'zod';
import { BUILTIN_MELODY_IDS } from '../melodies/builtin';
import { idSchema, timeSignatureSchema, type TimeSignature } from '../score/types';

export const EXPLAIN_MODELS = ['arcnn', 'gan', 'transformer'] as const;
export type ExplainModel = (typeof EXPLAIN_MODELS)[number];

/** Bars of melody one explanation covers (a longer session track is cut to its first 8 bars). */
export const MAX_EXPLAIN_BARS = 8;
export const MAX_EXPLAIN_NOTES = 256;
/** AR-CNN sampling iterations shown (each one is a network evaluation and a frame of the animation). */
export const MAX_ARCNN_ITERATIONS = 48;
export const DEFAULT_ARCNN_ITERATIONS = 24;
export const MAX_GAN_SEEDS = 4;
export const DEFAULT_GAN_SEEDS = [1, 2, 3];
/** Largest request body the route reads. */
export const MAX_EXPLAIN_BODY_BYTES = 32 * 1024;

const TICK_LIMIT = 480 * 4 * 64;
export const explainNoteInputSchema = z
  .object({
    pitch: z.number().int().min(0).max(127),
    start: z.number().int().min(0).max(TICK_LIMIT),
    duration: z.number().int().min(1).max(TICK_LIMIT),
  })
  .strict();

export const explainSourceSchema = z.discriminatedUnion('kind', [
  /** One of the three public-domain melodies of lib/melodies/builtin.ts. */
  z.object({ kind: z.literal('builtin'), melody: z.enum(BUILTIN_MELODY_IDS) }).strict(),
  /** A melody the page sends itself (ticks at 480 per quarter). */
  z.object({ kind: z.literal('notes'), notes: z.array(explainNoteInputSchema).min(1).max(MAX_EXPLAIN_NOTES), timeSignature: timeSignatureSchema.optional() }).strict(),
  /** A track of a session; the session's link token goes in Authorization: Bearer. */
  z.object({ kind: z.literal('session'), sessionId: idSchema, trackId: idSchema }).strict(),
]);
export type ExplainSource = z.infer<typeof explainSourceSchema>;

export const explainRequestSchema = z
  .object({
    source: explainSourceSchema,
    /** Seed of every random choice (AR-CNN, transformer); same seed, same answer. */
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    /** AR-CNN only: sampling iterations to run and show. */
    iterations: z.number().int().min(1).max(MAX_ARCNN_ITERATIONS).optional(),
    /** GAN only: the noise seeds to compare side by side. */
    seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1).max(MAX_GAN_SEEDS).optional(),
  })
  .strict();
export type ExplainRequest = z.infer<typeof explainRequestSchema>;

/** A note of a view, in score ticks; voice 0 soprano (the melody), 1 alto, 2 tenor, 3 bass. */
export interface ExplainNote {
  voice: number;
  pitch: number;
  start: number;
  duration: number;
}

/** The melody the model was given, as the server read it. */
export interface ExplainMelody {
  title: string;
  timeSignature: TimeSignature;
  /** Bars [from, to) of the source that were explained. */
  bars: [number, number];
  /** True when the source was longer than MAX_EXPLAIN_BARS and was cut. */
  truncated: boolean;
  notes: ExplainNote[];
}

export interface ArcnnIteration {
  iteration: number;
  temperature: number;
  /** Voice-steps masked (and redrawn) in this iteration. */
  masked: number;
  /** Notes that appeared / disappeared in this iteration (accompaniment voices). */
  added: ExplainNote[];
  removed: ExplainNote[];
  /**
   * The network's probability map for this iteration, base64 of steps × pitches bytes (row-major:
   * step, then pitch from `heat.lowPitch` up): at each cell the highest probability (×255) any masked
   * voice gives that pitch at that step: the network's own softmax (temperature 1), which the
   * draws then sharpen to `temperature`.
   */
  heat: string;
}

export interface ArcnnExplain {
  model: 'arcnn';
  melody: ExplainMelody;
  grid: { offsetTick: number; stepTicks: number; steps: number; lowPitch: number; pitches: number };
  iterations: ArcnnIteration[];
  /** The accompaniment after the last iteration. */
  final: ExplainNote[];
  ms: number;
}

export interface GanSample {
  seed: number;
  /** Alto, tenor and bass the generator wrote for this noise. */
  notes: ExplainNote[];
  /** The critic's score of (melody, these voices): higher = more like Bach to the critic. */
  critic: number;
}

export interface GanExplain {
  model: 'gan';
  melody: ExplainMelody;
  samples: GanSample[];
  /** A real chorale (first bars of one from the JSB valid split), all four voices, and its score. */
  real: { title: string; notes: ExplainNote[]; critic: number; timeSignature: TimeSignature };
  /** Where the critic's weights come from (it was fitted to the committed generator). */
  criticNote: string;
  /** The critic reads windows of this many bars; longer melodies are scored window by window and averaged. */
  criticBars: number;
  ms: number;
}

export interface TransformerToken {
  /** Index into the step grid. */
  step: number;
  /** 1 alto, 2 tenor, 3 bass. */
  voice: number;
  /** MIDI pitch, or null for a rest. */
  pitch: number | null;
}

export interface TransformerStepAttention {
  /** Grid step of the first weight (the decoder's window start). */
  from: number;
  /** Per decoder layer: the weights over steps from..this step (mean over heads; each row sums to 1). */
  layers: number[][];
}

export interface TransformerExplain {
  model: 'transformer';
  melody: ExplainMelody;
  grid: { offsetTick: number; stepTicks: number; steps: number };
  /** Alto, tenor, bass of each step, in the order they were written. */
  tokens: TransformerToken[];
  /** Attention of the decoder position of each step (it writes that step's alto, tenor and bass). */
  attention: TransformerStepAttention[];
  heads: number;
  ms: number;
}

export type ExplainResponse = ArcnnExplain | GanExplain | TransformerExplain;

/** Decodes an AR-CNN heat map (base64 bytes) to probabilities 0–1. */
export function decodeHeat(b64: string): Float32Array {
  const bin = atob(b64);
  const out = new Float32Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i) / 255;
  return out;
}
