// MIDI import against the session limits (lib/score/limits.ts): too many notes, too many tracks,
// ticks past the score's 32-bit range are refused as a whole with a message, before anything is
// written; an import that fits is written in batches that each stay far under the server's
// 8 MiB message limit.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { checkImportFits, IMPORT_BATCH_NOTES, inBatches, MAX_IMPORT_TRACKS, MidiImportError, midiToScore } from '@/lib/midi';
import { addNotes, addTrack, initScore } from '@/lib/score';
import { MAX_NOTES, MAX_TRACKS } from '@/lib/score/limits';
import { buildSmf, manyNotes } from '../helpers/smf';

const refusal = (bytes: Uint8Array): MidiImportError => {
  try {
    midiToScore(bytes);
  } catch (err) {
    if (err instanceof MidiImportError) return err;
    throw err;
  }
  throw new Error('the file was accepted');
};

describe('MIDI import limits', () => {
  it('refuses a small file that would create 3,000 tracks, naming the cap', () => {
    const bytes = buildSmf(Array.from({ length: 3000 }, (_, i) => [{ tick: i, pitch: 60, duration: 10 }]));
    expect(bytes.length).toBeLessThan(100_000);
    expect(refusal(bytes).message).toBe(`The MIDI file has 3,000 tracks with notes; one import can create at most ${MAX_IMPORT_TRACKS}.`);
    expect(MAX_IMPORT_TRACKS).toBeLessThanOrEqual(MAX_TRACKS);
    // At the cap it is fine.
    expect(midiToScore(buildSmf(Array.from({ length: MAX_IMPORT_TRACKS }, () => [{ tick: 0, pitch: 60, duration: 10 }]))).tracks).toHaveLength(
      MAX_IMPORT_TRACKS,
    );
  });

  it('refuses a file with more notes than a session holds', () => {
    // Spread over 16 tracks: the parser (@tonejs/midi) pairs note-ons and -offs several times
    // faster than over 4 tracks (~1 s instead of ~5 s here), for the same 200,001 notes.
    expect(refusal(buildSmf(manyNotes(MAX_NOTES + 1, 16))).message).toBe('The MIDI file has 200,001 notes, more than the 200,000 a session can hold.');
  });

  it('refuses a note beyond the 32-bit tick range as a whole: no partial score, no empty track', () => {
    // 1 tick per quarter, so the 480× rescale takes a note at 2^28 ticks to ~1.3e11.
    const bytes = buildSmf(
      [
        [{ tick: 0, pitch: 60, duration: 1 }],
        [
          { tick: 0, pitch: 62, duration: 1 },
          { tick: 0x0fffffff, pitch: 64, duration: 1 },
        ],
      ],
      1,
    );
    expect(refusal(bytes).message).toMatch(
      /^The MIDI file has a note at tick 268,435,455 of the file that lies beyond the longest score Tutti can hold \(2,147,483,647 ticks\); nothing was imported\.$/,
    );
    // Just inside the range is accepted.
    const inside = midiToScore(buildSmf([[{ tick: Math.floor((2 ** 31 - 1) / 480), pitch: 60, duration: 1 }]], 1));
    expect(inside.notes[0]!.start).toBe(Math.floor((2 ** 31 - 1) / 480) * 480);
  });

  it('creates a track only for MIDI tracks that bring notes', () => {
    const s = midiToScore(buildSmf([[], [{ tick: 0, pitch: 60, duration: 480 }], []]));
    expect(s.tracks).toHaveLength(1);
    expect(s.notes.every((n) => n.trackId === s.tracks[0]!.id)).toBe(true);
  });

  it('checks an import against what the session already holds', () => {
    const score = { notes: new Array(60_000).fill(null) as never[], tracks: new Array(10).fill(null) as never[] };
    expect(() => checkImportFits(score, { notes: 100_000, tracks: 3 })).not.toThrow();
    expect(() => checkImportFits(score, { notes: 150_000, tracks: 3 })).toThrow(
      new MidiImportError('It has 60,000 notes and the session already holds 150,000; a session holds at most 200,000. Nothing was imported.'),
    );
    expect(() => checkImportFits(score, { notes: 0, tracks: 250 })).toThrow(/would add 10 tracks to the session's 250; a session holds at most 256/);
  });

  it('writes 100,000 notes in batches whose updates each stay far below the 8 MiB message limit', () => {
    expect(inBatches(new Array(100_000).fill(0)).map((b) => b.length)).toEqual(new Array(20).fill(IMPORT_BATCH_NOTES));
    expect(inBatches([1, 2, 3], 2)).toEqual([[1, 2], [3]]);
    const score = midiToScore(buildSmf(manyNotes(3 * IMPORT_BATCH_NOTES, 4)));
    const batches = inBatches(score.notes);
    expect(batches).toHaveLength(3);
    const doc = new Y.Doc();
    initScore(doc);
    const trackId = addTrack(doc, { name: 'Import' }).id;
    const sizes: number[] = [];
    doc.on('update', (u: Uint8Array) => sizes.push(u.length));
    for (const b of batches.slice(0, 3))
      addNotes(
        doc,
        b.map(({ id: _id, ...n }) => ({ ...n, trackId })),
      );
    expect(sizes).toHaveLength(3);
    for (const size of sizes) expect(size).toBeLessThan((8 * 1024 * 1024) / 4);
  });
});
