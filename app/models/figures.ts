// Eval JSON → the figures the /models page shows next to Bach's. Pure. The three models' evals
// write the same harmony keys (models/metrics/harmony.ts: `X` and `bach_X`) but in different
// places: the GAN at the top level, the AR-CNN under `merged_harmony`, and other runs may nest
// them elsewhere. So the figures are looked up by key, not by a fixed path, and a key that is not
// there is shown as "not measured", never guessed.

export const HARMONY_FIGURES = [
  { key: 'parallels_per_bar', label: 'parallel 5ths/8ves per bar', format: 'number' },
  { key: 'onset_consonance', label: 'onset consonance', format: 'number' },
  { key: 'bass_consonance', label: 'bass consonance', format: 'number' },
  { key: 'chord_at_onsets', label: 'triad/7th at melody onsets', format: 'number' },
  { key: 'share_16th', label: 'single-16th accompaniment notes', format: 'percent' },
  { key: 'crossings', label: 'voice crossings (steps)', format: 'percent' },
  { key: 'above_melody', label: 'accompaniment above the melody', format: 'percent' },
  { key: 'in_key', label: 'in key (melody’s key)', format: 'number' },
] as const;
export type HarmonyKey = (typeof HARMONY_FIGURES)[number]['key'];

export interface HarmonyRow {
  key: HarmonyKey;
  label: string;
  format: 'number' | 'percent';
  model: number | null;
  /** The same model with strict voice leading off (`parallels_per_bar_unconstrained`, `unconstrained_X`). */
  unconstrained: number | null;
  bach: number | null;
  targetMet: boolean | null;
}
export interface HarmonyTable {
  /** Where the figures were found, e.g. "eval-results.json → merged_harmony". */
  source: string;
  split: string | null;
  melodies: number | null;
  seeds: number[] | null;
  rows: HarmonyRow[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The object itself, then its nested objects (breadth first, two levels), each with its path. */
function candidates(root: Obj, file: string): Array<{ path: string; obj: Obj }> {
  const out = [{ path: file, obj: root }];
  for (let i = 0; i < out.length && i < 64; i++) {
    const { path, obj } = out[i]!;
    if (path.split(' → ').length > 2) continue;
    for (const [k, v] of Object.entries(obj)) if (isObj(v)) out.push({ path: `${path} → ${k}`, obj: v });
  }
  return out;
}

const harmonyScore = (o: Obj): number => HARMONY_FIGURES.filter((f) => num(o[f.key]) !== null || num(o[`bach_${f.key}`]) !== null).length;

/**
 * The harmony figures of the first eval file that has any. Prefers `merged_harmony` (the AR-CNN's
 * all-seeds figures) over a single run, then the object with the most harmony keys.
 */
export function findHarmony(files: Array<{ name: string; json: unknown }>): HarmonyTable | null {
  for (const f of files) {
    if (!isObj(f.json)) continue;
    const found = candidates(f.json, f.name)
      .map((c) => ({ ...c, score: harmonyScore(c.obj) + (c.path.endsWith('merged_harmony') ? 0.5 : 0) }))
      .filter((c) => c.score >= 1)
      .sort((a, b) => b.score - a.score)[0];
    if (!found) continue;
    const o = found.obj;
    const met = isObj(o.harmony_targets_met) ? o.harmony_targets_met : {};
    const rows: HarmonyRow[] = HARMONY_FIGURES.map((h) => ({
      key: h.key,
      label: h.label,
      format: h.format,
      model: num(o[h.key]),
      unconstrained: num(o[h.key === 'parallels_per_bar' ? 'parallels_per_bar_unconstrained' : `unconstrained_${h.key}`]),
      bach: num(o[`bach_${h.key}`]),
      targetMet: typeof met[h.key] === 'boolean' ? (met[h.key] as boolean) : null,
    }));
    const seeds = Array.isArray(o.harmony_seeds) && o.harmony_seeds.every((s) => typeof s === 'number') ? (o.harmony_seeds as number[]) : null;
    return { source: found.path, split: typeof o.harmony_split === 'string' ? o.harmony_split : null, melodies: num(o.harmony_melodies), seeds, rows };
  }
  return null;
}

export interface TwinRow {
  key: string;
  model: number;
  real: number;
}
/**
 * Style metrics next to the real chorales': `X` with `data_X` (the GAN), or a `harmonization`
 * object with a `real_chorales` one (the AR-CNN). The first object in the files that has any.
 */
export function findRealTwins(files: Array<{ name: string; json: unknown }>): { source: string; rows: TwinRow[] } | null {
  for (const f of files) {
    if (!isObj(f.json)) continue;
    for (const c of candidates(f.json, f.name)) {
      const o = c.obj;
      const rows: TwinRow[] = [];
      for (const [k, v] of Object.entries(o)) {
        const real = num(o[`data_${k}`]);
        if (!k.startsWith('data_') && num(v) !== null && real !== null) rows.push({ key: k, model: v as number, real });
      }
      if (isObj(o.harmonization) && isObj(o.real_chorales)) {
        for (const [k, v] of Object.entries(o.harmonization)) {
          const real = num(o.real_chorales[k]);
          if (num(v) !== null && real !== null) rows.push({ key: k, model: v as number, real });
        }
      }
      if (rows.length) return { source: c.path, rows };
    }
  }
  return null;
}

/** Every number in an eval file as (dotted path, value), for the complete listing. */
export function flattenFigures(json: unknown, prefix = '', out: Array<[string, number | string | boolean]> = []): Array<[string, number | string | boolean]> {
  if (Array.isArray(json) && json.every((v) => typeof v === 'number')) {
    out.push([prefix, json.join(', ')]);
  } else if (Array.isArray(json) || isObj(json)) {
    for (const [k, v] of Object.entries(json)) flattenFigures(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (typeof json === 'number' || typeof json === 'string' || typeof json === 'boolean') {
    out.push([prefix, json]);
  }
  return out;
}
