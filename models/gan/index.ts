// The GAN (models/CONTEXT.md, "one model template"): re-exports only. The lifecycle is in
// ./model.ts, the knobs in ./params.ts.
export { CONTEXT_BARS, createGenerator, GanGenerator, MAX_BARS, type GanGeneratorOptions } from './model';
export { GAN_TASKS, ganParamsSchema, parseGanParams, type GanParams } from './params';
