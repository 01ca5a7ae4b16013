'use client';
// Suggestions as cards, one row per request with its candidates side by side. Clicking a card
// previews it on the roll at once (ghost notes; local, no new request). Anyone can audition a
// candidate in place or solo, accept it (one undoable step for the accepter), dismiss it,
// regenerate it with a new seed, and, once accepted, select the notes it wrote.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { TASK_INFO, type Task } from '@/lib/ai/contract';
import type { Editor } from '../editor';
import { candidateColour } from '../roll/suggestion-overlay';
import { accept, dismiss, notesFrom, regenerate, selectNotesOf } from './actions';
import { MODEL_LABEL, type JobView } from './ai-view';
import { auditionSuggestion, stopAudition } from './audition';
import { cancelJob, cancelRequest, JobApiError } from './api';
import { aiAuth, participantName } from './identity';
import { lookUpVersion, versionLabelOf, versionOf, versionsStore } from './model-versions';
import type { SuggestionView } from './suggestion-view';
import { useAiView } from './useAiView';
import styles from './ai.module.css';

/** How many requests the panel shows (newest first); older ones stay in the document. */
const SHOWN_REQUESTS = 6;

type AuditionMode = Parameters<typeof auditionSuggestion>[2];

/** A card's two play buttons: in place (with the notes it would replace silenced) and solo. */
const PLAY: Record<AuditionMode, { testId: string; title: string; label: string }> = {
  'in-place': { testId: 'ai-audition', title: 'Play its bars with it in place', label: '▶' },
  solo: { testId: 'ai-solo', title: 'Play only the suggestion', label: 'solo' },
};

function Card({ editor, s, active }: { editor: Editor; s: SuggestionView; active: boolean }) {
  const view = useAiView(editor);
  const [busy, setBusy] = useState(false);
  const ro = editor.readOnly;
  const auditioning = view.audition?.suggestionId === s.id ? view.audition.mode : null;
  const run = (fn: () => Promise<unknown> | unknown) => async (e: React.MouseEvent) => {
    e.stopPropagation();
    view.choose(s);
    setBusy(true);
    try {
      await fn();
    } finally {
      setBusy(false);
    }
  };
  // ▶ plays its bars with it in place, "solo" only its notes; the one playing shows ■ and stops it.
  const playButton = (mode: AuditionMode) => (
    <button
      type="button"
      data-testid={PLAY[mode].testId}
      aria-pressed={auditioning === mode}
      disabled={busy}
      onClick={run(() => (auditioning === mode ? stopAudition(editor) : auditionSuggestion(editor, s, mode)))}
      title={PLAY[mode].title}
    >
      {auditioning === mode ? '■' : PLAY[mode].label}
    </button>
  );
  const who = s.decidedBy ? participantName(editor, s.decidedBy) : null;
  // Accepted, then undone by the accepter or replaced by a later accept: the status stays, the notes are gone.
  useSyncExternalStore(
    editor.store.subscribe,
    () => editor.store.version,
    () => 0,
  );
  const undone = s.status === 'accepted' && notesFrom(editor, s.id).length === 0;
  const voices = [...new Set(s.notes.map((n) => n.voice))];
  // Which version made it: "GAN · my-folk-tunes" for a trained one (the registry's label), else the built-in's family.
  const reg = useSyncExternalStore(versionsStore.subscribe, versionsStore.get, versionsStore.get);
  useEffect(() => lookUpVersion(editor, s.modelVersion), [editor, s.modelVersion]);
  const made = versionLabelOf(reg, s.model, s.modelVersion);
  const trained = versionOf(reg, s.modelVersion)?.builtIn === false || made !== (MODEL_LABEL[s.model] ?? s.model);
  return (
    <li
      className={`${styles.card} ${active ? styles.activeCard : ''} ${s.status !== 'pending' ? styles[s.status] : ''}`}
      style={{ borderTopColor: candidateColour(s.index) }}
      data-testid="ai-suggestion"
      data-suggestion-id={s.id}
      data-request-id={s.requestId}
      data-index={s.index}
      data-status={s.status}
      data-active={active ? 'true' : 'false'}
      aria-pressed={active}
      tabIndex={0}
      onClick={() => view.choose(s)}
      onKeyDown={(e) => (e.key === 'Enter' ? view.choose(s) : undefined)}
      title={`${made} ${s.modelVersion} · seed ${s.seed} · asked by ${s.requesterName}`}
    >
      <div className={styles.cardHead} data-testid="ai-suggestion-version" data-version={s.modelVersion} data-label={made}>
        <strong>#{s.index + 1}</strong> {made}
      </div>
      <div className={styles.help} data-testid="ai-suggestion-meta">
        {!trained && <div>{s.modelVersion || 'v?'}</div>}
        <div title={s.modelVersion}>seed {s.seed}</div>
        <div title={voices.join(', ')}>
          {s.notes.length} notes{s.remove.length ? `, −${s.remove.length}` : ''}
        </div>
      </div>
      {s.status === 'pending' ? (
        <div className={styles.cardActions}>
          {playButton('in-place')}
          {playButton('solo')}
          {!ro && (
            <>
              <button
                type="button"
                data-testid="ai-accept"
                disabled={busy}
                onClick={run(() => accept(editor, s))}
                title="Write it into the tracks (Ctrl+Z undoes it for you)"
              >
                ✓
              </button>
              <button type="button" data-testid="ai-dismiss" disabled={busy} onClick={run(() => dismiss(editor, s))} title="Dismiss it for everyone">
                ✕
              </button>
              <button type="button" data-testid="ai-regenerate" disabled={busy} onClick={run(() => regenerate(editor, s))} title="Run it again with a new seed">
                ↻
              </button>
            </>
          )}
        </div>
      ) : (
        <div className={styles.cardActions}>
          <span className={`${styles.help} ${styles.decision}`} data-testid="ai-suggestion-decision">
            {s.status} by {who ?? 'someone'}
            {undone ? '; its notes were since removed (undone or replaced)' : ''}
          </span>
          {s.status === 'accepted' && !undone && (
            <button
              type="button"
              data-testid="ai-select-notes"
              onClick={run(() => selectNotesOf(editor, s) || editor.toast('None of its notes are left'))}
              title="Select the notes this suggestion wrote"
            >
              select
            </button>
          )}
        </div>
      )}
    </li>
  );
}

