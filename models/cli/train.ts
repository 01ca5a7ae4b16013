// `npm run train -- <model> [--steps N --batch B --seed S --out DIR ...]`: dispatches to the
// model's own trainer (`models/<name>/train.ts`, export `main(flags)`), which uses the shared harness.
import { modelArg, parseArgs } from './args';

const { positional, flags } = parseArgs(process.argv.slice(2));
const model = modelArg(positional, 'usage: npm run train -- arcnn|gan|transformer [--steps N --batch B --seed S --out DIR]');
const mod = await import(`../${model}/train.ts`);
await mod.main(flags);
