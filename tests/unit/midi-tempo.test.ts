// Issue 15 item 7: tempo maps and metre changes survive MIDI import and export. Files are written
// raw (midi-file's writer, not our exporter) at a PPQ other than ours, and each note's reference
// onset in seconds is computed here from the file's own tempo events, independently of lib/.
import { describe, expect, it } from 'vitest';
import { midiToScore, scoreToMidi } from '@/lib/midi';
import { writeMidi } from '@/lib/midi/midifile';
import { TempoMap, temposOf, timeSignaturesOf, type Score } from '@/lib/score';

type Abs = { at: number; ev: Record<string, unknown> };

/** A format-1 file: a conductor track of `conductor` events and one note track, absolute ticks. */
function rawFile(ppq: number, conductor: Abs[], notes: Abs[]): Uint8Array {
  const track = (evs: Abs[]): Record<string, unknown>[] => {
    const sorted = [...evs].sort((a, b) => a.at - b.at);
    let last = 0;
    const out = sorted.map(({ at, ev }) => {
      const e: Record<string, unknown> = { ...ev, deltaTime: at - last };
      last = at;
      return e;
    });
    out.push({ deltaTime: 0, meta: true, type: 'endOfTrack' });
    return out;
  };
  return Uint8Array.from(writeMidi({ header: { format: 1, numTracks: 2, ticksPerBeat: ppq }, tracks: [track(conductor), track(notes)] } as never));
}
const tempo = (at: number, bpm: number): Abs => ({ at, ev: { meta: true, type: 'setTempo', microsecondsPerBeat: Math.round(60_000_000 / bpm) } });
const metre = (at: number, numerator: number, denominator: number): Abs => ({ at, ev: { meta: true, type: 'timeSignature', numerator, denominator, metronome: 24, thirtyseconds: 8 } });
const on = (at: number, pitch: number, velocity = 90): Abs => ({ at, ev: { type: 'noteOn', channel: 0, noteNumber: pitch, velocity } });
const off = (at: number, pitch: number): Abs => ({ at, ev: { type: 'noteOff', channel: 0, noteNumber: pitch, velocity: 0 } });

/** Seconds of file tick `t`, straight from the file's setTempo events (µs per beat), 120 BPM before the first. */
function refSeconds(ppq: number, conductor: Abs[], t: number): number {
  const tempos = conductor.filter((c) => c.ev.type === 'setTempo').sort((a, b) => a.at - b.at);
  let sec = 0;
  let prev = 0;
  let usPerBeat = 500_000;
  for (const c of tempos) {
    if (c.at >= t) break;
    sec += ((c.at - prev) / ppq) * (usPerBeat / 1e6);
    prev = c.at;
    usPerBeat = c.ev.microsecondsPerBeat as number;
  }
  return sec + ((t - prev) / ppq) * (usPerBeat / 1e6);
}

/** Onsets of a score in seconds, sorted, through its own tempo map. */
const onsets = (score: Score) => {
  const map = TempoMap.of(score.meta);
  return score.notes.map((n) => map.seconds(n.start)).sort((a, b) => a - b);
};

// A rubato-like file at 96 PPQ: a tempo change every few beats (some off the beat), ritardando, metre changes.
const PPQ_FILE = 96;
const conductor: Abs[] = [tempo(0, 72), metre(0, 3, 4), tempo(150, 66.5), tempo(288, 58), tempo(400, 93.7), metre(576, 6, 8), tempo(700, 41.25), metre(1152, 4, 4), tempo(1300, 132)];
const noteEvents: Abs[] = [];
for (let i = 0; i < 40; i++) {
  const at = i * 37;
  noteEvents.push(on(at, 60 + (i % 12)), off(at + 30, 60 + (i % 12)));
}

