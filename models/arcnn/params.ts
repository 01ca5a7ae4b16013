// The AR-CNN's knobs as a request carries them (untrusted input: zod, unknown keys rejected).
// Defaults depend on the task: harmonising writes whole voices, so additions are effectively
// uncapped; infilling keeps what is there unless told otherwise; rewriting may change half.
import { modelDefaults } from '../../lib/ai/contract';
import { z } from 'zod';
import { GeneratorParamError, type Task } from '../generator';
import type { GibbsSchedule } from './gibbs';
import type { SamplerKnobs } from './sampler';

export const ARCNN_TASKS = ['harmonize', 'accompany', 'rewrite', 'infill'] as const satisfies readonly Task[];
export type ArcnnTask = (typeof ARCNN_TASKS)[number];

export const paramsSchema = z
  .object({
    /** Network evaluations (DeepComposer's "sampling iterations"). */
    iterations: z.number().int().min(1).max(2000).optional(),
    /** Max share of the input's editable note cells that may be removed (0–1). */
    maxRemoveShare: z.number().min(0).max(1).optional(),
    /** Max note cells (16th steps) that may be added. */
    maxNotesAdded: z.number().int().min(0).max(1_000_000).optional(),
    /** Softmax temperature, DeepComposer's "creative risk". */
    temperature: z.number().min(0.05).max(10).optional(),
    /** Never edit the source (melody) track. */
    keepMelodyFixed: z.boolean().optional(),
    /** Velocity of generated notes. */
    velocity: z.number().int().min(1).max(127).optional(),
    /** Leave out of the sampling distribution the notes that would form parallel fifths/octaves (default true). */
    strictVoiceLeading: z.boolean().optional(),
  })
  .strict();

export interface ArcnnParams {
  iterations: number;
  maxRemoveShare: number;
  maxNotesAdded: number;
  temperature: number;
  keepMelodyFixed: boolean;
  velocity: number | null;
  strictVoiceLeading: boolean;
  /**
   * Not a request knob: the Gibbs sampler's annealing start temperature (./gibbs), chosen on valid
   * for writing whole voices; null = the knob's temperature throughout (editing tasks).
   */
  startTemperature: number | null;
  /** Not a request knob: the Gibbs masking unit in steps (./gibbs), chosen on valid. */
  chunk: number;
}

/** Annealing start temperature for harmonize/accompany (valid sweep, MODEL_CARD.md). */
export const HARMONIZE_START_TEMPERATURE: number | null = null;
/** Gibbs masking unit in 16th steps (valid sweep, MODEL_CARD.md). */
export const GIBBS_CHUNK = 1;

export function parseParams(task: ArcnnTask, raw: unknown): ArcnnParams {
  const r = paramsSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`);
    throw new GeneratorParamError(`invalid AR-CNN parameters: ${issues.join('; ')}`, issues);
  }
  const p = r.data;
  const writesVoices = task === 'harmonize' || task === 'accompany';
  // Knobs a request leaves out take the AI contract's per-task defaults (lib/ai/contract.ts, the one source).
  const d = modelDefaults('arcnn', task);
  return {
    iterations: p.iterations ?? (d.iterations as number),
    maxRemoveShare: p.maxRemoveShare ?? (d.maxRemoveShare as number),
    maxNotesAdded: p.maxNotesAdded ?? (d.maxNotesAdded as number),
    temperature: p.temperature ?? (d.temperature as number),
    keepMelodyFixed: p.keepMelodyFixed ?? (d.keepMelodyFixed as boolean),
    velocity: p.velocity ?? null,
    strictVoiceLeading: p.strictVoiceLeading ?? (d.strictVoiceLeading as boolean),
    startTemperature: writesVoices ? HARMONIZE_START_TEMPERATURE : null,
    chunk: GIBBS_CHUNK,
  };
}

/** The sampler's knobs and Gibbs schedule for parsed parameters (./sampler.ts). */
export function samplerKnobs(p: ArcnnParams): SamplerKnobs & GibbsSchedule {
  return {
    iterations: p.iterations,
    maxRemoveShare: p.maxRemoveShare,
    maxNotesAdded: p.maxNotesAdded,
    temperature: p.temperature,
    strictVoiceLeading: p.strictVoiceLeading,
    startTemperature: p.startTemperature ?? undefined,
    chunk: p.chunk,
  };
}
