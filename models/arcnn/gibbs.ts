// The AR-CNN sampler: DeepComposer's iterative CNN rewriter, run as Coconet's annealed blocked Gibbs
// (Huang et al. 2017) on the network's own per-voice-step distributions. The network is trained
// as an orderless NADE (./loss): given a roll with some voice-steps masked, it outputs for each
// masked (step, voice) a softmax over the 46 pitches plus REST. Each iteration masks a random block
// of the editable voice-steps (its share annealed from 0.9 down to 0.05 over the first 3/4 of the
// iterations, Coconet's schedule; the first iteration masks them all), runs the network once and
// redraws every masked voice-step from its conditional at the knob's temperature, in random order.
// DeepComposer's caps stay hard: a candidate is left out of a draw when taking it would put more
// than maxRemoveShare of the input's editable note cells out, or more than maxNotesAdded cells in;
// the voice-step's current input value always costs nothing, so a draw always has a candidate.
// Strict voice leading (the only non-likelihood constraint) leaves out the pitches that would form
// parallel fifths/octaves with the already-decided neighbours and renormalises. No rule picks a
// note: every pitch is drawn from the network's distribution.
import { GenerationAbortedError } from '../generator';
import { isParallel } from '../decoding/voice-leading';
import { tf } from '../runtime/index';
import type { Rng } from '../runtime/rng';
import { CLASSES, REST_ROW, ROLL_HIGH, ROLL_LOW, ROLL_PITCHES, VOICES, inChannels } from './config';
import { cellIndex, inputPlanes } from './encoding';
import { forward, type ArcnnNet } from './network';
import type { SamplerInput, SamplerKnobs, SamplerOptions, SamplerResult } from './sampler';

const TOP = ROLL_HIGH - ROLL_LOW;
/** A voice-step that keeps its input cells as they are (only for input chords: several cells). */
const KEEP = -2;
const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export interface GibbsSchedule {
  /** Annealing: block share from `maxShare` down to `minShare` over the first `eta` of the iterations. */
  maxShare?: number;
  minShare?: number;
  eta?: number;
  /**
   * Simulated annealing of the temperature: from `startTemperature` at the first iteration down
   * (geometrically) to the knob's temperature at `eta` of the iterations, then constant. Unset: the
   * knob's temperature throughout.
   */
  startTemperature?: number;
  /**
   * Steps per masking unit: a block is drawn over (voice, span of `chunk` steps) units rather than
   * single voice-steps, so a masked step cannot just copy its unmasked 16th neighbours (on a 16th
   * grid a voice mostly holds, and single-step masks let Gibbs freeze on held notes). Default 1.
   */
  chunk?: number;
}

/** Temperature at iteration n of N: geometric from t0 down to t1 over the first `eta` of the iterations. */
export function temperatureAt(n: number, N: number, t1: number, t0 = t1, eta = 0.75): number {
  const f = Math.min(1, n / Math.max(1, eta * N));
  return t0 * Math.pow(t1 / t0, f);
}

/** Coconet's schedule: share of the editable voice-steps masked at iteration n of N (all at n = 0). */
export function blockShare(n: number, N: number, maxShare = 0.9, minShare = 0.05, eta = 0.75): number {
  if (n === 0) return 1;
  return Math.max(minShare, maxShare - (n / (eta * N)) * (maxShare - minShare));
}

/**
 * Editable voice-steps: those with an editable cell and no sounding cell that is not editable (a
 * fixed note there locks the voice-step).
 */
export function editableVoiceSteps(steps: number, editable: Uint8Array, data?: Uint8Array): Uint8Array {
  const vs = new Uint8Array(steps * VOICES);
  const locked = new Uint8Array(steps * VOICES);
  for (let t = 0; t < steps; t++)
    for (let p = 0; p < ROLL_PITCHES; p++)
      for (let v = 0; v < VOICES; v++) {
        const c = cellIndex(t, p, v);
        if (editable[c]) vs[t * VOICES + v] = 1;
        else if (data?.[c]) locked[t * VOICES + v] = 1;
      }
  for (let i = 0; i < vs.length; i++) if (locked[i]) vs[i] = 0;
  return vs;
}

/**
 * What one iteration did, for the models page's "how it works" view (./explain.ts). The arrays are
 * the sampler's own buffers, valid only during the call: copy what you keep.
 */
