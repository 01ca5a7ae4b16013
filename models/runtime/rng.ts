// Deterministic random numbers from a seed, so every training run, window sampler and sampler can
// be replayed exactly. sfc32 seeded through splitmix32: fast, 128-bit state, good statistics.
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(arr: T[]): T[];
  /** An independent generator derived from this one (e.g. one per data worker). */
  fork(): Rng;
  /** Serialisable state, for checkpoints; JSON-safe; `restore(state)` resumes the stream exactly. */
  state(): number[];
  restore(state: readonly number[]): void;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new Error(`rng seed must be a finite number (got ${seed})`);
  const sm = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
  let a = sm(), b = sm(), c = sm(), d = sm();
  let spare: number | null = null;
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) u32();
  const next = (): number => u32() / 4294967296;
  const rng: Rng = {
    next,
    int(n) {
      if (!(n >= 1) || !Number.isInteger(n)) throw new Error(`rng.int needs a positive integer (got ${n})`);
      return Math.floor(next() * n);
    },
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle(arr) {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = arr[i]!;
        arr[i] = arr[j]!;
        arr[j] = t;
      }
      return arr;
    },
    fork() {
      return createRng(u32() * 4294967296 + u32());
    },
    state() {
      return [a, b, c, d, spare === null ? 0 : 1, spare ?? 0];
    },
    restore(s) {
      if (s.length !== 6) throw new Error('rng state must have 6 numbers');
      [a, b, c, d] = s.slice(0, 4).map((x) => x >>> 0) as [number, number, number, number];
      spare = s[4] === 1 ? s[5]! : null;
    },
  };
  return rng;
}

/**
 * Replaces Math.random with a seeded stream. tfjs draws initial weights and dropout masks from
 * Math.random whenever no explicit seed is given, so this is what makes a whole training run
 * reproducible from one seed. Returns a function that restores the original.
 */
export function seedGlobalRandom(seed: number): () => void {
  const original = Math.random;
  const rng = createRng(seed);
  Math.random = rng.next;
  return () => {
    Math.random = original;
  };
}
