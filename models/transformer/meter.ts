// Beat position on the 16th grid, from a time signature: each step gets a metrical level — bar
// start, beat start, 8th start, or any other 16th. Beats are quarters in x/4, dotted quarters in
// compound x/8 (6/8, 9/8, 12/8), 8ths in simple x/8 (3/8), halves in x/2. The levels are shared by
// every metre, so a model trained on 4/4 chorales reads a 6/8 bar as two beats of three 8ths.
// The JSB data carries no metre: chorales are read as 4/4 with the bar line placed so the piece
// ends on a bar line (most chorales open with a one-beat pickup; 249 of 382 have length ≡ 4 mod 16).
export const LEVEL_BAR = 0;
export const LEVEL_BEAT = 1;
export const LEVEL_EIGHTH = 2;
export const LEVEL_SIXTEENTH = 3;

export interface Metre {
  /** Steps (16ths) per bar. */
  stepsPerBar: number;
  /** Steps per beat. */
  stepsPerBeat: number;
}

export function metreOf(timeSignature: readonly [number, number]): Metre {
  const [num, den] = timeSignature;
  const stepsPerBar = Math.max(1, Math.round((num * 16) / den));
  let stepsPerBeat: number;
  if (den === 8 && num % 3 === 0 && num > 3) stepsPerBeat = 6;
  else stepsPerBeat = Math.max(1, Math.round(16 / den));
  if (stepsPerBar % stepsPerBeat !== 0) stepsPerBeat = stepsPerBar; // odd metres: the bar is the beat
  return { stepsPerBar, stepsPerBeat };
}

/** Level of a step at `posInBar` 16ths after a bar line. */
export function levelAt(posInBar: number, m: Metre): number {
  const p = ((posInBar % m.stepsPerBar) + m.stepsPerBar) % m.stepsPerBar;
  if (p === 0) return LEVEL_BAR;
  if (p % m.stepsPerBeat === 0) return LEVEL_BEAT;
  if (p % 2 === 0) return LEVEL_EIGHTH;
  return LEVEL_SIXTEENTH;
}

/** Levels of `steps` steps whose first step lies `firstPos` 16ths after a bar line. */
export function metricalLevels(steps: number, firstPos: number, m: Metre): Int32Array {
  const out = new Int32Array(steps);
  for (let i = 0; i < steps; i++) out[i] = levelAt(firstPos + i, m);
  return out;
}

export const JSB_METRE: Metre = metreOf([4, 4]);

/** Position in the bar of the first step of a JSB piece of `steps` steps, assuming its last step ends a bar. */
export function jsbFirstPos(steps: number): number {
  return (JSB_METRE.stepsPerBar - (steps % JSB_METRE.stepsPerBar)) % JSB_METRE.stepsPerBar;
}
