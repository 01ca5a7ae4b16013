// Encoding: chorales and sampler states as the network's input planes, and DeepComposer's training
// pairs. A voice roll is a binary [time][pitch 48][voice 4] grid (Uint8Array, row-major); the net
// sees it plus, per voice, a plane marking the time steps it may edit, plus a pitch-height ramp
// (convolutions are pitch-shift invariant; the ramp tells them which register they are in).
import type { Rng } from '../runtime/rng';
import type { Chorale } from '../data/jsb';
import { IN_CHANNELS, PC_CHANNELS, ROLL_HIGH, ROLL_LOW, ROLL_PITCHES, VOICES } from './config';

export interface VoiceRoll {
  steps: number;
  /** [t][p][v] → 0/1 at (t * ROLL_PITCHES + p) * VOICES + v. */
  data: Uint8Array;
}

export const cellIndex = (t: number, p: number, v: number): number => (t * ROLL_PITCHES + p) * VOICES + v;

export function emptyRoll(steps: number): VoiceRoll {
  return { steps, data: new Uint8Array(steps * ROLL_PITCHES * VOICES) };
}

/** A chorale (optionally transposed) as a voice roll; `steps` ≥ the chorale pads with silence. */
export function choraleToVoiceRoll(ch: Chorale, transpose = 0, steps = ch.length): VoiceRoll {
  const roll = emptyRoll(steps);
  for (let t = 0; t < Math.min(steps, ch.length); t++) {
    for (let v = 0; v < VOICES; v++) {
      const midi = ch[t]![v]!;
      if (midi < 0) continue;
      const p = midi + transpose - ROLL_LOW;
      if (p < 0 || p > ROLL_HIGH - ROLL_LOW) throw new Error(`pitch ${midi + transpose} outside the roll`);
      roll.data[cellIndex(t, p, v)] = 1;
    }
  }
  return roll;
}

/** Transpositions (semitones, within ±6) that keep every note of a chorale inside 36–81. */
export function legalTranspositions(ch: Chorale): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const step of ch) for (const m of step) if (m >= 0) ((lo = Math.min(lo, m)), (hi = Math.max(hi, m)));
  const out: number[] = [];
  for (let s = -6; s <= 6; s++) if (lo + s >= ROLL_LOW && hi + s <= ROLL_HIGH) out.push(s);
  return out.length > 0 ? out : [0];
}

/** A random window of `steps` 16ths from a random chorale, randomly transposed. */
export function randomWindow(chorales: readonly Chorale[], steps: number, rng: Rng): VoiceRoll {
  const ch = chorales[rng.int(chorales.length)]!;
  const start = ch.length > steps ? rng.int(Math.floor((ch.length - steps) / 4) + 1) * 4 : 0;
  const win = ch.slice(start, start + steps);
  const tr = legalTranspositions(win);
  return choraleToVoiceRoll(win, tr[rng.int(tr.length)]!, steps);
}

/**
 * Input planes [t][p][channels] for one roll: voices 0–3, editable masks 4–7 (1 on every pitch
 * of a (step, voice) the sampler may edit), pitch ramp 8. `editableVS` is [t][v] 0/1. With
 * `profile`, planes 9–10 hold the pitch-class profile of the whole window broadcast onto every
 * cell of that pitch class: 9 counts only fixed (non-editable) sounding cells, the given context
 * such as a melody; 10 counts every sounding cell. Each is scaled so its largest class is 1.
 */
export function inputPlanes(roll: VoiceRoll, editableVS: Uint8Array, out?: Float32Array, profile = false): Float32Array {
  const { steps, data } = roll;
  const ch = IN_CHANNELS + (profile ? PC_CHANNELS : 0);
  const x = out ?? new Float32Array(steps * ROLL_PITCHES * ch);
  const fixedPc = new Float64Array(12);
  const allPc = new Float64Array(12);
  if (profile) {
    for (let t = 0; t < steps; t++) {
      for (let p = 0; p < ROLL_PITCHES; p++) {
        const c = (t * ROLL_PITCHES + p) * VOICES;
        for (let v = 0; v < VOICES; v++) {
          if (!data[c + v]) continue;
          const pc = (p + ROLL_LOW) % 12;
          allPc[pc]!++;
          if (!editableVS[t * VOICES + v]) fixedPc[pc]!++;
        }
      }
    }
    const norm = (h: Float64Array): void => {
      const m = Math.max(...h);
      if (m > 0) for (let i = 0; i < 12; i++) h[i] = h[i]! / m;
    };
    norm(fixedPc);
    norm(allPc);
  }
  for (let t = 0; t < steps; t++) {
    for (let p = 0; p < ROLL_PITCHES; p++) {
      const o = (t * ROLL_PITCHES + p) * ch;
      const c = (t * ROLL_PITCHES + p) * VOICES;
      for (let v = 0; v < VOICES; v++) {
        x[o + v] = data[c + v]!;
        x[o + VOICES + v] = editableVS[t * VOICES + v]!;
      }
      x[o + 2 * VOICES] = p / (ROLL_PITCHES - 1);
      if (profile) {
        const pc = (p + ROLL_LOW) % 12;
        x[o + IN_CHANNELS] = fixedPc[pc]!;
        x[o + IN_CHANNELS + 1] = allPc[pc]!;
      }
    }
  }
  return x;
}

