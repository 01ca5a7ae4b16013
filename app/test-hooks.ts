// Test hooks: read-only window properties the browser tests (tests/e2e) and benches (bench/editor.ts)
// read — what the document holds, what the canvas drew, when it painted. They exist only when the
// server runs with TUTTI_TEST_HOOKS=1 (tests/helpers/server.ts sets it): the root layout then
// renders <meta name="tutti-test-hooks" content="1">, read here at run time, so one production
// build serves both and a real deployment has no hooks. This file is also the one typed
// declaration of the hooks: tests and benches import it and write `window.__tutti!.noteCount()`.
import type { AiHook } from './editor/ai/debug-hook';
import type { EditorHook, NoteProbe } from './editor/debug';

export interface TuttiTestHooks {
  /** The editor: document, selection, viewport, transport, paints (app/editor/debug.ts). */
  __tutti: EditorHook;
  /** The AI panel: suggestions, previews, jobs, overlay counts, audition (app/editor/ai/debug-hook.ts). */
  __tuttiAi: AiHook;
  /** Notes the live audio engine scheduled since `__tutti.probeNotes()` (bench:editor). */
  __tuttiProbe: NoteProbe;
  /** The versions panel: how long the last preview took to load (ms). */
  __tuttiHistory: { previewMs: number };
}

declare global {
  interface Window {
    __tutti?: TuttiTestHooks['__tutti'];
    __tuttiAi?: TuttiTestHooks['__tuttiAi'];
    __tuttiProbe?: TuttiTestHooks['__tuttiProbe'];
    __tuttiHistory?: TuttiTestHooks['__tuttiHistory'];
  }
}

/** The meta tag app/layout.tsx renders when the server has TUTTI_TEST_HOOKS=1. */
export const TEST_HOOKS_META = 'tutti-test-hooks';

let enabled: boolean | undefined;

/** True when this page was served with TUTTI_TEST_HOOKS=1 (always false on the server). */
export function testHooksEnabled(): boolean {
  if (typeof document === 'undefined') return false;
  enabled ??= document.querySelector(`meta[name="${TEST_HOOKS_META}"]`)?.getAttribute('content') === '1';
  return enabled;
}

/** Sets one hook when hooks are enabled (else nothing); returns what removes it. */
export function setTestHook<K extends keyof TuttiTestHooks>(name: K, value: TuttiTestHooks[K]): () => void {
  if (!testHooksEnabled()) return () => {};
  const w: Window = window;
  w[name] = value as Window[K];
  return () => {
    if (w[name] === value) delete w[name];
  };
}
