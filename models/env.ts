// The environment variables models/ reads: the tensor backend and where the data and weights are.
// server/config.ts composes this schema into the one list of every variable (README
// "Configuration"); models/ cannot import server/, so the models' part lives here.
import { z } from 'zod';

/** An unset or empty variable is "not given". */
const optional = <T extends z.ZodTypeAny>(t: T) => z.preprocess((v) => (v === '' ? undefined : v), t.optional());

export const modelsEnvSchema = {
  /** Force one tfjs backend; unset: tensorflow (tfjs-node) → wasm → cpu, the first that loads. */
  TUTTI_BACKEND: optional(z.enum(['tensorflow', 'wasm', 'cpu'], { message: 'TUTTI_BACKEND must be tensorflow, wasm or cpu' })),
  /** The JSB Chorales folder; unset: <repo>/../shared/data/jsb-chorales. */
  TUTTI_JSB_DIR: optional(z.string()),
  /** `1`: test files that need the JSB data skip (loudly) without it instead of failing. */
  TUTTI_ALLOW_MISSING_DATA: optional(z.enum(['0', '1'], { message: 'TUTTI_ALLOW_MISSING_DATA must be 0 or 1' })),
  /** The trained weights folder the /models page reads (app/models/load.ts); unset: models/weights found from the working directory up. */
  TUTTI_WEIGHTS_DIR: optional(z.string()),
};

export const modelsEnv = z.object(modelsEnvSchema);
export type ModelsEnv = z.infer<typeof modelsEnv>;

/** One line per bad variable, e.g. `TUTTI_BACKEND: TUTTI_BACKEND must be tensorflow, wasm or cpu (got "gpu")`. */
export function describeIssues(error: z.ZodError, env: Record<string, string | undefined>): string {
  return error.issues
    .map((i) => {
      const key = String(i.path[0] ?? '');
      const got = key && env[key] !== undefined ? ` (got ${JSON.stringify(env[key])})` : '';
      return `${i.path.join('.') || 'environment'}: ${i.message}${got}`;
    })
    .join('; ');
}

/** The models' variables from `env`, validated; a bad value throws naming the variable. */
export function readModelsEnv(env: Record<string, string | undefined> = process.env): ModelsEnv {
  const r = modelsEnv.safeParse(env);
  if (!r.success) throw new Error(`invalid configuration: ${describeIssues(r.error, env)}`);
  return r.data;
}
