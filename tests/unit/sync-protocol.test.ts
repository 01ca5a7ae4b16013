// server/sync: frames a stock y-websocket client sends decode to typed messages; anything
// malformed throws ProtocolError (and so never reaches a document).
import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { ProtocolError, decodeClientMessage } from '@/server/sync/protocol';

const frameOf = (type: number, write: (e: encoding.Encoder) => void) => {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, type);
  write(e);
  return encoding.toUint8Array(e);
};

describe('decodeClientMessage', () => {
  const doc = new Y.Doc();
  doc.getMap('notes').set('n', 1);

  it('decodes what y-protocols writes', () => {
    expect(decodeClientMessage(frameOf(0, (e) => syncProtocol.writeSyncStep1(e, doc))).kind).toBe('syncStep1');
    expect(decodeClientMessage(frameOf(0, (e) => syncProtocol.writeSyncStep2(e, doc))).kind).toBe('syncStep2');
    const upd = decodeClientMessage(frameOf(0, (e) => syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc))));
    expect(upd).toEqual({ kind: 'syncUpdate', update: Y.encodeStateAsUpdate(doc) });
    const awareness = new Awareness(doc);
    awareness.setLocalState({ user: { name: 'Ada' } });
    const aw = decodeClientMessage(frameOf(1, (e) => encoding.writeVarUint8Array(e, encodeAwarenessUpdate(awareness, [doc.clientID]))));
    expect(aw).toMatchObject({ kind: 'awareness', entries: [{ clientId: doc.clientID, state: { user: { name: 'Ada' } } }] });
    awareness.destroy();
    expect(decodeClientMessage(new Uint8Array([3]))).toEqual({ kind: 'queryAwareness' });
  });

  it('throws ProtocolError on malformed frames', () => {
    const valid = frameOf(0, (e) => syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc)));
    const bad: [string, Uint8Array][] = [
      ['empty', new Uint8Array()],
      ['unknown type', new Uint8Array([9])],
      ['auth from a client', new Uint8Array([2, 0])],
      ['unknown sync type', new Uint8Array([0, 7, 0])],
      ['truncated', valid.subarray(0, valid.length - 3)],
      ['trailing bytes', new Uint8Array([...valid, 0])],
      ['garbage update', new Uint8Array([0, 2, 4, 0xff, 0xff, 0xff, 0xff])],
      ['bad state vector', new Uint8Array([0, 0, 3, 0xff, 0xff, 0xff])],
      ['awareness with broken JSON', frameOf(1, (e) => encoding.writeVarUint8Array(e, new Uint8Array([1, 5, 1, 2, 0x7b, 0x7b])))],
    ];
    for (const [what, frame] of bad) expect(() => decodeClientMessage(frame), what).toThrow(ProtocolError);
  });
});
