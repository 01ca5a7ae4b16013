// Which track an AI request reads its melody from when nobody has said. The person's own choice
// (the selected track) wins when it has notes to read; otherwise the melody-role track with the
// most notes, so after a MIDI import the imported melody is used rather than the session's empty
// starter "Melody" track (issue 13: the first Generate after an import failed on it).
import type { Score, TrackId } from '../score';

/** Note counts per track id, in one pass over the notes. */
function countsByTrack(score: Pick<Score, 'notes'>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of score.notes) counts.set(n.trackId, (counts.get(n.trackId) ?? 0) + 1);
  return counts;
}

/**
 * The default source track: the selected track if it holds notes, else the melody-role track with
 * the most notes, else the track with the most notes, else the selected (or first) track; null in
 * a score without tracks. Ties go to the track listed first (display order).
 */
export function defaultSourceTrack(score: Pick<Score, 'tracks' | 'notes'>, selectedTrackId?: string | null): TrackId | null {
  if (!score.tracks.length) return null;
  const counts = countsByTrack(score);
  const selected = selectedTrackId ? score.tracks.find((t) => t.id === selectedTrackId) : undefined;
  if (selected && (counts.get(selected.id) ?? 0) > 0) return selected.id;
  const most = (role?: string) => {
    let best: { id: TrackId; n: number } | null = null;
    for (const t of score.tracks) {
      if (role && t.role !== role) continue;
      const n = counts.get(t.id) ?? 0;
      if (n > 0 && (!best || n > best.n)) best = { id: t.id, n };
    }
    return best?.id ?? null;
  };
  return most('melody') ?? most() ?? selected?.id ?? score.tracks[0]!.id;
}
