// The fan-out tick (server/sync/fanout.ts) counts from the end of the room's last flush: in a big
// room (a long tick), an edit after a quiet spell goes out on the next turn of the event loop
// instead of waiting a whole tick, while edits right after a flush still wait for the tick.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { CoalescingFanout, type FanoutPeer } from '../../server/sync/fanout';
import type { PreparedFrame } from '../../server/sync/prepared-frame';

const turn = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A peer whose every send takes `ms` of main-thread time, like writing to many sockets. */
function slowPeer(ms: number, got: Uint8Array[]): FanoutPeer {
  const spin = () => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  return {
    send: (f) => (spin(), got.push(f)),
    sendPrepared: (f: PreparedFrame) => (spin(), got.push(f.payload)),
  };
}

function update(doc: Y.Doc, n: number): Uint8Array {
  let u: Uint8Array | null = null;
  const on = (x: Uint8Array) => (u = x);
  doc.on('update', on);
  doc.getArray('a').push([n]);
  doc.off('update', on);
  return u!;
}

describe('fan-out tick', () => {
  it('sends an edit after a quiet spell at once, and edits right after a flush a tick later', async () => {
    const doc = new Y.Doc();
    const got: Uint8Array[] = [];
    // 200 ms cap and factor 4: a 20 ms flush makes the tick 80 ms (clearly longer than a turn).
    const fanout = new CoalescingFanout(() => [slowPeer(20, got)], new Awareness(new Y.Doc()), { maxTickMs: 200, tickFactor: 4 });
    try {
      // Grow the tick: a few flushes of ~20 ms each.
      for (let i = 0; i < 4; i++) {
        fanout.update(update(doc, i), 'writer');
        fanout.flush();
      }
      expect(fanout.tickMs).toBeGreaterThan(30);
      const sent = got.length;

      // Right after a flush: held for the tick.
      fanout.update(update(doc, 10), 'writer');
      await turn();
      await turn();
      expect(got.length).toBe(sent);
      await sleep(fanout.tickMs + 50);
      expect(got.length).toBe(sent + 1);

      // After more than a tick of quiet: out on the next turn.
      await sleep(fanout.tickMs + 20);
      fanout.update(update(doc, 11), 'writer');
      await turn();
      await turn();
      expect(got.length).toBe(sent + 2);
    } finally {
      fanout.dispose();
    }
  });
});
