// loadOnce (./load-once.ts): one load shared by every caller; a failure forgotten (by default) or
// kept until reset (keepFailure); reset() starts over.
import { describe, expect, it } from 'vitest';
import { loadOnce } from './load-once';

/** A load that counts its runs and fails while `fail` is set. */
function counted() {
  const s = { runs: 0, fail: false };
  const load = async () => {
    const n = ++s.runs;
    await new Promise((r) => setTimeout(r, 1));
    if (s.fail) throw new Error(`load ${n} failed`);
    return n;
  };
  return { s, load };
}

describe('loadOnce', () => {
  it('shares one load between callers, before and after it finished', async () => {
    const { s, load } = counted();
    const get = loadOnce(load);
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    expect(await get()).toBe(1);
    expect(s.runs).toBe(1);
  });

  it('forgets a failed load: the next call tries again', async () => {
    const { s, load } = counted();
    const get = loadOnce(load);
    s.fail = true;
    await expect(get()).rejects.toThrow('load 1 failed');
    s.fail = false;
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
  });

  it('keepFailure: a failed load stays failed until reset()', async () => {
    const { s, load } = counted();
    const get = loadOnce(load, { keepFailure: true });
    s.fail = true;
    await expect(get()).rejects.toThrow('load 1 failed');
    s.fail = false;
    await expect(get()).rejects.toThrow('load 1 failed');
    expect(s.runs).toBe(1);
    get.reset();
    expect(await get()).toBe(2);
  });

  it('reset() forgets a finished load, and one under way', async () => {
    const { s, load } = counted();
    const get = loadOnce(load);
    expect(await get()).toBe(1);
    get.reset();
    expect(await get()).toBe(2);
    get.reset();
    const underWay = get();
    get.reset();
    expect(await get()).toBe(4);
    expect(await underWay).toBe(3);
    expect(s.runs).toBe(4);
  });
});
