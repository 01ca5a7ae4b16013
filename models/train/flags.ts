// The common `npm run train -- <model>` flags, parsed once so every model accepts the same ones:
// --steps N --batch B --seed S --out DIR --fresh (ignore an existing checkpoint)
// --validate-every N --checkpoint-every N --progress auto|tty|lines|off
import path from 'node:path';
import { z } from 'zod';
import type { ProgressMode } from './progress';

export interface TrainFlags {
  steps: number;
  batch: number;
  seed: number;
  out: string;
  resume: boolean;
  validateEvery?: number;
  checkpointEvery?: number;
  progress: ProgressMode;
}

export interface TrainDefaults {
  steps: number;
  batch: number;
  seed?: number;
  /** Default output directory (relative paths resolve against the working directory). */
  out: string;
}

const positiveInt = z.coerce.number().int().positive();
const schema = z.object({
  steps: positiveInt.optional(),
  batch: positiveInt.optional(),
  seed: z.coerce.number().int().optional(),
  out: z.string().min(1).optional(),
  fresh: z.literal(true).optional(),
  'validate-every': positiveInt.optional(),
  'checkpoint-every': positiveInt.optional(),
  progress: z.enum(['auto', 'tty', 'lines', 'off']).optional(),
});

/** Validates the common flags; unknown flags are left for the model to read. Throws on bad values. */
export function parseTrainFlags(flags: Record<string, string | true>, defaults: TrainDefaults): TrainFlags {
  const known = Object.fromEntries(Object.entries(flags).filter(([k]) => k in schema.shape));
  const r = schema.safeParse(known);
  if (!r.success) throw new Error(`bad training flags: ${r.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const f = r.data;
  return {
    steps: f.steps ?? defaults.steps,
    batch: f.batch ?? defaults.batch,
    seed: f.seed ?? defaults.seed ?? 1,
    out: path.resolve(f.out ?? defaults.out),
    resume: !f.fresh,
    validateEvery: f['validate-every'],
    checkpointEvery: f['checkpoint-every'],
    progress: f.progress ?? 'auto',
  };
}
