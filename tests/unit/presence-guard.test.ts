// The pure parts of presence validation and rate limiting: nesting depth counted on the text
// (brackets in strings do not count), awareness updates refused for size, depth and schema
// before JSON.parse/stringify can be hurt, binding a connection to its own client id, and the
// per-connection token bucket.
import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import { jsonDepth, MAX_PRESENCE_SELECTION, presenceStateSchema } from '@/lib/presence/state';
import { encodeAwarenessEntries, parseAwarenessUpdate, type AwarenessEntry } from '@/server/sync/awareness';
import { PresenceGuard } from '@/server/sync/presence-guard';
import { TokenBucket } from '@/server/sync/rate-limit';

function update(entries: { clientId: number; clock: number; json: string }[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const x of entries) {
    encoding.writeVarUint(e, x.clientId);
    encoding.writeVarUint(e, x.clock);
    encoding.writeVarString(e, x.json);
  }
  return encoding.toUint8Array(e);
}

const entry = (clientId: number, state: unknown, clock = 1): AwarenessEntry => ({ clientId, clock, state, json: JSON.stringify(state) });

describe('presence state checks', () => {
  it('counts nesting on the text, ignoring brackets inside strings', () => {
    expect(jsonDepth('null')).toBe(0);
    expect(jsonDepth('{"user":{"name":"[[[[{{{{"}}')).toBe(2);
    expect(jsonDepth('{"a":"\\"[[["}')).toBe(1);
    expect(jsonDepth('['.repeat(100_000) + ']'.repeat(100_000), 8)).toBe(9); // stops early
  });

  it('refuses too big, too deep, off-schema and non-UTF-8 states, and passes what the editor sends', () => {
    const editor = { user: { name: 'Allegro Oboe', color: '#f97316' }, cursor: { tick: 960, pitch: 64 }, selection: Array.from({ length: MAX_PRESENCE_SELECTION }, (_, i) => `n${String(i).padStart(11, '0')}`) };
    expect(JSON.stringify(editor).length).toBeLessThan(4096);
    const ok = parseAwarenessUpdate(update([{ clientId: 1, clock: 3, json: JSON.stringify(editor) }, { clientId: 2, clock: 1, json: '{}' }, { clientId: 3, clock: 2, json: 'null' }]));
    expect(ok.map((e) => e.state)).toEqual([editor, {}, null]);
    expect(() => parseAwarenessUpdate(update([{ clientId: 1, clock: 1, json: JSON.stringify({ user: { name: 'x'.repeat(5000) } }) }]))).toThrow(/presence state of 5\d\d\d bytes exceeds the limit of 4096/);
    expect(() => parseAwarenessUpdate(update([{ clientId: 1, clock: 1, json: '['.repeat(9) + ']'.repeat(9) }]))).toThrow('presence state nested deeper than 8 levels');
    expect(() => parseAwarenessUpdate(update([{ clientId: 1, clock: 1, json: '{"cursor":{"tick":"x","pitch":1}}' }]))).toThrow(/invalid presence state: cursor\.tick/);
    expect(() => parseAwarenessUpdate(update([{ clientId: 1, clock: 1, json: '{"selection":' + JSON.stringify(new Array(MAX_PRESENCE_SELECTION + 1).fill('a')) + '}' }]))).toThrow(/invalid presence state: selection/);
    const bad = encoding.createEncoder();
    encoding.writeVarUint(bad, 1);
    encoding.writeVarUint(bad, 1);
    encoding.writeVarUint(bad, 1);
    encoding.writeVarUint8Array(bad, new Uint8Array([0xff]));
    expect(() => parseAwarenessUpdate(encoding.toUint8Array(bad))).toThrow(/not UTF-8/);
    expect(presenceStateSchema.safeParse({ user: { name: 'A' }, extra: 1 }).success).toBe(false);
  });

  it('re-encodes checked entries byte for byte', () => {
    const u = update([{ clientId: 7, clock: 4, json: '{"user":{"name":"Ada"}}' }]);
    expect(encodeAwarenessEntries(parseAwarenessUpdate(u))).toEqual(u);
  });
});

describe('PresenceGuard', () => {
  it('binds a connection to the first id it announces that nobody holds, and keeps it there', () => {
    const guard = new PresenceGuard<string>();
    const present = new Set<number>([10]); // Ada (10) is in the room
    // An echo of Ada's state and a removal of someone else come first: neither binds.
    expect(guard.accept('eve', [entry(10, { user: { name: 'Ada' } }), entry(11, null)], present)).toEqual([]);
    expect(guard.boundId('eve')).toBeUndefined();
    const own = entry(20, { user: { name: 'Eve' } });
    expect(guard.accept('eve', [entry(10, { user: { name: 'Mallory' } }, 99), own], present)).toEqual([own]);
    expect(guard.boundId('eve')).toBe(20);
    present.add(20);
    // Bound: another id is never accepted, its own null removal is.
    expect(guard.accept('eve', [entry(10, null, 100), entry(30, { user: { name: 'X' } })], present)).toEqual([]);
    expect(guard.accept('eve', [entry(20, null, 2)], present)).toEqual([entry(20, null, 2)]);
    present.delete(20);
    // Another connection cannot take an id bound to a live connection, even once its state is gone.
    expect(guard.accept('mallory', [entry(20, { user: { name: 'Eve?' } }, 5)], present)).toEqual([]);
    guard.forget('eve');
    expect(guard.accept('mallory', [entry(20, { user: { name: 'Eve?' } }, 5)], present)).toHaveLength(1);
  });
});

describe('TokenBucket', () => {
  it('allows the burst, then the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, () => now);
    expect(Array.from({ length: 6 }, () => bucket.take())).toEqual([true, true, true, true, true, false]);
    now += 100; // one token per 100 ms at 10/s
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now += 10_000; // refills to the burst, not beyond
    expect(Array.from({ length: 6 }, () => bucket.take()).filter(Boolean)).toHaveLength(5);
  });
});
