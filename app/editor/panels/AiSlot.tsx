'use client';
// The sidebar section where the AI accompaniment panel (app/editor/ai/, owned by the AI-jobs work)
// mounts. The panel gets the whole editor controller and must write to the document only with
// `editor.conn.origin`, so per-user undo keeps covering its results. A view link cannot ask the AI
// (the server answers 403): it sees why, the suggestions (to preview and audition) and the job list.
import type { Editor } from '../editor';
import { AiPanel } from '../ai/AiPanel';
import { JobList } from '../ai/JobList';
import { SuggestionCards } from '../ai/SuggestionCards';

export function AiSlot({ ed }: { ed: Editor }) {
  if (ed.readOnly)
    return (
      <section className="tt-ai" data-testid="ai-slot">
        <section data-testid="ai-panel" data-disabled="true" aria-label="AI accompaniment">
          <p className="tt-ai-readonly" data-testid="ai-readonly">
            The AI is off for you: this is a view link, so you can watch, listen and export, but not change the session. Ask the
            owner for the edit link to request accompaniment.
          </p>
          <SuggestionCards editor={ed} />
          <JobList editor={ed} />
        </section>
      </section>
    );
  return (
    <section className="tt-ai" data-testid="ai-slot">
      <AiPanel editor={ed} />
    </section>
  );
}
