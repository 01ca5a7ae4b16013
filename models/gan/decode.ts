// Turning per-step pitch distributions into note sequences. Independent argmax per step makes a
// voice flicker wherever two pitches are nearly equally likely (1-step "notes" that ruin QN and
// sound like a stuck key). Instead each voice is decoded as the most likely path under a Markov
// prior that charges `penalty` nats per change of pitch: maximise Σ_t log p_t(x_t) − penalty·#changes
// (Viterbi). A confident change still happens; a blip does not. Because the prior has only two
// transition costs (stay / change), each step costs O(K) instead of O(K²).

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
  penalty: number,
  noise?: (t: number, k: number) => number,
): number[] {
  if (steps === 0) return [];
  const lp = new Float64Array(n);
  let score = new Float64Array(n);
  let next = new Float64Array(n);
  // back[t*n + k] = previous class on the best path ending in k at step t.
  const back = new Int32Array(steps * n);
  logSoftmax(logits, offset, n, lp);
  for (let k = 0; k < n; k++) score[k] = lp[k]! + (noise ? noise(0, k) : 0);
  for (let t = 1; t < steps; t++) {
    let best = 0;
    for (let k = 1; k < n; k++) if (score[k]! > score[best]!) best = k;
    const switchScore = score[best]! - penalty;
    logSoftmax(logits, offset + t * rowStride, n, lp);
    for (let k = 0; k < n; k++) {
      const stay = score[k]!;
      const from = stay >= switchScore ? k : best;
      back[t * n + k] = from;
      next[k] = Math.max(stay, switchScore) + lp[k]! + (noise ? noise(t, k) : 0);
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
  penalty: number,
  temperature: number,
  uniform: () => number,
): number[] {
  if (steps === 0) return [];
  const lp = new Float64Array(n);
  // alpha[t*n + k]: log forward message, normalised per step.
  const alpha = new Float64Array(steps * n);
  const logSwitch = -penalty;
  const stay = 1 - Math.exp(-penalty); // A[j][j] = e^(−penalty) + stay = 1
  for (let t = 0; t < steps; t++) {
    logSoftmax(logits, offset + t * rowStride, n, lp);
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
        // log(stay·α_{t−1}(k) + e^(−penalty)·Σ_j α_{t−1}(j))
        const x = stay > 0 ? Math.log(stay) + prev : -Infinity;
        const y = logSwitch + lseprev;
        const hi = Math.max(x, y);
        a += hi + Math.log(Math.exp(x - hi) + Math.exp(y - hi));
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
  const sw = Math.exp(-penalty);
  for (let t = steps - 2; t >= 0; t--) {
    const nextK = path[t + 1]!;
    for (let j = 0; j < n; j++) w[j] = Math.exp(alpha[t * n + j]!) * (j === nextK ? 1 : sw);
    path[t] = draw();
  }
  return path;
}
