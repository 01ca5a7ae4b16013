// `npx tsx models/metrics/merge-harmony.ts A.json B.json …`: pools the harmony tallies of eval runs
// over disjoint seeds (each file's last line is an eval's JSON with `harmony_counts`, e.g.
// `npm run eval -- arcnn --json --seeds 2`) and prints the issue-12 keys for all of them together,
// exactly as one run over all those seeds would (the figures are ratios of summed tallies).
import fs from 'node:fs';
import { addHarmonyCounts, emptyHarmonyCounts, harmonyFigures, type HarmonyCounts } from './harmony';
import { harmonyJson, type HarmonyReport } from './harmony-eval';

interface RunJson {
  harmony_split: HarmonyReport['split'];
  harmony_melodies: number;
  harmony_seeds: number[];
  harmony_per_seed: HarmonyReport['perSeed'];
  harmony_counts: HarmonyReport['counts'];
}

export function mergeRuns(runs: readonly RunJson[]): HarmonyReport {
  if (runs.length === 0) throw new Error('no runs to merge');
  const seeds = runs.flatMap((r) => r.harmony_seeds);
  if (new Set(seeds).size !== seeds.length) throw new Error(`runs overlap in seeds: ${seeds.join(',')}`);
  if (runs.some((r) => r.harmony_split !== runs[0]!.harmony_split || r.harmony_melodies !== runs[0]!.harmony_melodies)) throw new Error('runs differ in split or melodies');
  const sum = (f: (r: RunJson) => HarmonyCounts | null): HarmonyCounts | null =>
    runs.every((r) => f(r)) ? runs.reduce((acc, r) => addHarmonyCounts(acc, f(r)!), emptyHarmonyCounts()) : null;
  const model = sum((r) => r.harmony_counts.model)!;
  const unconstrained = sum((r) => r.harmony_counts.unconstrained);
  const bach = runs[0]!.harmony_counts.bach;
  return {
    split: runs[0]!.harmony_split,
    melodies: runs[0]!.harmony_melodies,
    seeds,
    model: harmonyFigures(model),
    perSeed: runs.flatMap((r) => r.harmony_per_seed),
    unconstrained: unconstrained ? harmonyFigures(unconstrained) : null,
    bach: harmonyFigures(bach),
    counts: { model, unconstrained, bach },
  };
}

if (process.argv[1] && /merge-harmony\.ts$/.test(process.argv[1])) {
  const runs = process.argv.slice(2).map((f) => {
    const lines = fs.readFileSync(f, 'utf8').trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!) as RunJson;
  });
  console.log(JSON.stringify(harmonyJson(mergeRuns(runs))));
}
