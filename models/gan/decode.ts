// Turning per-step pitch distributions into note sequences. Independent argmax per step makes a
// voice flicker wherever two pitches are nearly equally likely (1-step "notes" that ruin QN and
// sound like a stuck key). Instead each voice is decoded under a Markov prior that charges
// penalty(t) nats for a change of pitch at step t: maximise Σ_t log p_t(x_t) − Σ_changes penalty(t)
// (Viterbi), or sample paths from the same chain (forward filtering, backward sampling). A
// confident change still happens; a blip does not. The penalty follows the metre: it is scaled
// from how often Bach's inner voices change pitch at each 16th of the beat (rhythmPrior), so
// changes land on beats and 8ths, as in the chorales. Because the prior has only two transition
// costs (stay / change), each step costs O(K) instead of O(K²).
import type { Chorale } from '../data/jsb';

/**
 * Transitions into step t that a decoding constraint forbids: for each class k, the classes j it
 * may not be reached from (j ≠ k; staying is always allowed). Null = none at that step. Used by
 * strict voice leading (../decoding/voice-leading), which forbids moves into parallel fifths/octaves.
 */
export type Forbidden = (t: number) => Map<number, readonly number[]> | null;

/** Penalty at step t: a constant, or a function of the step. */
export type Penalty = number | ((t: number) => number);
const penaltyAt = (p: Penalty, t: number): number => (typeof p === 'number' ? p : p(t));

/**
 * Per position in the beat (16th 0..3), the cost log((1 − p)(K − 1) / p) of a pitch change under
 * a chain that changes with the empirical probability p at that position (to any of the other
 * K − 1 classes uniformly): from the alto, tenor and bass lines of the training chorales.
 */
export function rhythmPrior(chorales: readonly Chorale[], classes: number, stepsPerBeat = 4): number[] {
  const changes = new Array<number>(stepsPerBeat).fill(0);
  const total = new Array<number>(stepsPerBeat).fill(0);
  for (const ch of chorales)
    for (let t = 1; t < ch.length; t++)
      for (let v = 1; v < ch[t]!.length; v++) {
        total[t % stepsPerBeat]!++;
        if (ch[t]![v] !== ch[t - 1]![v]) changes[t % stepsPerBeat]!++;
      }
  return changes.map((c, r) => {
    const p = Math.min(1 - 1e-4, Math.max(1e-4, c / Math.max(1, total[r]!)));
    return Math.log(((1 - p) * (classes - 1)) / p);
  });
}

/** log-softmax of `logits[offset + k·stride]`, k < n, into `out`. */
function logSoftmax(logits: ArrayLike<number>, offset: number, n: number, out: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < n; k++) max = Math.max(max, logits[offset + k]!);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += Math.exp(logits[offset + k]! - max);
  const lse = max + Math.log(sum);
  for (let k = 0; k < n; k++) out[k] = logits[offset + k]! - lse;
}

/**
 * Most likely class path for one voice. `logits` holds `steps` rows of `n` logits starting at
 * `offset`, rows `rowStride` apart. `noise(t, k)` (optional) is added to the log-probabilities —
 * Gumbel noise turns the decoder into a sampler of perturbed MAP paths.
 */
export function viterbiPath(
  logits: ArrayLike<number>,
  offset: number,
  rowStride: number,
  steps: number,
  n: number,
  penalty: Penalty,
  noise?: (t: number, k: number) => number,
  forbidden?: Forbidden,
): number[] {
  if (steps === 0) return [];
  const lp = new Float64Array(n);
  const order = new Int32Array(n);
  let score = new Float64Array(n);
  let next = new Float64Array(n);
  // back[t*n + k] = previous class on the best path ending in k at step t.
  const back = new Int32Array(steps * n);
  logSoftmax(logits, offset, n, lp);
  for (let k = 0; k < n; k++) score[k] = lp[k]! + (noise ? noise(0, k) : 0);
  for (let t = 1; t < steps; t++) {
    let best = 0;
    for (let k = 1; k < n; k++) if (score[k]! > score[best]!) best = k;
    const pen = penaltyAt(penalty, t);
    const switchScore = score[best]! - pen;
    const forb = forbidden?.(t) ?? null;
    if (forb) {
      for (let k = 0; k < n; k++) order[k] = k;
      const sc = score;
      order.sort((a, b) => sc[b]! - sc[a]!);
    }
    logSoftmax(logits, offset + t * rowStride, n, lp);
    for (let k = 0; k < n; k++) {
      const stay = score[k]!;
      let src = best;
      let sw = switchScore;
      const banned = forb?.get(k);
      if (banned && banned.includes(best)) {
        // The best predecessor may not move into k: take the best one that may (or none).
        src = -1;
        for (let i = 0; i < n; i++) {
          const j = order[i]!;
          if (j !== k && !banned.includes(j)) {
            src = j;
            break;
          }
        }
        sw = src < 0 ? -Infinity : score[src]! - pen;
      }
      const from = stay >= sw ? k : src;
      back[t * n + k] = from;
      next[k] = Math.max(stay, sw) + lp[k]! + (noise ? noise(t, k) : 0);
    }
    [score, next] = [next, score];
  }
  let k = 0;
  for (let j = 1; j < n; j++) if (score[j]! > score[k]!) k = j;
  const path = new Array<number>(steps);
  for (let t = steps - 1; t >= 0; t--) {
    path[t] = k;
    if (t > 0) k = back[t * n + k]!;
  }
  return path;
}

