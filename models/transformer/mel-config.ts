// The melody-encoder transformer (arch 'melody-encoder', issue 12): a harmoniser that reads the
// whole melody before it writes. Layout per 16th step t:
//   encoder  non-causal dilated convolutions over the melody (token + metrical level), plus the
//            pitch-class profile of the whole melody; its output e_t sees steps t-R..t+R;
//   decoder  causal relative-attention transformer, one position per step: input e_t plus the
//            embeddings of the alto, tenor and bass tokens of step t-1;
//   heads    A, then T given A, then B given A and T (each a small MLP on the decoder state plus
//            the embeddings of the voices already chosen in this step).
// So only A/T/B are predicted (3 tokens per step, one decoder position per step), every target
// token is scored, and a future A/T/B token never reaches an earlier logit.
import { z } from 'zod';
import { samplingDefaultsFor } from './params';

export const MELODY_ARCH = 'melody-encoder' as const;
/** Metrical levels fed to the encoder: bar start, beat start, 8th start, other 16th, outside the piece. */
export const LEVEL_COUNT = 5;
export const LEVEL_OUTSIDE = 4;
/** Voices the model writes (A, T, B); the soprano is the given melody. */
export const OUT_VOICES = 3;

export const melodyConfigSchema = z
  .object({
    arch: z.literal(MELODY_ARCH),
    dModel: z.number().int().min(4).max(1024),
    heads: z.number().int().min(1).max(32),
    /** Decoder layers (causal self-attention + feed-forward). */
    layers: z.number().int().min(1).max(24),
    dFF: z.number().int().min(4).max(8192),
    /** Encoder layers: kernel-3 convolutions with dilations 1, 2, 4, …; receptive field ±(2^encLayers − 1) steps. */
    encLayers: z.number().int().min(1).max(10),
    /** Hidden width of each output head's MLP. */
    headHidden: z.number().int().min(4).max(4096),
    /** Decoder window in steps (training window, relative-distance table, KV-cache length). */
    maxLen: z.number().int().min(8).max(2048),
    dropout: z.number().min(0).max(0.9),
  })
  .strict()
  .refine((c) => c.dModel % c.heads === 0, 'dModel must be divisible by heads');
export type MelodyConfig = z.infer<typeof melodyConfigSchema>;

/** Steps either side of t that the encoder output e_t depends on. */
export function receptiveField(cfg: Pick<MelodyConfig, 'encLayers'>): number {
  return 2 ** cfg.encLayers - 1;
}

/** The committed model's shape (measured: d 128 trains fastest per token here; see the model card). */
export const MELODY_DEFAULT_CONFIG: MelodyConfig = {
  arch: MELODY_ARCH,
  dModel: 128,
  heads: 4,
  layers: 4,
  dFF: 512,
  encLayers: 6,
  headHidden: 256,
  maxLen: 128,
  dropout: 0,
};

export const MELODY_TINY_CONFIG: MelodyConfig = {
  arch: MELODY_ARCH,
  dModel: 16,
  heads: 2,
  layers: 2,
  dFF: 32,
  encLayers: 3,
  headHidden: 16,
  maxLen: 24,
  dropout: 0,
};

/**
 * Default sampling knobs of the melody-encoder harmoniser (strict voice leading on), chosen on the
 * valid split (first 40 melodies, seed 1): T 0.5/0.6/0.7/0.8 at top-p 1 and T 0.7 at top-p 0.9 all
 * met the targets; T 0.7, top-p 1 had the highest triad/7th share (0.822) of the set while
 * sampling the full distribution (see MODEL_CARD.md, "Decoding knobs").
 */
export const MELODY_SAMPLING_DEFAULTS = samplingDefaultsFor('harmonize'); // T 0.7, top-p 1: the values live in lib/ai/contract.ts
