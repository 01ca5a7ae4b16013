// The transformer's knobs as a request carries them (untrusted input: zod, unknown keys rejected).
import { z } from 'zod';
import { knobDefault, MODEL_KNOBS, type KnobSpec, type Task as ContractTask } from '../../lib/ai/contract';
import { GeneratorParamError, type Task } from '../generator';

export const TRANSFORMER_TASKS = ['continue', 'harmonize'] as const satisfies readonly Task[];
export type TransformerTask = (typeof TRANSFORMER_TASKS)[number];

/** Longest request the sampler accepts (tokens cost ~ms each on a laptop CPU). */
export const MAX_CONTINUE_BARS = 32;
export const MAX_HARMONIZE_BARS = 64;

export const paramsSchema = z
  .object({
    /** Softmax temperature: < 1 plays safer, > 1 takes more risks. */
    temperature: z.number().min(0.05).max(3).optional(),
    /** Nucleus sampling: keep the most likely tokens covering this probability mass. */
    topP: z.number().gt(0).max(1).optional(),
    /** continue: how many bars to add (default: the request's bar range length, else 4). */
    bars: z.number().int().min(1).max(MAX_CONTINUE_BARS).optional(),
    /** Velocity of generated notes. */
    velocity: z.number().int().min(1).max(127).optional(),
    /** Read every pitched track with notes as the source (e.g. continue all four voices from the CLI). */
    allTracks: z.boolean().optional(),
    /**
     * harmonize (melody-encoder model): mask candidate pitches that would form parallel fifths or
     * octaves with the melody or a voice already decided, and renormalise (default true).
     */
    strictVoiceLeading: z.boolean().optional(),
  })
  .strict();

/**
 * Defaults: plain ancestral sampling (T = 1, top-p = 1). Measured on 25 test melodies, truncating
 * the distribution (T 0.9 / top-p 0.95) favours the dominant "hold the note" token and leaves the
 * lower voices static (alto note density 2.1 vs Bach's 3.4 per bar); untruncated sampling matches
 * Bach's UPC, QN and density closely at the same in-key ratio.
 */
export interface TransformerParams {
  temperature: number;
  topP: number;
  bars: number | null;
  velocity: number;
  allTracks: boolean;
  strictVoiceLeading: boolean;
}

/** Sampling defaults of a model (the melody-encoder harmoniser's are chosen on valid; see its card). */
export interface SamplingDefaults {
  temperature: number;
  topP: number;
}

/** A transformer knob's default for a task, as the AI contract (lib/ai/contract.ts) declares it: the one place defaults live. */
export function contractDefault(key: string, task: ContractTask): unknown {
  const k: KnobSpec | undefined = MODEL_KNOBS.transformer.find((s) => s.key === key);
  if (!k) throw new Error(`the AI contract has no transformer knob "${key}"`);
  return knobDefault(k, task);
}

/** The sampling defaults the contract gives a task (continue: the decoder's; harmonize: the melody-encoder's). */
export const samplingDefaultsFor = (task: TransformerTask): SamplingDefaults => ({
  temperature: contractDefault('temperature', task) as number,
  topP: contractDefault('topP', task) as number,
});

export const DECODER_DEFAULTS: SamplingDefaults = samplingDefaultsFor('continue');

export function parseParams(raw: unknown, defaults: SamplingDefaults = DECODER_DEFAULTS): TransformerParams {
  const r = paramsSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`);
    throw new GeneratorParamError(`invalid transformer parameters: ${issues.join('; ')}`, issues);
  }
  const p = r.data;
  return {
    temperature: p.temperature ?? defaults.temperature,
    topP: p.topP ?? defaults.topP,
    bars: p.bars ?? null,
    velocity: p.velocity ?? 80,
    allTracks: p.allTracks ?? false,
    strictVoiceLeading: p.strictVoiceLeading ?? (contractDefault('strictVoiceLeading', 'harmonize') as boolean),
  };
}
