// `npm run eval -- <model> [--json] [--write]`: the model's metrics on the JSB test split
// (`models/<name>/eval.ts`, export `main(flags)`; with --json its last printed line is one JSON object).
// Only with --write do the files it writes under models/weights/<name>/ (eval-results.json, plots)
// change there; otherwise they go to a temporary folder it prints (models/cli/result-file.ts).
import path from 'node:path';
import { modelArg, parseArgs } from './args';
import { keepCommitted, withoutWrite, writing } from './result-file';

const { positional, flags } = parseArgs(withoutWrite(process.argv.slice(2)));
const model = modelArg(positional, 'usage: npm run eval -- arcnn|gan|transformer [--json] [--write]');
const mod = await import(`../${model}/eval.ts`);
const weights = path.resolve(import.meta.dirname, '..', 'weights', model);
await keepCommitted([weights], () => mod.main(flags), writing());
