// The AR-CNN sampler: DeepComposer's iterative editing. Each iteration runs the U-Net once on the
// current roll and toggles cell(s) drawn from softmax(logits / T) over the cells it may still
// toggle (T = temperature). The four knobs: iterations, the share of input cells that may be removed, the number of new cells
// that may be added, temperature; the editable mask carries region, target tracks and the fixed
// melody. Two additions over DeepComposer, both for JSB-style voices:
//  - voices are monophonic: switching on a pitch in a voice that already sounds another pitch at
//    that step moves the voice (the old cell is switched off, under the same caps);
//  - blocked updates: while editable voice-steps are still silent, one iteration toggles several
//    cells (without replacement, like Coconet's blocked Gibbs), so harmonising 8 bars from
//    nothing fits in 100 network evaluations; once every editable voice-step sounds, it is one
//    toggle per iteration as in DeepComposer.
import { GenerationAbortedError } from '../generator';
import { tf } from '../runtime/index';
import type { Rng } from '../runtime/rng';
import { isParallel } from '../decoding/voice-leading';
import { ROLL_LOW, ROLL_PITCHES, VOICES, inChannels } from './config';
import { inputPlanes, type VoiceRoll } from './encoding';
import { forward, type ArcnnNet } from './network';

export interface SamplerKnobs {
  iterations: number;
  /** Max share (0–1) of the input's editable sounding cells that may end up removed. */
  maxRemoveShare: number;
  /** Max number of cells sounding at the end that were silent in the input. */
  maxNotesAdded: number;
  /** Softmax temperature ("creative risk"); > 0. */
  temperature: number;
  /**
   * Strict voice leading (default true): a cell that would put its voice into parallel fifths or
   * octaves with another voice (the melody included) across either neighbouring step, as the roll
   * stands, is left out of the softmax, which renormalises over the rest (../decoding/voice-leading).
   */
  strictVoiceLeading?: boolean;
}

export interface SamplerInput {
  roll: VoiceRoll;
  /** [t][p][v] 0/1: cells the sampler may toggle (region × editable voices × pitch window). */
  editable: Uint8Array;
}

export interface SamplerResult {
  roll: VoiceRoll;
  iterations: number;
  toggles: number;
  /** Cells sounding at the end that were silent in the input. */
  added: number;
  /** Input cells silent at the end. */
  removed: number;
}

