// A model's result as a suggestion (issue 13): the notes it would add — voice notes on the new
// tracks it asked for (by voice: alto, tenor, bass; the accompaniment tracks are found or created
// only when someone accepts), notes for existing tracks (rewrite/infill/continue) by track id —
// and the ids of the notes it would replace. Validated in full first, so a bad result fails the job
// and writes nothing.
import { MAX_SUGGESTION_NOTES, noteSchema, parseOrThrow, type NewSuggestion, type SuggestionNote, type SuggestionVoice } from '../../lib/score';
import type { GenerateResult } from '../../models/generator';
import { ResultError } from './apply';

/** Everything of a suggestion but what the model's result gives (its notes, replaced notes and voices). */
export type SuggestionContext = Omit<NewSuggestion, 'notes' | 'remove' | 'voices'>;

const voiceKey = (name: string) => name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 24) || 'voice';

export function resultToSuggestion(result: GenerateResult, ctx: SuggestionContext, existingTracks: ReadonlySet<string>): NewSuggestion {
  if (result.add.length > MAX_SUGGESTION_NOTES) throw new ResultError(`the model returned ${result.add.length} notes (limit ${MAX_SUGGESTION_NOTES})`);
  const refs = new Map(result.newTracks.map((t) => [t.ref, t]));
  if (refs.size !== result.newTracks.length) throw new ResultError('the model returned two new tracks with the same ref');
  const voices: SuggestionVoice[] = [];
  const voiceOfRef = new Map<string, string>();
  for (const t of result.newTracks) {
    let v = voiceKey(t.name);
    while (voices.some((x) => x.voice === v)) v = `${v}-2`.slice(-24);
    voiceOfRef.set(t.ref, v);
    voices.push({ voice: v, name: t.name.slice(0, 100) || 'AI track', instrument: t.instrument });
  }
  const notes: SuggestionNote[] = [];
  for (const n of result.add) {
    parseOrThrow(noteSchema, n, 'generated note');
    const voice = voiceOfRef.get(n.trackId);
    if (voice) notes.push({ voice, trackId: null, pitch: n.pitch, start: n.start, duration: n.duration, velocity: n.velocity });
    else if (existingTracks.has(n.trackId)) notes.push({ voice: 'track', trackId: n.trackId, pitch: n.pitch, start: n.start, duration: n.duration, velocity: n.velocity });
    else throw new ResultError(`a generated note refers to track "${String(n.trackId).slice(0, 40)}", neither new nor in the session`);
  }
  const used = new Set(notes.map((n) => n.voice));
  return { ...ctx, notes, remove: [...new Set(result.remove as string[])], voices: voices.filter((v) => used.has(v.voice)) };
}
