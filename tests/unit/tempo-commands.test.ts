// The tempo/metre lane's edits (lib/score/tempo-commands.ts): pure patches over meta, validated,
// written in one transaction that a per-user UndoManager undoes in one step and a peer receives whole.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DEFAULT_META, PPQ, ScoreValidationError, initScore, metaMap, readMeta, type Meta } from '@/lib/score';
import { moveMetre, moveTempo, removeMetre, removeTempo, setMetreAt, setTempoAt, writeTiming } from '@/lib/score/tempo-commands';

const Q = PPQ;
const base: Meta = { ...DEFAULT_META, bpm: 100, timeSignature: [4, 4] };

describe('tempo edits', () => {
  it('adds a change, keeps the list sorted, and mirrors tick 0 into bpm', () => {
    const a = setTempoAt(base, 16 * Q, 60);
    expect(a).toEqual({
      bpm: 100,
      tempos: [
        { tick: 0, bpm: 100 },
        { tick: 16 * Q, bpm: 60 },
      ],
    });
    const b = setTempoAt({ ...base, ...a }, 8 * Q, 80);
    expect(b.tempos.map((t) => t.tick)).toEqual([0, 8 * Q, 16 * Q]);
    // Editing the tick-0 entry edits bpm too.
    const c = setTempoAt({ ...base, ...b }, 0, 132.5);
    expect(c.bpm).toBe(132.5);
    expect(c.tempos[0]).toEqual({ tick: 0, bpm: 132.5 });
    // Setting where one exists replaces it.
    expect(setTempoAt({ ...base, ...c }, 8 * Q, 90).tempos).toEqual([
      { tick: 0, bpm: 132.5 },
      { tick: 8 * Q, bpm: 90 },
      { tick: 16 * Q, bpm: 60 },
    ]);
  });

  it('takes bpm as the tick-0 tempo when a stale tempos[0] disagrees (the toolbar edited bpm)', () => {
    const meta = {
      ...base,
      bpm: 90,
      tempos: [
        { tick: 0, bpm: 120 },
        { tick: 4 * Q, bpm: 70 },
      ],
    };
    expect(setTempoAt(meta, 8 * Q, 60).tempos).toEqual([
      { tick: 0, bpm: 90 },
      { tick: 4 * Q, bpm: 70 },
      { tick: 8 * Q, bpm: 60 },
    ]);
  });

  it('moves and removes changes, never the first', () => {
    const meta = { ...base, ...setTempoAt(base, 8 * Q, 80) };
    expect(moveTempo(meta, 8 * Q, 12 * Q).tempos).toEqual([
      { tick: 0, bpm: 100 },
      { tick: 12 * Q, bpm: 80 },
    ]);
    expect(removeTempo(meta, 8 * Q)).toEqual({ bpm: 100, tempos: [{ tick: 0, bpm: 100 }] });
    expect(() => removeTempo(meta, 0)).toThrow(ScoreValidationError);
    expect(() => moveTempo(meta, 0, 4 * Q)).toThrow(/start of the score/);
    expect(() => moveTempo(meta, 8 * Q, 0)).toThrow(/start of the score/);
    expect(() => removeTempo(meta, 4 * Q)).toThrow(/no tempo change/);
    // Moving onto another change replaces it.
    const two = { ...meta, ...setTempoAt(meta, 12 * Q, 50) };
    expect(moveTempo(two, 8 * Q, 12 * Q).tempos).toEqual([
      { tick: 0, bpm: 100 },
      { tick: 12 * Q, bpm: 80 },
    ]);
  });

  it('refuses values the schema refuses, with a clear error', () => {
    expect(() => setTempoAt(base, 4 * Q, 10)).toThrow(/tempo/);
    expect(() => setTempoAt(base, 4 * Q, 401)).toThrow(ScoreValidationError);
    expect(() => setTempoAt(base, -1, 100)).toThrow(/tick/);
    expect(() => setTempoAt(base, 1.5, 100)).toThrow(/tick/);
  });
});

