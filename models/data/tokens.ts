// SATB token sequences for the transformer, as in the Music Transformer paper's JSB setup: the
// chorale is read step by step (16ths) and, within a step, voice by voice S, A, T, B — one token
// per voice per step. A held note simply repeats its pitch token; a silent voice is the rest token.
import { NUM_PITCHES, PITCH_HIGH, PITCH_LOW, REST, VOICES, type Chorale } from './jsb';

export const TOKEN_REST = 0;
/** Pitch p (PITCH_LOW..PITCH_HIGH) is token p − PITCH_LOW + TOKEN_PITCH_OFFSET. */
export const TOKEN_PITCH_OFFSET = 1;
export const TOKEN_BOS = TOKEN_PITCH_OFFSET + NUM_PITCHES; // 47: start of sequence
export const TOKEN_PAD = TOKEN_BOS + 1; // 48: padding, never a target
export const VOCAB_SIZE = TOKEN_PAD + 1; // 49
export const TOKENS_PER_STEP = VOICES.length;

export function pitchToToken(p: number): number {
  if (p === REST) return TOKEN_REST;
  if (!(Number.isInteger(p) && p >= PITCH_LOW && p <= PITCH_HIGH)) throw new Error(`pitch ${p} has no token (range ${PITCH_LOW}..${PITCH_HIGH})`);
  return p - PITCH_LOW + TOKEN_PITCH_OFFSET;
}

export function tokenToPitch(t: number): number {
  if (t === TOKEN_REST) return REST;
  if (!(Number.isInteger(t) && t >= TOKEN_PITCH_OFFSET && t < TOKEN_PITCH_OFFSET + NUM_PITCHES)) throw new Error(`token ${t} is not a pitch or rest token`);
  return t - TOKEN_PITCH_OFFSET + PITCH_LOW;
}

export function isPitchOrRestToken(t: number): boolean {
  return Number.isInteger(t) && t >= TOKEN_REST && t < TOKEN_PITCH_OFFSET + NUM_PITCHES;
}

/** Voice (0 = soprano … 3 = bass) of the token at sequence position i. */
export function voiceAt(i: number): number {
  return i % TOKENS_PER_STEP;
}

/** Step index of the token at sequence position i. */
export function stepAt(i: number): number {
  return Math.floor(i / TOKENS_PER_STEP);
}

export function choraleToTokens(ch: Chorale): number[] {
  const out: number[] = [];
  ch.forEach((step, t) => {
    if (step.length !== TOKENS_PER_STEP) throw new Error(`chorale step ${t} has ${step.length} voices, expected ${TOKENS_PER_STEP}`);
    for (const p of step) out.push(pitchToToken(p));
  });
  return out;
}

/** Back to a chorale; BOS/PAD tokens are skipped, a trailing partial step is an error. */
export function tokensToChorale(tokens: readonly number[]): Chorale {
  const music = tokens.filter((t) => t !== TOKEN_BOS && t !== TOKEN_PAD);
  if (music.length % TOKENS_PER_STEP !== 0) throw new Error(`${music.length} music tokens is not a whole number of ${TOKENS_PER_STEP}-voice steps`);
  const out: Chorale = [];
  for (let i = 0; i < music.length; i += TOKENS_PER_STEP) out.push(music.slice(i, i + TOKENS_PER_STEP).map(tokenToPitch));
  return out;
}
