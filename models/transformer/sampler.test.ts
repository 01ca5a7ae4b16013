// Nucleus sampling: top-p keeps the smallest most-likely set, temperature sharpens or flattens,
// BOS/PAD are never emitted, and the same rng seed draws the same tokens.
import { describe, expect, it } from 'vitest';
import { createRng } from '../runtime/rng';
import { BOS_TOKEN, PAD_TOKEN, VOCAB_SIZE } from './config';
import { sampleToken } from './sampler';

function logitsWith(values: Record<number, number>): Float32Array {
  const l = new Float32Array(VOCAB_SIZE).fill(-5);
  for (const [k, v] of Object.entries(values)) l[Number(k)] = v;
  return l;
}

describe('sampleToken', () => {
  it('a tiny top-p always takes the most likely token', () => {
    const rng = createRng(1);
    const l = logitsWith({ 10: 3, 11: 2.9, 12: 2.8 });
    for (let i = 0; i < 50; i++) expect(sampleToken(l, { temperature: 1, topP: 0.01 }, rng)).toBe(10);
  });

  it('top-p 0.9 never draws outside the nucleus; temperature spreads the draws', () => {
    const rng = createRng(2);
    const l = logitsWith({ 10: 4, 11: 3, 12: 0 });
    const counts = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const t = sampleToken(l, { temperature: 1, topP: 0.9 }, rng);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([10, 11]);
    expect(counts.get(10)!).toBeGreaterThan(counts.get(11)!);
    let hot = 0;
    for (let i = 0; i < 400; i++) if (sampleToken(l, { temperature: 3, topP: 1 }, rng) !== 10) hot++;
    expect(hot).toBeGreaterThan(200);
  });

  it('never emits BOS or PAD and is reproducible per seed', () => {
    const l = logitsWith({ [BOS_TOKEN]: 50, [PAD_TOKEN]: 50, 3: 1 });
    const a = Array.from({ length: 20 }, ((r) => () => sampleToken(l, { temperature: 1, topP: 1 }, r))(createRng(9)));
    const b = Array.from({ length: 20 }, ((r) => () => sampleToken(l, { temperature: 1, topP: 1 }, r))(createRng(9)));
    expect(a).toEqual(b);
    expect(a.every((t) => t !== BOS_TOKEN && t !== PAD_TOKEN)).toBe(true);
  });
});
