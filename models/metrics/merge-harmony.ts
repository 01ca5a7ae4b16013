// `npx tsx models/metrics/merge-harmony.ts A.json B.json …`: pools the harmony tallies of eval runs
// over disjoint seeds (each file's last line is an eval's JSON with `harmony_counts`, e.g.
// `npm run eval -- arcnn --json --seeds 2 --constraint off`; constrained and unconstrained runs
// are pooled separately) and prints the issue-12 keys for all of them together,
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
  if (runs.some((r) => r.harmony_split !== runs[0]!.harmony_split || r.harmony_melodies !== runs[0]!.harmony_melodies)) throw new Error('runs differ in split or melodies');
  // Constrained and unconstrained tallies are pooled separately; within each, no seed may repeat.
  const pool = (f: (r: RunJson) => HarmonyCounts | null): { counts: HarmonyCounts | null; seeds: number[] } => {
    const with_ = runs.filter((r) => f(r));
    const seeds = with_.flatMap((r) => r.harmony_seeds);
    if (new Set(seeds).size !== seeds.length) throw new Error(`runs overlap in seeds: ${seeds.join(',')}`);
    return { counts: with_.length ? with_.reduce((acc, r) => addHarmonyCounts(acc, f(r)!), emptyHarmonyCounts()) : null, seeds };
  };
  const model = pool((r) => r.harmony_counts.model);
  const unconstrained = pool((r) => r.harmony_counts.unconstrained);
  if (unconstrained.counts && model.counts && [...model.seeds].sort().join() !== [...unconstrained.seeds].sort().join())
    throw new Error(`constrained seeds ${model.seeds.join(',')} differ from unconstrained seeds ${unconstrained.seeds.join(',')}`);
  const bach = runs[0]!.harmony_counts.bach;
  return {
    split: runs[0]!.harmony_split,
    melodies: runs[0]!.harmony_melodies,
    seeds: [...model.seeds].sort((a, b) => a - b),
    model: harmonyFigures(model.counts ?? emptyHarmonyCounts()),
    perSeed: runs.filter((r) => r.harmony_counts.model).flatMap((r) => r.harmony_per_seed),
    unconstrained: unconstrained.counts ? harmonyFigures(unconstrained.counts) : null,
    bach: harmonyFigures(bach),
    counts: { model: model.counts, unconstrained: unconstrained.counts, bach },
  };
}

if (process.argv[1] && /merge-harmony\.ts$/.test(process.argv[1])) {
  const runs = process.argv.slice(2).map((f) => {
    const lines = fs.readFileSync(f, 'utf8').trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!) as RunJson;
  });
  console.log(JSON.stringify(harmonyJson(mergeRuns(runs))));
}
