// `npm run bench:models -- <model>`: latency of the model's generator on the wasm backend
// (`models/<name>/bench.ts`, export `main(flags)`; last printed line is one JSON object, also
// written to bench/results/models-<name>.json).
import { modelArg, parseArgs } from '../models/cli/args';

const { positional, flags } = parseArgs(process.argv.slice(2));
const model = modelArg(positional, 'usage: npm run bench:models -- arcnn|gan|transformer');
const mod = await import(`../models/${model}/bench.ts`);
await mod.main(flags);
