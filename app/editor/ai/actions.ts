// What a person can do with a suggestion. Accept and dismiss are document transactions (the state
// change syncs to everyone); accept runs with this page's own origin, so it is one item of this
// person's undo stack: their Ctrl+Z takes the notes out again, nobody else's does.
import { acceptSuggestion, dismissSuggestion, notesOfSuggestion } from '@/lib/score/suggestions';
import type { AiRequestBody, ModelName, Task } from '@/lib/ai/contract';
import type { Editor } from '../editor';
import { JobApiError, requestAi } from './api';
import { aiAuth, participant } from './identity';
import type { SuggestionView } from './suggestion-view';
import { stopAudition } from './audition';
import { aiView } from './ai-view';

export async function accept(ed: Editor, s: SuggestionView): Promise<void> {
  const me = await participant(ed);
  if (aiView(ed).audition?.suggestionId === s.id) stopAudition(ed);
  ed.conn.undo.stopCapturing(); // one undo step of its own, never merged with an edit before it
  acceptSuggestion(ed.conn.doc, s.id, me?.id ?? 'unknown', ed.conn.origin);
  ed.conn.undo.stopCapturing();
}

export async function dismiss(ed: Editor, s: SuggestionView): Promise<void> {
  const me = await participant(ed);
  if (aiView(ed).audition?.suggestionId === s.id) stopAudition(ed);
  dismissSuggestion(ed.conn.doc, s.id, me?.id ?? 'unknown', ed.conn.origin);
}

/** Reruns the suggestion's request with a new seed (one candidate; "like/unlike" compares with it). */
export async function regenerate(ed: Editor, s: SuggestionView): Promise<void> {
  const knobs = Object.fromEntries(Object.entries(s.knobs).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string')) as AiRequestBody['knobs'];
  const body: AiRequestBody = {
    model: s.model as ModelName,
    task: s.task as Task,
    sourceTrackId: s.sourceTrackId,
    ...(s.targetTrackIds.length ? { targetTrackIds: s.targetTrackIds } : {}),
    ...(s.bars ? { bars: s.bars } : {}),
    candidates: 1,
    knobs,
    seed: Math.floor(Math.random() * 100_000),
    previousSuggestionId: s.id,
    requester: { name: ed.presence.local()?.name ?? 'Someone' },
  };
  try {
    await requestAi(ed.sessionId, body, await aiAuth(ed));
  } catch (e) {
    ed.toast(`Could not regenerate: ${e instanceof JobApiError ? e.message : String(e)}`, 'error');
  }
}

/** Selects the notes an accepted suggestion wrote that are still there (provenance: note.suggestionId). */
export function selectNotesOf(ed: Editor, s: SuggestionView): number {
  const ids = notesFrom(ed, s.id);
  if (ids.length) {
    const first = ed.store.notes.get(ids[0] as never);
    if (first) ed.setUi({ activeTrackId: first.trackId });
  }
  ed.setSelection(ids as never[]);
  return ids.length;
}

/** Ids of the notes in the document that came from this suggestion. */
export function notesFrom(ed: Editor, suggestionId: string): string[] {
  return notesOfSuggestion({ notes: [...ed.store.notes.values()] }, suggestionId);
}