export interface SamplerOptions {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  /** Extra cells per iteration while voice-steps are empty: k = ceil(fill · empty / left). */
  fill?: number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Editable (step, voice) pairs: the net's mask planes. */
export function editableVoiceSteps(steps: number, editable: Uint8Array): Uint8Array {
  const vs = new Uint8Array(steps * VOICES);
  for (let t = 0; t < steps; t++)
    for (let p = 0; p < ROLL_PITCHES; p++)
      for (let v = 0; v < VOICES; v++) if (editable[(t * ROLL_PITCHES + p) * VOICES + v]) vs[t * VOICES + v] = 1;
  return vs;
}

export async function sampleEdits(net: ArcnnNet, input: SamplerInput, knobs: SamplerKnobs, rng: Rng, opts: SamplerOptions = {}): Promise<SamplerResult> {
  const { steps } = input.roll;
  const orig = input.roll.data;
  const cur = new Uint8Array(orig);
  const ed = input.editable;
  const n = cur.length;
  const edVS = editableVoiceSteps(steps, ed);
  // Per voice-step: sounding cells that came with the input / that the sampler added, and whether
  // a sounding cell is not ours to touch (then the voice-step cannot take a move).
  const soundIn = new Int32Array(steps * VOICES);
  const soundNew = new Int32Array(steps * VOICES);
  const lockedOn = new Uint8Array(steps * VOICES);
  const voiceStepOf = (c: number): number => Math.floor(c / (ROLL_PITCHES * VOICES)) * VOICES + (c % VOICES);
  let inputEditableOn = 0;
  for (let c = 0; c < n; c++) {
    if (!cur[c]) continue;
    const vs = voiceStepOf(c);
    soundIn[vs]!++;
    if (ed[c]) inputEditableOn++;
    else lockedOn[vs] = 1;
  }
  const maxRemove = Math.floor(knobs.maxRemoveShare * inputEditableOn + 1e-9);
  const maxAdd = knobs.maxNotesAdded;
  let added = 0;
  let removed = 0;
  let toggles = 0;
  const ch = inChannels(net.config);
  const planes = new Float32Array(steps * ROLL_PITCHES * ch);
  const fill = opts.fill ?? 1.5;
  const invT = 1 / knobs.temperature;

  /** Other sounding cells of c's voice-step (those a move would switch off). */
  const others = (c: number): number[] => {
    const t = Math.floor(c / (ROLL_PITCHES * VOICES));
    const v = c % VOICES;
    const out: number[] = [];
    for (let p = 0; p < ROLL_PITCHES; p++) {
      const o = (t * ROLL_PITCHES + p) * VOICES + v;
      if (o !== c && cur[o]) out.push(o);
    }
    return out;
  };
  /** Can c be toggled now (with the move it implies) and every cap still hold afterwards? */
  const allowed = (c: number): boolean => {
    if (cur[c]) return orig[c] ? removed < maxRemove : true;
    const vs = voiceStepOf(c);
    if (lockedOn[vs]) return false;
    // c is silent, so every sounding cell of its voice-step is switched off by the move.
    const addedAfter = added + (orig[c] ? 0 : 1) - soundNew[vs]!;
    const removedAfter = removed - (orig[c] ? 1 : 0) + soundIn[vs]!;
    return addedAfter <= maxAdd && removedAfter <= maxRemove;
  };
  // The pitch (MIDI) each voice-step sounds, -1 if none (the highest when a voice-step holds several).
  const vsPitch = new Int16Array(steps * VOICES).fill(-1);
  const rescan = (vs: number): void => {
    const t = Math.floor(vs / VOICES);
    const v = vs % VOICES;
    vsPitch[vs] = -1;
    for (let p = ROLL_PITCHES - 1; p >= 0; p--) if (cur[(t * ROLL_PITCHES + p) * VOICES + v]) ((vsPitch[vs] = p + ROLL_LOW), (p = -1));
  };
  for (let vs = 0; vs < vsPitch.length; vs++) rescan(vs);
  const strict = knobs.strictVoiceLeading ?? true;
  const at = (t: number, v: number): number => (t < 0 || t >= steps ? -1 : vsPitch[t * VOICES + v]!);
  /** Would switching on c (voice v sings its pitch at t) form a parallel with a neighbouring step? */
  const makesParallel = (c: number): boolean => {
    const t = Math.floor(c / (ROLL_PITCHES * VOICES));
    const v = c % VOICES;
    const pitch = Math.floor(c / VOICES) % ROLL_PITCHES + ROLL_LOW;
    const before = at(t - 1, v);
    const after = at(t + 1, v);
    for (let u = 0; u < VOICES; u++) {
      if (u === v) continue;
      if (before !== pitch && isParallel(before, pitch, at(t - 1, u), at(t, u))) return true;
      if (after !== pitch && isParallel(pitch, after, at(t, u), at(t + 1, u))) return true;
    }
    return false;
  };
  const setCell = (c: number, on: boolean): void => {
    cur[c] = on ? 1 : 0;
    const vs = voiceStepOf(c);
    rescan(vs);
    const d = on ? 1 : -1;
    if (orig[c]) ((soundIn[vs]! += d), (removed -= d));
    else ((soundNew[vs]! += d), (added += d));
    toggles++;
  };

  const cand: number[] = [];
  for (let c = 0; c < n; c++) if (ed[c]) cand.push(c);
  const cells = new Int32Array(cand.length);
  const w = new Float64Array(cand.length);
  let it = 0;
  for (; it < knobs.iterations; it++) {
    if (opts.signal?.aborted) throw new GenerationAbortedError();
    inputPlanes({ steps, data: cur }, edVS, planes, net.config.pcProfile);
    const logits = tf.tidy(() => forward(net, tf.tensor4d(planes, [1, steps, ROLL_PITCHES, ch])));
    const l = (await logits.data()) as Float32Array;
    logits.dispose();

    let empty = 0;
    for (let i = 0; i < edVS.length; i++) if (edVS[i] && soundIn[i]! + soundNew[i]! === 0) empty++;
    const k = Math.max(1, Math.ceil((fill * empty) / (knobs.iterations - it)));
    // k draws without replacement from softmax(l / T) over the cells allowed now (sequential
    // draws on the unnormalised weights: one exp per cell, one uniform per draw).
    let m = 0;
    let maxL = -Infinity;
    for (let i = 0; i < cand.length; i++) {
      const c = cand[i]!;
      if (!allowed(c)) continue;
      if (strict && !cur[c] && makesParallel(c)) continue;
      cells[m] = c;
      w[m] = l[c]! * invT;
      if (w[m]! > maxL) maxL = w[m]!;
      m++;
    }
    if (m === 0) break;
    let total = 0;
    for (let i = 0; i < m; i++) total += w[i] = Math.exp(w[i]! - maxL);
    const picks: number[] = [];
    for (let d = 0; d < Math.min(k, m) && total > 0; d++) {
      let u = rng.next() * total;
      let i = 0;
      for (; i < m - 1; i++) if ((u -= w[i]!) <= 0 && w[i]! > 0) break;
      while (w[i] === 0 && i > 0) i--; // float round-off past the end: take the last live cell
      picks.push(cells[i]!);
      total -= w[i]!;
      w[i] = 0;
    }
    const touched = new Set<number>();
    for (const c of picks) {
      const vs = voiceStepOf(c);
      // Re-checked: an earlier pick of the same block may have changed this cell's neighbours.
      if (touched.has(vs) || !allowed(c) || (strict && !cur[c] && makesParallel(c))) continue;
      touched.add(vs);
      if (cur[c]) setCell(c, false);
      else {
        for (const o of others(c)) setCell(o, false);
        setCell(c, true);
      }
    }
    opts.onProgress?.((it + 1) / knobs.iterations);
    await yieldToEventLoop();
  }
  return { roll: { steps, data: cur }, iterations: it, toggles, added, removed };
}
