// `npm run bench:models -- <model> [--write]`: latency of the model's generator on the wasm backend
// (`models/<name>/bench.ts`, export `main(flags)`; last printed line is one JSON object, written to
// bench/results/models-<name>.json only with --write, else to a temporary file it prints).
import path from 'node:path';
import { modelArg, parseArgs } from '../models/cli/args';
import { keepCommitted, withoutWrite, writing } from '../models/cli/result-file';

const { positional, flags } = parseArgs(withoutWrite(process.argv.slice(2)));
const model = modelArg(positional, 'usage: npm run bench:models -- arcnn|gan|transformer [--write]');
const mod = await import(`../models/${model}/bench.ts`);
await keepCommitted([path.resolve(import.meta.dirname, 'results', `models-${model}.json`)], () => mod.main(flags), writing());
