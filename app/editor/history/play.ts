// Plays a version (not the live score) through its own audio engine. The live engine's scheduler
// stays registered on Tone's shared transport after it stops, so the transport's events are
// cleared first; the live engine registers its own again on its next Play.
import { NoteIndex } from '@/lib/editing';
import { TempoMap, type Score } from '@/lib/score';
import type { Editor } from '../editor';
import type { AudioEngine } from '../audio/engine';

let current: { engine: AudioEngine; timer: ReturnType<typeof setTimeout> } | null = null;

export async function playVersion(ed: Editor, score: Score, onEnd: () => void): Promise<void> {
  stopVersion();
  if (ed.engine?.playing) {
    ed.engine.stop();
    ed.setUi({ playing: false });
  }
  const [{ AudioEngine }, Tone] = await Promise.all([import('../audio/engine'), import('tone')]);
  await AudioEngine.unlock();
  Tone.getTransport().cancel(0);
  const index = new NoteIndex(score.notes);
  const engine = new AudioEngine({ index: () => index, tracks: () => score.tracks, meta: () => score.meta });
  engine.setLoop(false, 0, 0);
  engine.play(0);
  const endTick = score.notes.reduce((m, n) => Math.max(m, n.start + n.duration), 0);
  const seconds = TempoMap.of(score.meta).seconds(endTick) + 0.5;
  current = { engine, timer: setTimeout(() => (stopVersion(), onEnd()), seconds * 1000) };
}

export function stopVersion(): void {
  if (!current) return;
  clearTimeout(current.timer);
  current.engine.dispose();
  void import('tone').then((Tone) => Tone.getTransport().cancel(0));
  current = null;
}

export const versionPlaying = (): boolean => current !== null;
