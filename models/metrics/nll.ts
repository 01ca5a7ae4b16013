// Likelihood helpers shared by the models' evaluations: mean negative log-likelihood (nats) of
// categorical predictions (transformer tokens, AR-CNN pitch choices) and of Bernoulli predictions
// (piano-roll cells), plus conversions to bits and perplexity. Plain arrays; no tensors.

const LOG2 = Math.log(2);

/** log Σ exp(x), stable. */
export function logSumExp(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  let m = -Infinity;
  for (let i = from; i < to; i++) m = Math.max(m, xs[i]!);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = from; i < to; i++) s += Math.exp(xs[i]! - m);
  return m + Math.log(s);
}

/**
 * Mean NLL of `targets` under row-major logits [n, vocab]. Positions whose target is negative
 * or whose mask entry is 0 are ignored (padding).
 */
export function nllFromLogits(logits: ArrayLike<number>, vocab: number, targets: ArrayLike<number>, mask?: ArrayLike<number>): number {
  if (logits.length !== targets.length * vocab) throw new Error(`logits length ${logits.length} ≠ ${targets.length} targets × vocab ${vocab}`);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    if (t < 0 || (mask && mask[i] === 0)) continue;
    if (t >= vocab) throw new Error(`target ${t} outside vocab ${vocab}`);
    sum += logSumExp(logits, i * vocab, (i + 1) * vocab) - logits[i * vocab + t]!;
    n++;
  }
  return n === 0 ? NaN : sum / n;
}

/** Mean NLL of `targets` under row-major probabilities [n, vocab] (clamped at eps). */
export function nllFromProbs(probs: ArrayLike<number>, vocab: number, targets: ArrayLike<number>, eps = 1e-12): number {
  if (probs.length !== targets.length * vocab) throw new Error(`probs length ${probs.length} ≠ ${targets.length} targets × vocab ${vocab}`);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    if (t < 0) continue;
    sum -= Math.log(Math.max(eps, probs[i * vocab + t]!));
    n++;
  }
  return n === 0 ? NaN : sum / n;
}

/** Mean Bernoulli NLL per cell of binary targets under probabilities (piano-roll models). */
export function bernoulliNll(probs: ArrayLike<number>, targets: ArrayLike<number>, eps = 1e-7): number {
  if (probs.length !== targets.length) throw new Error(`probs (${probs.length}) and targets (${targets.length}) differ in length`);
  if (probs.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probs[i]!));
    sum -= targets[i]! > 0.5 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / probs.length;
}

export const natsToBits = (nats: number): number => nats / LOG2;
export const perplexity = (nats: number): number => Math.exp(nats);
