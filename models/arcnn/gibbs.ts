// Annealed blocked Gibbs for the AR-CNN (Coconet, Huang et al. 2017), used when a request writes
// whole voices from nothing (harmonise/accompany with the caps left open). The network's toggle
// logits restricted to one silent voice-step's pitch cells are its conditional p(pitch | the rest
// of the roll) — the same reading the infill NLL uses. Each iteration erases a random block of the
// editable voice-steps (a share annealed from 0.9 down to 0.05, Coconet's schedule), runs the
// network once and draws every erased voice-step from its conditional at the knob's temperature.
// The first iteration draws every editable voice-step (the whole block is empty). Strict voice
// leading masks, per voice-step, the pitches that would form parallel fifths/octaves with the
// current neighbours and renormalises; the block is drawn in random order so each draw sees the
// ones before it. No rule picks a note: every pitch is drawn from the network's distribution.
import { GenerationAbortedError } from '../generator';
import { isParallel } from '../decoding/voice-leading';
import { tf } from '../runtime/index';
import type { Rng } from '../runtime/rng';
import { ROLL_HIGH, ROLL_LOW, ROLL_PITCHES, VOICES, inChannels } from './config';
import { inputPlanes, type VoiceRoll } from './encoding';
import { forward, type ArcnnNet } from './network';
import type { SamplerOptions, SamplerResult } from './sampler';

const TOP = ROLL_HIGH - ROLL_LOW;
const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export interface GibbsKnobs {
  iterations: number;
  temperature: number;
  strictVoiceLeading?: boolean;
  /** Annealing: block share from `maxShare` down to `minShare` over the first `eta` of the iterations. */
  maxShare?: number;
  minShare?: number;
  eta?: number;
  /**
   * Mark every editable voice-step as editable in the network's input (as its "harmonise" training
   * pairs do), not only the erased block (as its infill pairs do).
   */
  markAll?: boolean;
}

/** Coconet's schedule: share of the editable voice-steps erased at iteration n of N. */
export function blockShare(n: number, N: number, maxShare = 0.9, minShare = 0.05, eta = 0.75): number {
  if (n === 0) return 1;
  return Math.max(minShare, maxShare - (n / (eta * N)) * (maxShare - minShare));
}

/**
 * `editableVS` [t][v] marks the voice-steps to write (their cells must be silent or theirs to
 * overwrite); every other cell of `roll` is fixed context.
 */
export async function sampleGibbs(net: ArcnnNet, roll: VoiceRoll, editableVS: Uint8Array, knobs: GibbsKnobs, rng: Rng, opts: SamplerOptions = {}): Promise<SamplerResult> {
  const { steps } = roll;
  const cur = new Uint8Array(roll.data);
  const input = roll.data;
  const strict = knobs.strictVoiceLeading ?? true;
  const vsList: number[] = [];
  for (let i = 0; i < editableVS.length; i++) if (editableVS[i]) vsList.push(i);
  const pitchAt = new Int16Array(steps * VOICES).fill(-1);
  for (let t = 0; t < steps; t++)
    for (let v = 0; v < VOICES; v++)
      for (let p = TOP; p >= 0; p--)
        if (cur[(t * ROLL_PITCHES + p) * VOICES + v]) {
          pitchAt[t * VOICES + v] = p + ROLL_LOW;
          break;
        }
  const at = (t: number, v: number): number => (t < 0 || t >= steps ? -1 : pitchAt[t * VOICES + v]!);
  const setVS = (vs: number, pitch: number): void => {
    const t = Math.floor(vs / VOICES);
    const v = vs % VOICES;
    for (let p = 0; p < ROLL_PITCHES; p++) cur[(t * ROLL_PITCHES + p) * VOICES + v] = 0;
    if (pitch >= 0) cur[(t * ROLL_PITCHES + pitch - ROLL_LOW) * VOICES + v] = 1;
    pitchAt[vs] = pitch;
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

  const ch = inChannels(net.config);
  const planes = new Float32Array(steps * ROLL_PITCHES * ch);
  const mask = new Uint8Array(steps * VOICES);
  const w = new Float64Array(TOP + 1);
  const invT = 1 / knobs.temperature;
  let toggles = 0;
  let it = 0;
  for (; it < knobs.iterations && vsList.length > 0; it++) {
    if (opts.signal?.aborted) throw new GenerationAbortedError();
    const share = blockShare(it, knobs.iterations, knobs.maxShare, knobs.minShare, knobs.eta);
    const block = it === 0 ? [...vsList] : vsList.filter(() => rng.next() < share);
    if (block.length === 0) block.push(vsList[rng.int(vsList.length)]!);
    rng.shuffle(block);
    if (knobs.markAll) mask.set(editableVS);
    else mask.fill(0);
    for (const vs of block) {
      mask[vs] = 1;
      setVS(vs, -1);
    }
    inputPlanes({ steps, data: cur }, mask, planes, net.config.pcProfile);
    const logits = tf.tidy(() => forward(net, tf.tensor4d(planes, [1, steps, ROLL_PITCHES, ch])));
    const l = (await logits.data()) as Float32Array;
    logits.dispose();
    for (const vs of block) {
      const t = Math.floor(vs / VOICES);
      const v = vs % VOICES;
      let max = -Infinity;
      for (let p = 0; p <= TOP; p++) max = Math.max(max, l[(t * ROLL_PITCHES + p) * VOICES + v]! * invT);
      let total = 0;
      for (let p = 0; p <= TOP; p++) total += w[p] = Math.exp(l[(t * ROLL_PITCHES + p) * VOICES + v]! * invT - max);
      if (strict) {
        let kept = 0;
        for (let p = 0; p <= TOP; p++) if (w[p]! > 0 && makesParallel(t, v, p + ROLL_LOW)) w[p] = 0;
        for (let p = 0; p <= TOP; p++) kept += w[p]!;
        // Every candidate masked (practically never): draw from the unmasked distribution.
        if (kept > 0) total = kept;
        else for (let p = 0; p <= TOP; p++) w[p] = Math.exp(l[(t * ROLL_PITCHES + p) * VOICES + v]! * invT - max);
      }
      let u = rng.next() * total;
      let pick = TOP;
      for (let p = 0; p <= TOP; p++) if ((u -= w[p]!) < 0 && w[p]! > 0) ((pick = p), (p = TOP + 1));
      setVS(vs, pick + ROLL_LOW);
      toggles++;
    }
    opts.onProgress?.((it + 1) / knobs.iterations);
    await yieldToEventLoop();
  }
  let added = 0;
  let removed = 0;
  for (let c = 0; c < cur.length; c++) {
    if (cur[c] && !input[c]) added++;
    if (!cur[c] && input[c]) removed++;
  }
  return { roll: { steps, data: cur }, iterations: it, toggles, added, removed };
}
