// The AR-CNN's knobs as a request carries them (untrusted input: zod, unknown keys rejected).
// Defaults depend on the task: harmonising writes whole voices, so additions are effectively
// uncapped; infilling keeps what is there unless told otherwise; rewriting may change half.
import { z } from 'zod';
import { GeneratorParamError, type Task } from '../generator';

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

/**
 * Softmax temperature when the request does not set one: writing whole voices (harmonize,
 * accompany) samples near the network's most likely notes, chosen on the valid split (issue 12,
 * models/weights/arcnn/MODEL_CARD.md); editing keeps DeepComposer's 1.
 */
export const HARMONIZE_TEMPERATURE = 0.1;

export function parseParams(task: ArcnnTask, raw: unknown): ArcnnParams {
  const r = paramsSchema.safeParse(raw ?? {});
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`);
    throw new GeneratorParamError(`invalid AR-CNN parameters: ${issues.join('; ')}`, issues);
  }
  const p = r.data;
  const writesVoices = task === 'harmonize' || task === 'accompany';
  return {
    iterations: p.iterations ?? 100,
    maxRemoveShare: p.maxRemoveShare ?? (task === 'rewrite' ? 0.5 : task === 'infill' ? 0 : 1),
    maxNotesAdded: p.maxNotesAdded ?? (writesVoices ? 1_000_000 : 500),
    temperature: p.temperature ?? (writesVoices ? HARMONIZE_TEMPERATURE : 1),
    keepMelodyFixed: p.keepMelodyFixed ?? true,
    velocity: p.velocity ?? null,
    strictVoiceLeading: p.strictVoiceLeading ?? true,
    startTemperature: writesVoices ? HARMONIZE_START_TEMPERATURE : null,
    chunk: GIBBS_CHUNK,
  };
}
