// The transformer (models/CONTEXT.md, "one model template"): re-exports only. The lifecycle is in
// ./model.ts, the knobs in ./params.ts; the melody-encoder harmoniser lives in the mel-*.ts files.
export { createGenerator, decoderDir, TransformerGenerator, type TransformerGeneratorOptions } from './model';
export { parseParams, paramsSchema, TRANSFORMER_TASKS, type TransformerParams, type TransformerTask } from './params';