/**
 * Samples one class path for a voice from p(path) ∝ Π_t p_t(x_t)^(1/temperature) · e^(−penalty·#changes)
 * by forward filtering, backward sampling (exact for this chain; O(steps·n)). `uniform()` supplies
 * the randomness (a seeded stream). Same layout arguments as viterbiPath.
 */
export function samplePath(
  logits: ArrayLike<number>,
  offset: number,
  rowStride: number,
  steps: number,
  n: number,
  penalty: Penalty,
  temperature: number,
  uniform: () => number,
  forbidden?: Forbidden,
): number[] {
  if (steps === 0) return [];
  const forbs: (Map<number, readonly number[]> | null)[] = [];
  const lp = new Float64Array(n);
  // alpha[t*n + k]: log forward message, normalised per step.
  const alpha = new Float64Array(steps * n);
  for (let t = 0; t < steps; t++) {
    // Transition into step t: stay weight 1, switch to any particular other class e^(−penalty).
    const pen = t > 0 ? penaltyAt(penalty, t) : 0;
    const logSwitch = -pen;
    const stayExtra = 1 - Math.exp(-pen); // A[j][j] = e^(−pen) + stayExtra = 1 (may be < 0 if pen < 0)
    logSoftmax(logits, offset + t * rowStride, n, lp);
    const forb = t > 0 ? (forbidden?.(t) ?? null) : null;
    forbs[t] = forb;
    let lseprev = 0;
    if (t > 0) {
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, alpha[(t - 1) * n + k]!);
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(alpha[(t - 1) * n + k]! - m);
      lseprev = m + Math.log(s);
    }
    let m = -Infinity;
    for (let k = 0; k < n; k++) {
      let a = lp[k]! / temperature;
      if (t > 0) {
        const prev = alpha[(t - 1) * n + k]!;
        // log(stayExtra·α_{t−1}(k) + e^(−pen)·Σ_j α_{t−1}(j)); the sum includes α_{t−1}(k) itself
        // and leaves out the predecessors a constraint forbids.
        let y = logSwitch + lseprev;
        const banned = forb?.get(k);
        if (banned) {
          let out = 0;
          for (const j of banned) out += Math.exp(alpha[(t - 1) * n + j]! - lseprev);
          y += Math.log(Math.max(1 - out, 1e-300));
        }
        const x = Math.abs(stayExtra) > 0 ? Math.log(Math.abs(stayExtra)) + prev : -Infinity;
        const hi = Math.max(x, y);
        const inner = Math.exp(y - hi) + Math.sign(stayExtra) * Math.exp(x - hi);
        a += hi + Math.log(Math.max(inner, 1e-300));
      }
      alpha[t * n + k] = a;
      m = Math.max(m, a);
    }
    for (let k = 0; k < n; k++) alpha[t * n + k] = alpha[t * n + k]! - m;
  }
  const w = new Float64Array(n);
  const draw = (): number => {
    let total = 0;
    for (let k = 0; k < n; k++) total += w[k]!;
    let u = uniform() * total;
    for (let k = 0; k < n; k++) {
      u -= w[k]!;
      if (u < 0) return k;
    }
    return n - 1;
  };
  const path = new Array<number>(steps);
  for (let k = 0; k < n; k++) w[k] = Math.exp(alpha[(steps - 1) * n + k]!);
  path[steps - 1] = draw();
  for (let t = steps - 2; t >= 0; t--) {
    const nextK = path[t + 1]!;
    const sw = Math.exp(-penaltyAt(penalty, t + 1));
    const banned = forbs[t + 1]?.get(nextK);
    for (let j = 0; j < n; j++) w[j] = Math.exp(alpha[t * n + j]!) * (j === nextK ? 1 : banned?.includes(j) ? 0 : sw);
    path[t] = draw();
  }
  return path;
}
