// A read-only window hook for the AI's e2e tests (window.__tuttiAi), next to window.__tutti
// (app/editor/debug.ts): the suggestions this page sees, which candidates it previews, what the
// roll last drew of them and what is being auditioned. It never edits, and exists only when the
// server runs with TUTTI_TEST_HOOKS=1 (app/test-hooks.ts).
import type { Editor } from '../editor';
import { overlayStats } from '../roll/suggestion-overlay';
import { aiView } from './ai-view';
import { auditionState } from './audition';
import { notesFrom } from './actions';
import { versionLabelOf, versionsStore } from './model-versions';
import { setTestHook } from '../../test-hooks';

export type AiHook = ReturnType<typeof aiHook>;

function aiHook(ed: Editor) {
  const view = aiView(ed);
  return {
    suggestions: () =>
      view.suggestions.map((s) => ({
        id: s.id,
        requestId: s.requestId,
        index: s.index,
        model: s.model,
        modelVersion: s.modelVersion,
        versionLabel: versionLabelOf(versionsStore.get(), s.model, s.modelVersion),
        status: s.status,
        seed: s.seed,
        notes: s.notes.length,
        bars: s.bars,
      })),
    previews: () => view.previews().map((s) => s.id),
    jobs: () => view.jobs.map((j) => ({ id: j.id, status: j.status, requestId: j.requestId, model: j.model, seed: j.seed, modelVersion: j.modelVersion })),
    overlay: () => ({ ...overlayStats }),
    audition: () => auditionState(ed),
    notesFrom: (id: string) => notesFrom(ed, id),
  };
}

export function installAiDebugHook(ed: Editor): () => void {
  return setTestHook('__tuttiAi', aiHook(ed));
}
