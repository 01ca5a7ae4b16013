// `npm run eval -- <model> [--json]`: the model's metrics on the JSB test split
// (`models/<name>/eval.ts`, export `main(flags)`; with --json its last printed line is one JSON object).
import { modelArg, parseArgs } from './args';

const { positional, flags } = parseArgs(process.argv.slice(2));
const model = modelArg(positional, 'usage: npm run eval -- arcnn|gan|transformer [--json]');
const mod = await import(`../${model}/eval.ts`);
await mod.main(flags);