describe('metre edits', () => {
  it('lands a change on the bar line at or before the tick, counted under the metre before it', () => {
    // Bar 3 of 4/4 starts at beat 8; a click inside it (beat 9.5) puts the 3/4 there.
    const a = setMetreAt(base, 9.5 * Q, 3, 4);
    expect(a).toEqual({
      timeSignature: [4, 4],
      timeSignatures: [
        { tick: 0, numerator: 4, denominator: 4 },
        { tick: 8 * Q, numerator: 3, denominator: 4 },
      ],
    });
    // Under the 3/4, bars start at 8, 11, 14 … : 6/8 asked at beat 15 lands on 14.
    const b = setMetreAt({ ...base, ...a }, 15 * Q, 6, 8);
    expect(b.timeSignatures.map((s) => [s.tick / Q, `${s.numerator}/${s.denominator}`])).toEqual([
      [0, '4/4'],
      [8, '3/4'],
      [14, '6/8'],
    ]);
    // Tick 0 sets the session's time signature.
    const c = setMetreAt({ ...base, ...b }, 0, 2, 2);
    expect(c.timeSignature).toEqual([2, 2]);
    expect(c.timeSignatures[0]).toEqual({ tick: 0, numerator: 2, denominator: 2 });
  });

  it('moves a change to a bar line counted without it, and removes changes but not the first', () => {
    const meta = { ...base, ...setMetreAt(base, 8 * Q, 3, 4) };
    // Without the 3/4, bars are 4/4: beat 13 → bar line at beat 12.
    expect(moveMetre(meta, 8 * Q, 13 * Q).timeSignatures.map((s) => s.tick / Q)).toEqual([0, 12]);
    expect(removeMetre(meta, 8 * Q).timeSignatures).toEqual([{ tick: 0, numerator: 4, denominator: 4 }]);
    expect(() => removeMetre(meta, 0)).toThrow(/start of the score/);
    expect(() => moveMetre(meta, 8 * Q, 3 * Q)).toThrow(/start of the score/);
    expect(() => setMetreAt(base, 4 * Q, 3, 5)).toThrow(/denominator/);
    expect(() => setMetreAt(base, 4 * Q, 0, 4)).toThrow(ScoreValidationError);
  });
});

describe('writing, undo and sync', () => {
  it('one transaction per edit: a peer gets it, undo removes it from both', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(b, u, 'remote'));
    b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(a, u, 'remote'));
    initScore(a, {}, 'init');
    const origin = { user: 'A' };
    const undo = new Y.UndoManager([metaMap(a)], { trackedOrigins: new Set([origin]), captureTimeout: 0 });
    let updates = 0;
    a.on('update', () => updates++);

    writeTiming(a, setTempoAt(readMeta(a), 8 * Q, 60), origin);
    writeTiming(a, setMetreAt(readMeta(a), 9 * Q, 3, 4), origin);
    expect(updates).toBe(2);
    expect(undo.undoStack.length).toBe(2);
    expect(readMeta(b).tempos).toEqual([
      { tick: 0, bpm: 100 },
      { tick: 8 * Q, bpm: 60 },
    ]);
    expect(readMeta(b).timeSignatures?.map((s) => s.tick)).toEqual([0, 8 * Q]);

    undo.undo();
    expect(readMeta(b).timeSignatures).toBeUndefined();
    expect(readMeta(b).tempos?.length).toBe(2);
    undo.undo();
    expect(readMeta(b).tempos).toBeUndefined();
    expect(readMeta(a).bpm).toBe(100);
    undo.redo();
    expect(readMeta(b).tempos?.[1]).toEqual({ tick: 8 * Q, bpm: 60 });
  });

  it('a bad patch writes nothing', () => {
    const doc = new Y.Doc();
    initScore(doc);
    const before = readMeta(doc);
    expect(() => writeTiming(doc, { bpm: 100, tempos: [{ tick: 5, bpm: 100 }] }, null)).toThrow(ScoreValidationError);
    expect(readMeta(doc)).toEqual(before);
  });
});
