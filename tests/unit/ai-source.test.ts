// The AI panel's default source track (lib/ai/source.ts): the selected track when it has notes,
// else the melody-role track with the most notes (an imported melody beats an empty starter track).
import { describe, expect, it } from 'vitest';
import { defaultSourceTrack } from '@/lib/ai/source';
import { defaultTrack, type Note, type Track, type TrackId, type NoteId } from '@/lib/score';

const track = (id: string, i: number, patch: Partial<Track> = {}): Track => ({ ...defaultTrack(i), id: id as TrackId, ...patch });
const notes = (trackId: string, n: number): Note[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${trackId}-${i}` as NoteId, trackId: trackId as TrackId, pitch: 60 + (i % 12), start: i * 480, duration: 480, velocity: 90 }));

describe('defaultSourceTrack', () => {
  it('after a MIDI import next to an empty starter Melody track, picks the imported melody', () => {
    const tracks = [track('starter', 0, { name: 'Melody', role: 'melody' }), track('imp-mel', 1, { role: 'melody' }), track('imp-bass', 2, { role: 'accompaniment' })];
    const score = { tracks, notes: [...notes('imp-mel', 20), ...notes('imp-bass', 40)] };
    // The starter track is what the editor had selected before the import: it is empty, so it loses.
    expect(defaultSourceTrack(score, 'starter')).toBe('imp-mel');
    expect(defaultSourceTrack(score)).toBe('imp-mel');
  });

  it('the selected track wins when it has notes, even if it is not a melody track', () => {
    const tracks = [track('mel', 0, { role: 'melody' }), track('acc', 1, { role: 'accompaniment' })];
    expect(defaultSourceTrack({ tracks, notes: [...notes('mel', 30), ...notes('acc', 3)] }, 'acc')).toBe('acc');
  });

  it('among melody tracks the one with the most notes; without any, the fullest track', () => {
    const tracks = [track('m1', 0, { role: 'melody' }), track('m2', 1, { role: 'melody' }), track('a', 2, { role: 'accompaniment' })];
    expect(defaultSourceTrack({ tracks, notes: [...notes('m1', 5), ...notes('m2', 9), ...notes('a', 50)] })).toBe('m2');
    expect(defaultSourceTrack({ tracks, notes: notes('a', 4) })).toBe('a');
  });

  it('an empty score falls back to the selected, then the first track; no tracks gives null', () => {
    const tracks = [track('x', 0), track('y', 1)];
    expect(defaultSourceTrack({ tracks, notes: [] }, 'y')).toBe('y');
    expect(defaultSourceTrack({ tracks, notes: [] }, 'gone')).toBe('x');
    expect(defaultSourceTrack({ tracks: [], notes: [] })).toBeNull();
  });
});
