// The GAN's knobs as a request carries them (untrusted input: zod, unknown keys rejected). Knobs a
// request leaves out take the AI contract's defaults (lib/ai/contract.ts, the one source).
import { z } from 'zod';
import { modelDefaults } from '../../lib/ai/contract';
import { GeneratorParamError } from '../generator';
import type { SampleOptions } from './sampler';

export const GAN_TASKS = ['accompany', 'harmonize'] as const;

export const ganParamsSchema = z
  .object({
    /** Default: the calibrated decoder setting. 0 = the most likely line per voice; > 0 samples lines (higher = more adventurous). */
    temperature: z.number().min(0).max(2).optional(),
    /** Default: calibrated. Nats per pitch change when decoding a voice: higher = longer notes, fewer moves. */
    smoothing: z.number().min(0).max(20).optional(),
    /** Forbid moves into parallel fifths/octaves with the melody or another voice (decoding on the network's own distribution). */
    strictVoiceLeading: z.boolean().optional(),
    instrumentation: z.enum(['strings', 'choir', 'organ', 'piano']).optional(),
    velocity: z.number().int().min(1).max(127).default(80),
  })
  .strict();
export type GanParams = Omit<z.infer<typeof ganParamsSchema>, 'strictVoiceLeading' | 'instrumentation'> & {
  strictVoiceLeading: boolean;
  instrumentation: 'strings' | 'choir' | 'organ' | 'piano';
};

export function parseGanParams(raw: unknown): GanParams {
  const r = ganParamsSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`);
    throw new GeneratorParamError(`invalid GAN parameters: ${issues.join('; ')}`, issues);
  }
  const d = modelDefaults('gan', 'accompany');
  return {
    ...r.data,
    temperature: r.data.temperature ?? (d.temperature as number),
    strictVoiceLeading: r.data.strictVoiceLeading ?? (d.strictVoiceLeading as boolean),
    instrumentation: r.data.instrumentation ?? (d.instrumentation as GanParams['instrumentation']),
  };
}

/** The decoder options a request's knobs ask for (./sampler.ts). */
export function sampleOptions(params: GanParams, seed: number): SampleOptions {
  return { seed, temperature: params.temperature, penalty: params.smoothing, strictVoiceLeading: params.strictVoiceLeading };
}
