// Where a run's result files go (issue 14: runs must not modify the checkout). Evals and benches
// write their committed result files (bench/results/…, models/weights/<name>/…) only when run with
// --write; otherwise to a temporary folder, and say where on stderr (stdout's last line stays the
// run's one JSON object).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const WRITE_FLAG = '--write';

/** True when this run may update committed result files. */
export const writing = (argv: readonly string[] = process.argv): boolean => argv.includes(WRITE_FLAG);

/** argv without --write, for parsers that refuse flags they do not know. */
export const withoutWrite = (args: readonly string[]): string[] => args.filter((a) => a !== WRITE_FLAG);

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-results-'));
const shown = (p: string): string => path.relative(process.cwd(), p) || p;

/** The path to write `committed` to in this run: itself with --write, else a temporary file (printed). */
export function resultPath(committed: string, write = writing()): string {
  if (write) return committed;
  const p = path.join(tempDir(), path.basename(committed));
  console.error(`[results] wrote ${p} (not ${shown(committed)}: run with ${WRITE_FLAG} to update it)`);
  return p;
}

/** Writes one result file (see resultPath) and returns where it went. */
export function writeResult(committed: string, text: string, write = writing()): string {
  const p = resultPath(committed, write);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

const TEXT = /\.(json|svg|md|txt|csv)$/;
/**
 * Files in a weights folder that no eval writes: the model card (edited by people, often while an
 * eval runs), the training log, its curves and the architecture config (written by training).
 * Watching them would put back their old text over edits made during the run.
 */
const NOT_RESULTS = /^(MODEL_CARD\.md|train-log\.json|config\.json|.*-curve\.svg)$/;

/** The result-like files (json, svg…) directly in `dir`, or named by `paths`. */
function watchedFiles(paths: readonly string[]): string[] {
  return paths.flatMap((p) =>
    fs.existsSync(p) && fs.statSync(p).isDirectory()
      ? fs
          .readdirSync(p)
          .filter((f) => TEXT.test(f) && !NOT_RESULTS.test(f))
          .map((f) => path.join(p, f))
      : [p],
  );
}

/**
 * For runs whose model code writes committed files itself (models/<name>/eval.ts, bench.ts):
 * without --write, every watched file `run` creates or changes is moved to a temporary folder
 * (printed) and the committed version put back, even when `run` throws.
 */
export async function keepCommitted(paths: readonly string[], run: () => Promise<unknown>, write = writing()): Promise<void> {
  if (write) {
    await run();
    return;
  }
  const before = new Map(watchedFiles(paths).map((f) => [f, fs.existsSync(f) ? fs.readFileSync(f) : null]));
  try {
    await run();
  } finally {
    let dir: string | null = null;
    for (const f of new Set([...before.keys(), ...watchedFiles(paths)])) {
      const old = before.get(f) ?? null;
      const now = fs.existsSync(f) ? fs.readFileSync(f) : null;
      if (now === null || (old !== null && now.equals(old))) continue;
      dir ??= tempDir();
      fs.writeFileSync(path.join(dir, path.basename(f)), now);
      if (old === null) fs.rmSync(f);
      else fs.writeFileSync(f, old);
      console.error(`[results] wrote ${path.join(dir, path.basename(f))} (${shown(f)} left as committed: run with ${WRITE_FLAG} to update it)`);
    }
  }
}
