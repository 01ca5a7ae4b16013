// React access to the page's AiView (ai-view.ts): re-renders on every suggestion, job or preview change.
import { useSyncExternalStore } from 'react';
import type { Editor } from '../editor';
import { aiView, type AiView } from './ai-view';

export function useAiView(ed: Editor): AiView {
  const view = aiView(ed);
  useSyncExternalStore(view.subscribe, () => view.version, () => 0);
  return view;
}