/** Cancels a job or a whole request on the server; a refusal comes back as a toast. */
function CancelButton({
  editor,
  testId,
  label,
  cancel,
}: {
  editor: Editor;
  testId: string;
  label: string;
  cancel: (auth: Record<string, string>) => Promise<void>;
}) {
  return (
    <button
      type="button"
      data-testid={testId}
      onClick={async () => cancel(await aiAuth(editor)).catch((e) => editor.toast(e instanceof JobApiError ? e.message : 'could not cancel', 'error'))}
    >
      {label}
    </button>
  );
}

function PendingJob({ editor, job }: { editor: Editor; job: JobView }) {
  return (
    <li
      className={styles.card}
      style={{ borderTopColor: candidateColour(job.index) }}
      data-testid="ai-suggestion-pending"
      data-job-id={job.id}
      data-status={job.status}
    >
      <div className={styles.cardHead}>
        <strong>#{job.index + 1}</strong> {MODEL_LABEL[job.model] ?? job.model}
      </div>
      <div className={styles.help}>
        {job.status === 'failed'
          ? (job.error ?? 'failed')
          : job.status === 'cancelled'
            ? 'cancelled'
            : job.status === 'queued'
              ? 'waiting…'
              : `${Math.round(job.progress * 100)}%`}
      </div>
      {(job.status === 'queued' || job.status === 'running') && !editor.readOnly && (
        <CancelButton editor={editor} testId="ai-card-cancel" label="cancel" cancel={(auth) => cancelJob(editor.sessionId, job.id, auth)} />
      )}
    </li>
  );
}

export function SuggestionCards({ editor }: { editor: Editor }) {
  const view = useAiView(editor);
  const requests = view
    .requests()
    .concat(pendingOnlyRequests(view.jobs, new Set(view.suggestions.map((s) => s.requestId))))
    .sort((a, b) => firstAt(b) - firstAt(a))
    .slice(0, SHOWN_REQUESTS);
  if (!requests.length) return null;
  return (
    <div className={styles.suggestions} data-testid="ai-suggestions">
      {requests.map((r) => {
        const active = view.active(r.requestId);
        const waiting = r.jobs.filter((j) => !r.suggestions.some((s) => s.jobId === j.id) && j.status !== 'done');
        const head = r.suggestions[0] ?? r.jobs[0];
        const running = waiting.some((j) => j.status === 'queued' || j.status === 'running');
        return (
          <section key={r.requestId} className={styles.request} data-testid="ai-request" data-request-id={r.requestId}>
            <div className={styles.requestHead}>
              <span>
                {TASK_INFO[head?.task as Task]?.label ?? head?.task} · {head?.requesterName}
                {head?.bars ? ` · bars ${head.bars[0] + 1}–${head.bars[1]}` : ''}
              </span>
              {running && !editor.readOnly && (
                <CancelButton
                  editor={editor}
                  testId="ai-request-cancel"
                  label="cancel all"
                  cancel={(auth) => cancelRequest(editor.sessionId, r.requestId, auth)}
                />
              )}
            </div>
            <ul className={styles.cards}>
              {r.suggestions.map((s) => (
                <Card key={s.id} editor={editor} s={s} active={active?.id === s.id} />
              ))}
              {waiting.map((j) => (
                <PendingJob key={j.id} editor={editor} job={j} />
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}

type RequestGroup = { requestId: string; suggestions: SuggestionView[]; jobs: JobView[] };

/** Requests whose jobs have not produced a suggestion yet (so their cards show progress). */
function pendingOnlyRequests(jobs: JobView[], known: Set<string>): RequestGroup[] {
  const by = new Map<string, RequestGroup>();
  for (const j of jobs) {
    if (!j.requestId || known.has(j.requestId)) continue;
    let r = by.get(j.requestId);
    if (!r) by.set(j.requestId, (r = { requestId: j.requestId, suggestions: [], jobs: [] }));
    r.jobs.push(j);
  }
  for (const r of by.values()) r.jobs.sort((a, b) => a.index - b.index);
  return [...by.values()];
}

const firstAt = (r: RequestGroup) => Math.min(...r.suggestions.map((s) => s.createdAt), ...r.jobs.map((j) => j.createdAt));
