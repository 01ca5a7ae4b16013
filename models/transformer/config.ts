// Hyper-parameters of the Music-Transformer-style decoder and the token vocabulary it reads.
// Vocabulary: the JSB chorales serialised as in Huang et al. (2019) — one token per voice per 16th
// step in S,A,T,B order, a held note repeats its pitch, a silent voice is the rest token. One extra
// token, BOS, opens a piece; it is conditioning only and is never a scored target. The vocabulary
// itself (rest 0, pitches 36..81 → 1..46, BOS 47, PAD 48) is the shared one in models/data/tokens.
import { z } from 'zod';

export { TOKEN_BOS as BOS_TOKEN, TOKEN_PAD as PAD_TOKEN, TOKEN_REST as REST_TOKEN, VOCAB_SIZE } from '../data/tokens';
/** Voice ids fed to the voice embedding: 0..3 = S,A,T,B; 4 = the BOS position. */
export const VOICE_COUNT = 5;
export const BOS_VOICE = 4;
export const VOICES_PER_STEP = 4;

export const ATTENTION_KINDS = ['relative', 'absolute'] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

export const transformerConfigSchema = z
  .object({
    dModel: z.number().int().min(4).max(1024),
    heads: z.number().int().min(1).max(32),
    layers: z.number().int().min(1).max(24),
    dFF: z.number().int().min(4).max(8192),
    /** Longest window in tokens (the training window, and the relative-distance table size). */
    maxLen: z.number().int().min(8).max(4096),
    attention: z.enum(ATTENTION_KINDS),
    dropout: z.number().min(0).max(0.9),
  })
  .strict()
  .refine((c) => c.dModel % c.heads === 0, 'dModel must be divisible by heads');
export type TransformerConfig = z.infer<typeof transformerConfigSchema>;

/** The committed model's shape (chosen by measured throughput on the shared 2-core machine). */
export const DEFAULT_CONFIG: TransformerConfig = {
  dModel: 64,
  heads: 2,
  layers: 4,
  dFF: 256,
  maxLen: 128,
  attention: 'relative',
  dropout: 0,
};

/** A few-thousand-parameter model for tests. */
export const TINY_CONFIG: TransformerConfig = {
  dModel: 16,
  heads: 2,
  layers: 2,
  dFF: 32,
  maxLen: 32,
  attention: 'relative',
  dropout: 0,
};

export function headDim(cfg: TransformerConfig): number {
  return cfg.dModel / cfg.heads;
}
