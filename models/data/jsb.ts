// The JSB Chorales (Bach's four-part chorale harmonisations), voice-separated at 16th-note steps
// (Coconet's Jsb16thSeparated.json, with Boulanger-Lewandowski's train/valid/test split). The
// files live outside the repo (../shared/data/jsb-chorales, or env TUTTI_JSB_DIR); never copied
// in, and the `test` split is for evaluation only.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readModelsEnv } from '../env';

/** [step][S, A, T, B]: a MIDI pitch or -1 (rest) per voice, one step per 16th note. */
export type Chorale = number[][];
export type JsbSplit = 'train' | 'valid' | 'test';
export interface JsbData {
  train: Chorale[];
  valid: Chorale[];
  test: Chorale[];
}

/** Pitch window of the whole corpus, inclusive (MIDI 36 = C2, 81 = A5). */
export const PITCH_LOW = 36;
export const PITCH_HIGH = 81;
export const NUM_PITCHES = PITCH_HIGH - PITCH_LOW + 1;
export const VOICES = ['soprano', 'alto', 'tenor', 'bass'] as const;
export type Voice = (typeof VOICES)[number];
export const STEPS_PER_BAR = 16;
/** The rest value in a Chorale. */
export const REST = -1;
export const JSB_FILE = 'Jsb16thSeparated.json';
export const JSB_SPLIT_SIZES = { train: 229, valid: 76, test: 77 } as const;

const SOURCE =
  'The JSB Chorales come from github.com/czhuang/JSB-Chorales-dataset (commit 9a7f733d, file ' +
  `${JSB_FILE}); put the four JSON files in ../shared/data/jsb-chorales next to the repo, or set ` +
  'TUTTI_JSB_DIR to their directory. See that directory\'s README.md.';

export class JsbMissingError extends Error {
  constructor(readonly dir: string) {
    super(`JSB Chorales not found: ${path.join(dir, JSB_FILE)} does not exist. ${SOURCE}`);
    this.name = 'JsbMissingError';
  }
}

export class JsbFormatError extends Error {
  constructor(message: string) {
    super(`malformed ${JSB_FILE}: ${message}`);
    this.name = 'JsbFormatError';
  }
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the data is read from: env TUTTI_JSB_DIR, else <repo>/../shared/data/jsb-chorales. */
export function jsbDir(): string {
  const env = readModelsEnv().TUTTI_JSB_DIR;
  return env ? path.resolve(env) : path.resolve(REPO_ROOT, '..', 'shared', 'data', 'jsb-chorales');
}

export function jsbAvailable(): boolean {
  return fs.existsSync(path.join(jsbDir(), JSB_FILE));
}

function validate(raw: unknown): JsbData {
  if (typeof raw !== 'object' || raw === null) throw new JsbFormatError('top level is not an object');
  const out: Partial<JsbData> = {};
  for (const split of ['train', 'valid', 'test'] as const) {
    const list = (raw as Record<string, unknown>)[split];
    if (!Array.isArray(list)) throw new JsbFormatError(`split "${split}" is missing`);
    out[split] = list.map((ch, i) => {
      if (!Array.isArray(ch) || ch.length === 0) throw new JsbFormatError(`${split}[${i}] is not a list of steps`);
      return ch.map((step, t) => {
        if (!Array.isArray(step) || step.length !== VOICES.length) throw new JsbFormatError(`${split}[${i}][${t}] does not have 4 voices`);
        return step.map((p) => {
          const n = Math.round(Number(p));
          if (n !== REST && !(n >= PITCH_LOW && n <= PITCH_HIGH)) throw new JsbFormatError(`${split}[${i}][${t}] has pitch ${String(p)} outside ${PITCH_LOW}..${PITCH_HIGH}`);
          return n;
        });
      });
    });
  }
  return out as JsbData;
}

const cache = new Map<string, JsbData>();

/** Loads and validates all three splits (cached per directory). Callers must not mutate the result. */
export function loadJsb(): JsbData {
  const dir = jsbDir();
  const hit = cache.get(dir);
  if (hit) return hit;
  const file = path.join(dir, JSB_FILE);
  if (!fs.existsSync(file)) throw new JsbMissingError(dir);
  const data = validate(JSON.parse(fs.readFileSync(file, 'utf8')));
  cache.set(dir, data);
  return data;
}

/** Steps of a chorale in whole bars (the corpus has no meter; we assume 4/4 as Coconet does). */
export function choraleBars(ch: Chorale): number {
  return Math.floor(ch.length / STEPS_PER_BAR);
}
