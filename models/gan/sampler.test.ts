// The decoder writes the voices in the heads' order (bass, alto, tenor) and hands each voice's
// logits source the classes already decoded for the voices before it — so a voice head sees the
// actual lines it must fit, not the most likely ones. Checked with a logits source whose alto
// copies the bass a fifth up and whose tenor sits between them, on a real decode.
import { describe, expect, it } from 'vitest';
import { REST } from '../data/jsb';
import { createRng } from '../runtime/rng';
import { NUM_CLASSES, TINY_CONFIG, VOICE_ORDER } from './config';
import { classToPitch, pitchToClass } from './encoding';
import { decodeLogits, type MelodyLogits } from './sampler';

const STEPS = 16;
const MELODY = Array.from({ length: STEPS }, (_, t) => 72 + (t >> 2));

/** Logits with all mass on `pick(t)` at each step. */
function peaked(pick: (t: number) => number): Float32Array {
  const out = new Float32Array(STEPS * NUM_CLASSES).fill(-20);
  for (let t = 0; t < STEPS; t++) out[t * NUM_CLASSES + pick(t)] = 20;
  return out;
}

describe('GAN decoder with voice heads', () => {
  it('decodes bass, alto, tenor in order, each given the classes decoded before it', () => {
    const calls: Array<{ v: number; before: number }> = [];
    const source: MelodyLogits = {
      lines: 1,
      steps: STEPS,
      padded: STEPS,
      rng: createRng(1),
      melodies: [MELODY],
      voice(v, before) {
        calls.push({ v, before: before.length });
        if (v === 2) return peaked((t) => pitchToClass(48 + (t % 8 < 4 ? 0 : 5)));
        const bass = (t: number) => classToPitch(before[0]![t]!);
        if (v === 0) return peaked((t) => pitchToClass(bass(t) + 19));
        const altoAt = (t: number) => classToPitch(before[1]![t]!);
        return peaked((t) => pitchToClass(Math.round((bass(t) + altoAt(t)) / 2)));
      },
      dispose() {},
    };
    const [voices] = decodeLogits(source, { ...TINY_CONFIG, decodePenalty: 0, decodeRhythm: [] }, { temperature: 0, strictVoiceLeading: false });
    expect(calls).toEqual(VOICE_ORDER.map((v, i) => ({ v, before: i })));
    const [alto, tenor, bass] = voices!;
    expect(bass!.every((p) => p !== REST)).toBe(true);
    bass!.forEach((b, t) => {
      expect(alto![t]).toBe(b + 19);
      expect(tenor![t]).toBe(Math.round((b + alto![t]!) / 2));
    });
  });
});
