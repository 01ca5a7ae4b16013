'use client';
// The sidebar section where the AI accompaniment panel (app/editor/ai/, owned by the AI-jobs work)
// mounts. The panel gets the whole editor controller and must write to the document only with
// `editor.conn.origin`, so per-user undo keeps covering its results.
import type { Editor } from '../editor';
import { AiPanel } from '../ai/AiPanel';

export function AiSlot({ ed }: { ed: Editor }) {
  return (
    <section className="tt-ai" data-testid="ai-slot">
      <AiPanel editor={ed} />
    </section>
  );
}