describe('MIDI tempo maps and metre changes', () => {
  it('imports every tempo and time-signature event, onsets within 1 ms of the file', () => {
    const bytes = rawFile(PPQ_FILE, conductor, noteEvents);
    const score = midiToScore(bytes);
    expect(score.meta.tempos!.map((t) => t.tick)).toEqual([0, 150, 288, 400, 700, 1300].map((t) => t * 5));
    expect(score.meta.tempos![0]!.bpm).toBeCloseTo(72, 3);
    expect(score.meta.bpm).toBe(score.meta.tempos![0]!.bpm);
    expect(score.meta.timeSignatures).toEqual([
      { tick: 0, numerator: 3, denominator: 4 },
      { tick: 576 * 5, numerator: 6, denominator: 8 },
      { tick: 1152 * 5, numerator: 4, denominator: 4 },
    ]);
    expect(score.meta.timeSignature).toEqual([3, 4]);
    const ref = noteEvents.filter((e) => e.ev.type === 'noteOn').map((e) => refSeconds(PPQ_FILE, conductor, e.at)).sort((a, b) => a - b);
    const got = onsets(score);
    expect(got).toHaveLength(ref.length);
    const worst = Math.max(...got.map((s, i) => Math.abs(s - ref[i]!)));
    expect(worst).toBeLessThan(0.001);
    // A constant-tempo reading (the old behaviour) is far off: the test can tell.
    const constant = score.notes.map((n) => (n.start * 60) / (score.meta.bpm * 480)).sort((a, b) => a - b);
    expect(Math.max(...constant.map((s, i) => Math.abs(s - ref[i]!)))).toBeGreaterThan(0.1);
  });

  it('export writes the map back: import → export → import keeps tempos, metres and onsets', () => {
    const once = midiToScore(rawFile(PPQ_FILE, conductor, noteEvents));
    const twice = midiToScore(scoreToMidi(once));
    expect(twice.meta.tempos!.map((t) => t.tick)).toEqual(once.meta.tempos!.map((t) => t.tick));
    twice.meta.tempos!.forEach((t, i) => expect(t.bpm).toBeCloseTo(once.meta.tempos![i]!.bpm, 3));
    expect(twice.meta.timeSignatures).toEqual(once.meta.timeSignatures);
    const a = onsets(once);
    const b = onsets(twice);
    expect(Math.max(...a.map((s, i) => Math.abs(s - b[i]!)))).toBeLessThan(0.001);
    expect(temposOf(twice.meta)).toHaveLength(6);
    expect(timeSignaturesOf(twice.meta)).toHaveLength(3);
  });

  it('a file without tempo events plays at 120 BPM (the MIDI standard)', () => {
    const plain = [metre(0, 4, 4)];
    const notes = [on(0, 60), off(96, 60), on(192, 62), off(288, 62)];
    const score = midiToScore(rawFile(PPQ_FILE, plain, notes));
    expect(score.meta.bpm).toBe(120);
    expect(score.meta.tempos).toEqual([{ tick: 0, bpm: 120 }]);
    expect(onsets(score)).toEqual([0, 1]);
  });

  it('a tempo event after tick 0 leaves 120 BPM before it', () => {
    const late = [tempo(192, 60)];
    const score = midiToScore(rawFile(PPQ_FILE, late, [on(0, 60), off(10, 60), on(384, 60), off(400, 60)]));
    expect(score.meta.tempos!.map((t) => [t.tick, Math.round(t.bpm * 1000) / 1000])).toEqual([[0, 120], [960, 60]]);
    expect(onsets(score)[1]).toBeCloseTo(refSeconds(PPQ_FILE, late, 384), 6);
  });

  it('overlapping same-pitch notes survive import and export (FIFO note-off matching)', () => {
    // Three C4s: [0, 200), [100, 300), [150, 160) plus a retrigger at 300 right on the previous off.
    const notes = [on(0, 60), on(100, 60), on(150, 60), off(160, 60), off(200, 60), off(300, 60), on(300, 60), off(400, 60)];
    const score = midiToScore(rawFile(PPQ_FILE, [tempo(0, 100)], notes));
    const starts = score.notes.map((n) => n.start / 5).sort((a, b) => a - b);
    expect(starts).toEqual([0, 100, 150, 300]);
    // FIFO: the first note-off after an onset ends the earliest sounding note.
    expect(score.notes.map((n) => [n.start / 5, (n.start + n.duration) / 5]).sort((a, b) => a[0]! - b[0]!)).toEqual([
      [0, 160],
      [100, 200],
      [150, 300],
      [300, 400],
    ]);
    const back = midiToScore(scoreToMidi(score));
    expect(back.notes.map((n) => n.start).sort((a, b) => a - b)).toEqual(score.notes.map((n) => n.start).sort((a, b) => a - b));
    expect(back.notes).toHaveLength(4);
  });
});
