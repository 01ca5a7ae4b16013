// The piano-roll encoding shared by the AR-CNN and the GAN: a dense [time, pitch, track] grid at
// 16th-note steps over the corpus pitch window (index 0 = PITCH_LOW), one track per voice.
import { NUM_PITCHES, PITCH_HIGH, PITCH_LOW, REST, VOICES, type Chorale } from './jsb';

/** Row-major [time][pitch][track]: data[(t * pitches + p) * tracks + k]. */
export interface Roll {
  data: Float32Array;
  steps: number;
  pitches: number;
  tracks: number;
}

export function createRoll(steps: number, tracks: number = VOICES.length, pitches: number = NUM_PITCHES): Roll {
  if (!(Number.isInteger(steps) && steps >= 0 && Number.isInteger(tracks) && tracks >= 1 && Number.isInteger(pitches) && pitches >= 1)) {
    throw new Error(`bad roll shape ${steps}x${pitches}x${tracks}`);
  }
  return { data: new Float32Array(steps * pitches * tracks), steps, pitches, tracks };
}

export function rollIndex(roll: Roll, t: number, p: number, k: number): number {
  return (t * roll.pitches + p) * roll.tracks + k;
}

export function getCell(roll: Roll, t: number, p: number, k: number): number {
  return roll.data[rollIndex(roll, t, p, k)]!;
}

export function setCell(roll: Roll, t: number, p: number, k: number, v: number): void {
  roll.data[rollIndex(roll, t, p, k)] = v;
}

/** MIDI pitch → pitch index, or -1 outside the window. */
export function pitchIndex(midi: number): number {
  return midi >= PITCH_LOW && midi <= PITCH_HIGH ? midi - PITCH_LOW : -1;
}

/** One voice per track; a rest leaves the column empty. Pitches outside the window throw. */
export function choraleToRoll(ch: Chorale): Roll {
  const tracks = ch.length > 0 ? ch[0]!.length : VOICES.length;
  const roll = createRoll(ch.length, tracks);
  ch.forEach((step, t) => {
    if (step.length !== tracks) throw new Error(`chorale step ${t} has ${step.length} voices, expected ${tracks}`);
    step.forEach((midi, k) => {
      if (midi === REST) return;
      const p = pitchIndex(midi);
      if (p < 0) throw new Error(`pitch ${midi} at step ${t} is outside ${PITCH_LOW}..${PITCH_HIGH}`);
      setCell(roll, t, p, k, 1);
    });
  });
  return roll;
}

/**
 * Back to one pitch per voice per step: the strongest cell above `threshold` (ties → higher pitch),
 * else a rest. Works on binary rolls and on model probabilities alike.
 */
export function rollToChorale(roll: Roll, threshold = 0.5): Chorale {
  const out: Chorale = [];
  for (let t = 0; t < roll.steps; t++) {
    const step: number[] = [];
    for (let k = 0; k < roll.tracks; k++) {
      let best = -1;
      let bestV = threshold;
      for (let p = 0; p < roll.pitches; p++) {
        const v = getCell(roll, t, p, k);
        if (v > bestV || (v === bestV && best >= 0 && v > threshold)) {
          best = p;
          bestV = v;
        }
      }
      step.push(best < 0 ? REST : best + PITCH_LOW);
    }
    out.push(step);
  }
  return out;
}

/** One track as a binary [time][pitch] matrix (the metrics' input type). */
export function trackMatrix(roll: Roll, k: number, threshold = 0.5): number[][] {
  const m: number[][] = [];
  for (let t = 0; t < roll.steps; t++) {
    const row = new Array<number>(roll.pitches).fill(0);
    for (let p = 0; p < roll.pitches; p++) if (getCell(roll, t, p, k) > threshold) row[p] = 1;
    m.push(row);
  }
  return m;
}

/** Steps [from, to) of a roll, copied. */
export function sliceRoll(roll: Roll, from: number, to: number): Roll {
  const out = createRoll(to - from, roll.tracks, roll.pitches);
  const w = roll.pitches * roll.tracks;
  out.data.set(roll.data.subarray(from * w, to * w));
  return out;
}