export interface GibbsIterationTrace {
  iteration: number;
  /** Temperature this iteration's draws used. */
  temperature: number;
  /** Voice-steps (t * VOICES + v) masked and redrawn this iteration. */
  block: readonly number[];
  /** The network's logits for this iteration, [t][p][v] as cellIndex (row REST_ROW = rest class). */
  logits: Float32Array;
  /** The roll after the iteration's draws. */
  roll: Uint8Array;
}

export interface GibbsTraceOptions {
  /** Called after each iteration's draws; absent (normal sampling) it costs nothing. */
  onIteration?: (trace: GibbsIterationTrace) => void;
}

export async function sampleGibbs(net: ArcnnNet, input: SamplerInput, knobs: SamplerKnobs & GibbsSchedule, rng: Rng, opts: SamplerOptions & GibbsTraceOptions = {}): Promise<SamplerResult> {
  const { steps } = input.roll;
  const orig = input.roll.data;
  const cur = new Uint8Array(orig);
  const edVS = editableVoiceSteps(steps, input.editable, orig);
  const vsList: number[] = [];
  for (let i = 0; i < edVS.length; i++) if (edVS[i]) vsList.push(i);

  // Per editable voice-step: its input rows, its current class, and what that class costs.
  const inRows = new Map<number, number[]>();
  const cls = new Int16Array(steps * VOICES).fill(REST_ROW);
  let inputEditableOn = 0;
  for (const vs of vsList) {
    const t = Math.floor(vs / VOICES);
    const v = vs % VOICES;
    const rows: number[] = [];
    for (let p = 0; p <= TOP; p++) if (orig[cellIndex(t, p, v)]) rows.push(p);
    inRows.set(vs, rows);
    inputEditableOn += rows.length;
    cls[vs] = rows.length === 0 ? REST_ROW : rows.length === 1 ? rows[0]! : KEEP;
  }
  const removedBy = (vs: number, x: number): number => (x === KEEP ? 0 : inRows.get(vs)!.filter((p) => p !== x).length);
  const addedBy = (vs: number, x: number): number => (x >= 0 && x <= TOP && !inRows.get(vs)!.includes(x) ? 1 : 0);
  const maxRemove = Math.floor(knobs.maxRemoveShare * inputEditableOn + 1e-9);
  const maxAdd = knobs.maxNotesAdded;
  let removed = 0;
  let added = 0;

  // The sounding pitch (MIDI) of every voice-step, -1 if silent or undecided (the highest of a chord).
  const pitchAt = new Int16Array(steps * VOICES).fill(-1);
  for (let t = 0; t < steps; t++)
    for (let v = 0; v < VOICES; v++)
      for (let p = TOP; p >= 0; p--)
        if (cur[cellIndex(t, p, v)]) {
          pitchAt[t * VOICES + v] = p + ROLL_LOW;
          break;
        }
  const at = (t: number, v: number): number => (t < 0 || t >= steps ? -1 : pitchAt[t * VOICES + v]!);
  const setVS = (vs: number, x: number | null): void => {
    const t = Math.floor(vs / VOICES);
    const v = vs % VOICES;
    for (let p = 0; p <= TOP; p++) cur[cellIndex(t, p, v)] = 0;
    if (x === null) return void (pitchAt[vs] = -1);
    cls[vs] = x;
    if (x === KEEP) for (const p of inRows.get(vs)!) cur[cellIndex(t, p, v)] = 1;
    else if (x <= TOP) cur[cellIndex(t, x, v)] = 1;
    const rows = x === KEEP ? inRows.get(vs)! : x <= TOP ? [x] : [];
    pitchAt[vs] = rows.length ? Math.max(...rows) + ROLL_LOW : -1;
  };
  const makesParallel = (t: number, v: number, pitch: number): boolean => {
    const before = at(t - 1, v);
    const after = at(t + 1, v);
    for (let u = 0; u < VOICES; u++) {
      if (u === v) continue;
      if (before !== pitch && isParallel(before, pitch, at(t - 1, u), at(t, u))) return true;
      if (after !== pitch && isParallel(pitch, after, at(t, u), at(t + 1, u))) return true;
    }
    return false;
  };

  const strict = knobs.strictVoiceLeading ?? true;
  const ch = inChannels(net.config);
  const planes = new Float32Array(steps * ROLL_PITCHES * ch);
  const mask = new Uint8Array(steps * VOICES);
  const cand = new Int16Array(CLASSES + 1);
  const w = new Float64Array(CLASSES + 1);
  const w0 = new Float64Array(CLASSES + 1);
  const chunk = Math.max(1, Math.floor(knobs.chunk ?? 1));
  let draws = 0;
  let it = 0;
  for (; it < knobs.iterations && vsList.length > 0; it++) {
    if (opts.signal?.aborted) throw new GenerationAbortedError();
    const share = blockShare(it, knobs.iterations, knobs.maxShare, knobs.minShare, knobs.eta);
    const invT = 1 / temperatureAt(it, knobs.iterations, knobs.temperature, knobs.startTemperature, knobs.eta);
    let block: number[];
    if (it === 0) block = [...vsList];
    else if (chunk <= 1) block = vsList.filter(() => rng.next() < share);
    else {
      const chosen = new Map<number, boolean>();
      block = vsList.filter((vs) => {
        const key = Math.floor(vs / VOICES / chunk) * VOICES + (vs % VOICES);
        let c = chosen.get(key);
        if (c === undefined) chosen.set(key, (c = rng.next() < share));
        return c;
      });
    }
    if (block.length === 0) block.push(vsList[rng.int(vsList.length)]!);
    rng.shuffle(block);
    mask.fill(0);
    for (const vs of block) {
      mask[vs] = 1;
      // Undecided: it costs nothing until drawn again.
      removed -= removedBy(vs, cls[vs]!);
      added -= addedBy(vs, cls[vs]!);
      setVS(vs, null);
    }
    inputPlanes({ steps, data: cur, levels: input.roll.levels }, mask, planes, net.config);
    const logits = tf.tidy(() => forward(net, tf.tensor4d(planes, [1, steps, ROLL_PITCHES, ch])));
    const l = (await logits.data()) as Float32Array;
    logits.dispose();
    for (const vs of block) {
      const t = Math.floor(vs / VOICES);
      const v = vs % VOICES;
      const rows = inRows.get(vs)!;
      // Candidates: every class whose cost keeps both caps, plus KEEP for an input chord.
      let n = 0;
      let max = -Infinity;
      const push = (x: number, logit: number): void => {
        cand[n] = x;
        w[n] = logit * invT;
        if (w[n]! > max) max = w[n]!;
        n++;
      };
      for (let x = 0; x < CLASSES; x++) {
        if (removed + removedBy(vs, x) > maxRemove || added + addedBy(vs, x) > maxAdd) continue;
        push(x, l[cellIndex(t, x, v)]!);
      }
      if (rows.length > 1) push(KEEP, l[cellIndex(t, rows[rows.length - 1]!, v)]!);
      let total = 0;
      for (let i = 0; i < n; i++) total += w0[i] = w[i] = Math.exp(w[i]! - max);
      if (strict) {
        let kept = 0;
        for (let i = 0; i < n; i++) {
          const x = cand[i]!;
          if (x >= 0 && x <= TOP && makesParallel(t, v, x + ROLL_LOW)) w[i] = 0;
          kept += w[i]!;
        }
        // Every candidate masked (practically never): draw from the unconstrained distribution.
        if (kept > 0) total = kept;
        else w.set(w0);
      }
      let u = rng.next() * total;
      let pick = -1;
      for (let i = 0; i < n; i++) {
        if (w[i]! <= 0) continue;
        pick = i;
        if ((u -= w[i]!) < 0) break;
      }
      const x = cand[pick]!;
      removed += removedBy(vs, x);
      added += addedBy(vs, x);
      setVS(vs, x);
      draws++;
    }
    opts.onIteration?.({ iteration: it, temperature: 1 / invT, block, logits: l, roll: cur });
    opts.onProgress?.((it + 1) / knobs.iterations);
    await yieldToEventLoop();
  }
  let addedCells = 0;
  let removedCells = 0;
  for (let c = 0; c < cur.length; c++) {
    if (cur[c] && !orig[c]) addedCells++;
    if (!cur[c] && orig[c]) removedCells++;
  }
  return { roll: { steps, data: cur, levels: input.roll.levels }, iterations: it, toggles: draws, added: addedCells, removed: removedCells };
}
