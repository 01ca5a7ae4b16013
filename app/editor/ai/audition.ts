// Auditioning a suggestion before anyone accepts it: the transport plays the suggestion's bars
// with its notes in place (and the notes it would replace silenced), or solo (only its notes).
// Nothing is written to the document; the engine gets a SuggestionLayer (audio/engine.ts) and
// playback stops by itself at the end of the bars.
import type { Instrument } from '@/lib/score';
import type { Editor } from '../editor';
import type { SuggestionLayer } from '../audio/engine';
import { aiView } from './ai-view';
import type { SuggestionView } from './suggestion-view';

/** The instrument each of the suggestion's notes would sound on once accepted. */
export function instrumentFor(ed: Editor, s: SuggestionView, voice: string, trackId: string | null): Instrument {
  const target = trackId ? ed.store.track(trackId as never) : undefined;
  if (target) return target.instrument;
  // An accompaniment track made for this voice before (track.aiVoice) is reused on accept; else
  // the suggestion says which instrument the new voice track gets.
  const reused = ed.store.tracks.find((t) => t.aiVoice === voice);
  if (reused) return reused.instrument;
  return s.voices.find((v) => v.voice === voice)?.instrument ?? 'piano';
}

let watcher: ReturnType<typeof setInterval> | null = null;

export function stopAudition(ed: Editor): void {
  if (watcher) clearInterval(watcher);
  watcher = null;
  const engine = ed.engine;
  if (engine?.suggestion) {
    engine.stop();
    engine.suggestion = null;
    ed.setUi({ playing: false });
  }
  if (aiView(ed).audition) aiView(ed).setAudition(null);
}

/** Plays the suggestion's bars once, in place or solo. Must run inside the click (browser audio unlock). */
export async function auditionSuggestion(ed: Editor, s: SuggestionView, mode: 'in-place' | 'solo'): Promise<void> {
  stopAudition(ed);
  const engine = await ed.audio();
  if (engine.playing) engine.stop();
  const [from, to] = aiView(ed).span(s);
  const layer: SuggestionLayer = {
    notes: s.notes.map((n) => ({ ...n, instrument: instrumentFor(ed, s, n.voice, n.trackId) })),
    solo: mode === 'solo',
    hide: new Set(s.remove),
    played: 0,
  };
  engine.suggestion = layer;
  engine.setLoop(false, 0, 0);
  engine.play(from);
  ed.setUi({ playing: true }); // the person's loop setting stays; the next plain Play applies it again
  aiView(ed).setAudition({ suggestionId: s.id, mode });
  // The transport starts a few ms after play() (a scheduled start), so "not playing" means
  // "stopped" only once it has been seen playing, or if it never starts within a second.
  const startedBy = Date.now() + 1000;
  let started = false;
  watcher = setInterval(() => {
    if (engine.playing) started = true;
    const stopped = !engine.playing && (started || Date.now() > startedBy);
    // Stopped by the user (Space, Stop) or replaced by plain playback: just forget the audition.
    if (engine.suggestion !== layer || stopped) {
      if (watcher) clearInterval(watcher);
      watcher = null;
      if (engine.suggestion === layer) engine.suggestion = null;
      if (aiView(ed).audition?.suggestionId === s.id) aiView(ed).setAudition(null);
      return;
    }
    // The end of its bars, or someone accepted (its notes are now in the score) or dismissed it.
    if (engine.ticks >= to || aiView(ed).suggestion(s.id)?.status !== 'pending') stopAudition(ed);
  }, 50);
}

/** For the e2e test and the debug hook: what is being auditioned and how many of its notes sounded. */
export function auditionState(ed: Editor): { suggestionId: string; mode: string; played: number; playing: boolean } | null {
  const a = aiView(ed).audition;
  if (!a) return null;
  return { ...a, played: ed.engine?.suggestion?.played ?? 0, playing: ed.engine?.playing ?? false };
}
