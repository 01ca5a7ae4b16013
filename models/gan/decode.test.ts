// The note decoder: with no penalty it is the per-step argmax; with a penalty it removes a
// one-step blip but keeps a confident change; it finds the true optimum (checked by brute force).
import { describe, expect, it } from 'vitest';
import { rhythmPrior, samplePath, viterbiPath } from './decode';
import { createRng } from '../runtime/rng';

const rows = (ps: number[][]): number[] => ps.flatMap((p) => p.map(Math.log));

function brute(logits: number[], steps: number, n: number, penalty: number): number {
  let best = -Infinity;
  const lse = (t: number) => Math.log(logits.slice(t * n, t * n + n).reduce((a, l) => a + Math.exp(l), 0));
  for (let code = 0; code < n ** steps; code++) {
    const path = Array.from({ length: steps }, (_, t) => Math.floor(code / n ** t) % n);
    let s = 0;
    path.forEach((k, t) => (s += logits[t * n + k]! - lse(t) - (t > 0 && path[t - 1] !== k ? penalty : 0)));
    best = Math.max(best, s);
  }
  return best;
}

function scoreOf(path: number[], logits: number[], n: number, penalty: number): number {
  const lse = (t: number) => Math.log(logits.slice(t * n, t * n + n).reduce((a, l) => a + Math.exp(l), 0));
  return path.reduce((s, k, t) => s + logits[t * n + k]! - lse(t) - (t > 0 && path[t - 1] !== k ? penalty : 0), 0);
}

describe('viterbiPath', () => {
  const blip = rows([
    [0.7, 0.3],
    [0.7, 0.3],
    [0.45, 0.55],
    [0.7, 0.3],
    [0.1, 0.9],
    [0.1, 0.9],
  ]);
  it('equals the per-step argmax without a penalty', () => {
    expect(viterbiPath(blip, 0, 2, 6, 2, 0)).toEqual([0, 0, 1, 0, 1, 1]);
  });
  it('drops a one-step blip but keeps a confident change', () => {
    expect(viterbiPath(blip, 0, 2, 6, 2, 1)).toEqual([0, 0, 0, 0, 1, 1]);
  });
  it('finds the optimal path (brute force over 3^5 paths)', () => {
    const n = 3;
    const steps = 5;
    const logits = Array.from({ length: steps * n }, (_, i) => Math.sin(i * 12.9898) * 2);
    for (const penalty of [0, 0.3, 1, 3]) {
      const path = viterbiPath(logits, 0, n, steps, n, penalty);
      expect(scoreOf(path, logits, n, penalty)).toBeCloseTo(brute(logits, steps, n, penalty), 9);
    }
  });

  it('samplePath draws paths with probability ∝ Π p^(1/T) · e^(−penalty·changes)', () => {
    const n = 3;
    const steps = 3;
    const logits = [1, 0.2, -0.5, 0.1, 0.9, 0, -1, 0.3, 0.6];
    const penalty = 0.7;
    const temperature = 0.8;
    const lse = (t: number) => Math.log(logits.slice(t * n, t * n + n).reduce((a, l) => a + Math.exp(l), 0));
    const weight = (path: number[]) => Math.exp(path.reduce((s, k, t) => s + (logits[t * n + k]! - lse(t)) / temperature - (t > 0 && path[t - 1] !== k ? penalty : 0), 0));
    const paths = Array.from({ length: n ** steps }, (_, c) => [c % n, Math.floor(c / n) % n, Math.floor(c / n ** 2)]);
    const z = paths.reduce((s, p) => s + weight(p), 0);
    const counts = new Map<string, number>();
    const rng = createRng(11);
    const draws = 20000;
    for (let i = 0; i < draws; i++) {
      const key = samplePath(logits, 0, n, steps, n, penalty, temperature, rng.next).join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let tv = 0;
    for (const p of paths) tv += Math.abs((counts.get(p.join(',')) ?? 0) / draws - weight(p) / z) / 2;
    expect(tv).toBeLessThan(0.02);
  });

  it('samplePath with a huge penalty never changes pitch', () => {
    const logits = Array.from({ length: 40 * 5 }, (_, i) => Math.cos(i * 3.1));
    const path = samplePath(logits, 0, 5, 40, 5, 1e6, 1, createRng(2).next);
    expect(new Set(path).size).toBe(1);
  });

  it('samplePath stays exact with a per-step (metrical) penalty, including a negative one', () => {
    const n = 3;
    const steps = 3;
    const logits = [0.3, 0.2, -0.5, 0.1, 0.9, 0, -1, 0.3, 0.6];
    const pen = (t: number) => (t === 1 ? -0.4 : 1.3);
    const lse = (t: number) => Math.log(logits.slice(t * n, t * n + n).reduce((a, l) => a + Math.exp(l), 0));
    const weight = (path: number[]) => Math.exp(path.reduce((s, k, t) => s + logits[t * n + k]! - lse(t) - (t > 0 && path[t - 1] !== k ? pen(t) : 0), 0));
    const paths = Array.from({ length: n ** steps }, (_, c) => [c % n, Math.floor(c / n) % n, Math.floor(c / n ** 2)]);
    const z = paths.reduce((s, p) => s + weight(p), 0);
    const counts = new Map<string, number>();
    const rng = createRng(5);
    for (let i = 0; i < 20000; i++) {
      const key = samplePath(logits, 0, n, steps, n, pen, 1, rng.next).join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let tv = 0;
    for (const p of paths) tv += Math.abs((counts.get(p.join(',')) ?? 0) / 20000 - weight(p) / z) / 2;
    expect(tv).toBeLessThan(0.02);
  });

  it('rhythmPrior makes on-beat changes cheapest', () => {
    // Alto changes every beat (4 steps); soprano ignored; tenor/bass hold.
    const ch = Array.from({ length: 64 }, (_, t) => [70, 60 + (Math.floor(t / 4) % 2), 55, 48]);
    const prior = rhythmPrior([ch], 47);
    expect(prior[0]!).toBeLessThan(prior[1]!);
    expect(prior[0]!).toBeLessThan(prior[2]!);
    expect(prior[1]).toBeCloseTo(prior[3]!, 9);
  });
});
