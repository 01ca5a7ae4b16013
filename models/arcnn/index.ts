// The AR-CNN (models/CONTEXT.md, "one model template"): re-exports only. The lifecycle is in
// ./model.ts, the knobs in ./params.ts.
export { ArcnnGenerator, createGenerator, type ArcnnGeneratorOptions } from './model';
export { ARCNN_TASKS, paramsSchema, parseParams, type ArcnnParams, type ArcnnTask } from './params';
