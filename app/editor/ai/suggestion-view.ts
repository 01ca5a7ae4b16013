// AI suggestions as the editor shows them: lib/score/suggestions.ts reads and validates the
// entries (one source of truth); this only orders them for the panel and adds what the cards
// need (the target tracks a regenerate repeats).
import type * as Y from 'yjs';
import { readSuggestions, suggestionsMap, type Suggestion } from '@/lib/score/suggestions';

export type SuggestionView = Suggestion & {
  /** The existing tracks its notes go into (rewrite/infill): what a regenerate asks for again. */
  targetTrackIds: string[];
};

export { suggestionsMap };

/** All suggestions, oldest request first, candidates in index order. */
export function readSuggestionViews(doc: Y.Doc): SuggestionView[] {
  return readSuggestions(doc)
    .map((s) => ({ ...s, targetTrackIds: [...new Set(s.notes.map((n) => n.trackId).filter((t): t is string => !!t))] }))
    .sort((a, b) => a.createdAt - b.createdAt || (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : a.index - b.index));
}