/** Which (step, voice) pairs a training example lets the model edit; see makeTrainingPair. */
function sampleEditable(steps: number, rng: Rng): { editableVS: Uint8Array; blanked: number } {
  const ed = new Uint8Array(steps * VOICES);
  const mode = rng.next();
  let voices: boolean[];
  let from = 0;
  let to = steps;
  if (mode < 0.4) voices = [false, true, true, true]; // harmonise: melody given
  else if (mode < 0.65) voices = [true, true, true, true]; // rewrite everything
  else {
    // infill: a random non-empty voice subset inside a random span of whole beats
    voices = [0, 1, 2, 3].map(() => rng.next() < 0.5);
    if (!voices.some(Boolean)) voices[1 + rng.int(3)] = true;
    const beats = steps / 4;
    const a = rng.int(beats);
    const b = a + 1 + rng.int(beats - a);
    from = a * 4;
    to = b * 4;
  }
  for (let t = from; t < to; t++) for (let v = 0; v < VOICES; v++) if (voices[v]) ed[t * VOICES + v] = 1;
  // Sometimes a fixed voice is silent (a request that writes fewer than four parts).
  let blanked = -1;
  if (rng.next() < 0.15) {
    const fixed = [0, 1, 2, 3].filter((v) => !voices[v]);
    if (fixed.length > 0) blanked = fixed[rng.int(fixed.length)]!;
  }
  return { editableVS: ed, blanked };
}

export interface TrainingPair {
  /** Input planes of the corrupted roll. */
  x: Float32Array;
  /** 1 where the corrupted roll differs from the original (the edits to make). */
  target: Float32Array;
  /** 1 on every cell the model may toggle (softmax support). */
  mask: Float32Array;
}

/**
 * DeepComposer's training pair: inside the editable region delete a random share (0–100 %) of the
 * sounding cells and switch on a few random ones; the target is every cell that now differs from
 * Bach. Added cells fall near the voice's own range so they are plausible mistakes, not noise far
 * off in the register where they would be trivial to spot.
 */
export function makeTrainingPair(orig: VoiceRoll, rng: Rng, profile = true): TrainingPair {
  const { steps } = orig;
  const n = steps * ROLL_PITCHES * VOICES;
  const roll = new Uint8Array(orig.data);
  const { editableVS, blanked } = sampleEditable(steps, rng);
  if (blanked >= 0) for (let t = 0; t < steps; t++) for (let p = 0; p < ROLL_PITCHES; p++) roll[cellIndex(t, p, blanked)] = 0;
  const mask = new Float32Array(n);
  const top = ROLL_HIGH - ROLL_LOW;
  let onCells = 0;
  const lo = [99, 99, 99, 99];
  const hi = [-1, -1, -1, -1];
  for (let t = 0; t < steps; t++) {
    for (let v = 0; v < VOICES; v++) {
      if (!editableVS[t * VOICES + v]) continue;
      for (let p = 0; p <= top; p++) {
        const c = cellIndex(t, p, v);
        mask[c] = 1;
        if (roll[c]) ((onCells += 1), (lo[v] = Math.min(lo[v]!, p)), (hi[v] = Math.max(hi[v]!, p)));
      }
    }
  }
  // Skewed towards heavy deletion (mean 2/3): harmonising from an empty accompaniment is the
  // product's main use and the hardest case, with the least context to copy from.
  const share = Math.sqrt(rng.next());
  for (let c = 0; c < n; c++) if (mask[c] && roll[c] && rng.next() < share) roll[c] = 0;
  const adds = rng.int(Math.max(1, Math.round(onCells * 0.08)) + 1);
  const edVS: number[] = [];
  for (let i = 0; i < editableVS.length; i++) if (editableVS[i]) edVS.push(i);
  for (let i = 0; i < adds && edVS.length > 0; i++) {
    const vs = edVS[rng.int(edVS.length)]!;
    const v = vs % VOICES;
    const a = Math.max(0, (hi[v]! >= 0 ? lo[v]! : 12) - 4);
    const b = Math.min(top, (hi[v]! >= 0 ? hi[v]! : 36) + 4);
    const p = a + rng.int(b - a + 1);
    roll[cellIndex(Math.floor(vs / VOICES), p, v)] = 1;
  }
  const target = new Float32Array(n);
  let diffs = 0;
  for (let c = 0; c < n; c++) if (roll[c] !== orig.data[c] && mask[c]) ((target[c] = 1), diffs++);
  // Blanking a fixed voice is part of the input, not an edit; everything else differs only inside the mask.
  if (diffs === 0) {
    // Nothing to undo: teach "toggle nothing" is impossible with a softmax, so add one random edit.
    const vs = edVS[rng.int(edVS.length)]!;
    const c = cellIndex(Math.floor(vs / VOICES), rng.int(top + 1), vs % VOICES);
    roll[c] = roll[c] ? 0 : 1;
    target[c] = 1;
  }
  return { x: inputPlanes({ steps, data: roll }, editableVS, undefined, profile), target, mask };
}
