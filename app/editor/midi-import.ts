// Importing a .mid file into the live session. The whole file is read and checked against the
// session's limits first (lib/midi), so a refused file writes nothing — no empty track. Then the
// tracks, the tempo and the first batch of notes go in one transaction and the remaining notes in
// batches (lib/midi/import-plan), each its own transaction and websocket message, well under the
// server's message limit; a toast shows the progress. The batches form one undo step: the undo
// manager merges them while the import runs (an edit the user makes meanwhile joins that step).
import { addNotes, addTrack, setMeta, type NoteData, type TrackId } from '@/lib/score';
import { checkImportFits, inBatches, MidiImportError, midiToScore } from '@/lib/midi';
import type { Editor } from './editor';

/** Yields to the browser between batches, so the page repaints the progress and stays responsive. */
const nextFrame = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Imports a .mid file into new tracks; resolves false (after a message) when it was refused. */
export async function importMidi(ed: Editor, bytes: Uint8Array, fileName: string): Promise<boolean> {
  let score;
  try {
    score = midiToScore(bytes);
    checkImportFits(score, { notes: ed.store.notes.size, tracks: ed.store.tracks.length });
  } catch (err) {
    ed.toast(err instanceof MidiImportError ? `Could not import ${fileName}: ${err.message}` : `Could not import ${fileName}: ${String(err)}`, 'error');
    return false;
  }
  if (score.notes.length === 0) {
    ed.toast(`${fileName} contains no notes; nothing was imported.`, 'error');
    return false;
  }
  const { doc, origin, undo } = ed.conn;
  const idMap = new Map<string, TrackId>();
  const batches = inBatches(score.notes);
  const total = score.notes.length.toLocaleString('en');
  const captureTimeout = undo.captureTimeout;
  undo.stopCapturing();
  undo.captureTimeout = Number.POSITIVE_INFINITY;
  try {
    for (let b = 0; b < batches.length; b++) {
      doc.transact(() => {
        if (b === 0) {
          for (const t of score.tracks) {
            const { id, order: _order, color: _color, ...data } = t;
            idMap.set(id, addTrack(doc, data, origin).id);
          }
          const cur = ed.store.meta;
          setMeta(doc, { bpm: score.meta.bpm, timeSignature: score.meta.timeSignature, tempos: score.meta.tempos, timeSignatures: score.meta.timeSignatures, lengthBars: Math.max(cur.lengthBars, score.meta.lengthBars) }, origin);
        }
        addNotes(doc, batches[b]!.map(({ id: _id, trackId, ...n }): NoteData => ({ ...n, trackId: idMap.get(trackId)! })), origin);
      }, origin);
      if (b === 0) {
        ed.setUi({ activeTrackId: idMap.get(score.tracks[0]!.id) ?? null });
        ed.frameMusic();
      }
      if (batches.length > 1 && b < batches.length - 1) {
        ed.toast(`Importing ${fileName}: ${Math.min((b + 1) * batches[0]!.length, score.notes.length).toLocaleString('en')} of ${total} notes…`);
        await nextFrame();
      }
    }
  } catch (err) {
    // Not expected (every note was checked above); say so instead of failing silently.
    ed.toast(`Import of ${fileName} stopped: ${err instanceof Error ? err.message : String(err)}`, 'error');
    return false;
  } finally {
    undo.captureTimeout = captureTimeout;
    undo.stopCapturing();
  }
  ed.toast(`Imported ${total} notes in ${score.tracks.length} track${score.tracks.length === 1 ? '' : 's'} from ${fileName} (${score.meta.bpm} BPM, ${score.meta.timeSignature.join('/')})`);
  return true;
}
