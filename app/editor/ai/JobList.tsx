'use client';
// Every AI job of the session, as every participant sees it: who asked for what, with which model
// version and seed; queued / running with progress / done (its suggestion is a card above) /
// failed with the reason / cancelled. Anyone may cancel a job that has not finished.
import { useState, useSyncExternalStore } from 'react';
import { jobResultPresent, undoJobResult } from '@/lib/score';
import { MODEL_INFO, TASK_INFO, type ModelName, type Task } from '@/lib/ai/contract';
import type { Editor } from '../editor';
import { cancelJob, JobApiError } from './api';
import type { JobView } from './ai-view';
import { aiAuth, useParticipantId } from './identity';
import { versionOf, versionsStore } from './model-versions';
import { useAiView } from './useAiView';
import styles from './ai.module.css';

const STATUS_TEXT: Record<JobView['status'], string> = { queued: 'waiting', running: 'running', done: 'done', failed: 'failed', cancelled: 'cancelled' };

function JobRow({ editor, job, mine }: { editor: Editor; job: JobView; mine: boolean }) {
  const [err, setErr] = useState<string | null>(null);
  const doc = editor.conn.doc;
  const pending = job.status === 'queued' || job.status === 'running';
  // Jobs from before suggestions wrote notes straight into tracks; their requester can still undo them.
  const canUndo = mine && !editor.readOnly && jobResultPresent(doc, job);
  const reg = useSyncExternalStore(versionsStore.subscribe, versionsStore.get, versionsStore.get);
  const trained = versionOf(reg, job.modelVersion);
  // A trained version goes by its label ("GAN · my-folk-tunes"); a built-in by its family (its weights hash below).
  const model = trained && !trained.builtIn ? trained.label : (MODEL_INFO[job.model as ModelName]?.label ?? job.model);
  const task = TASK_INFO[job.task as Task]?.label ?? job.task;
  const secs = job.finishedAt && job.createdAt ? ((job.finishedAt - job.createdAt) / 1000).toFixed(1) : null;

  const cancel = async () => {
    setErr(null);
    try {
      await cancelJob(editor.sessionId, job.id, await aiAuth(editor));
    } catch (e) {
      setErr(e instanceof JobApiError ? e.message : 'could not cancel');
    }
  };
  const undo = () => {
    const out = undoJobResult(doc, job.id, editor.conn.origin);
    editor.toast(`Undid the ${model} result (${out.removedNotes} notes removed${out.restoredNotes ? `, ${out.restoredNotes} restored` : ''})`);
  };

  return (
    <li className={styles.job} data-testid="ai-job" data-job-id={job.id} data-status={job.status} data-request-id={job.requestId ?? ''}>
      <div className={styles.jobHead}>
        <strong>{model}</strong> · {task}
        <span className={`${styles.status} ${styles[job.status]}`}>
          {STATUS_TEXT[job.status]}
          {job.status === 'running' ? ` ${Math.round(job.progress * 100)}%` : ''}
        </span>
      </div>
      <div className={styles.help} data-testid="ai-job-meta">
        {job.modelVersion ? `${job.modelVersion} · ` : ''}
        {job.seed !== null ? `seed ${job.seed} · ` : ''}
        {job.bars ? `bars ${job.bars[0] + 1}–${job.bars[1]} · ` : ''}
        asked by {mine ? 'you' : job.requesterName}
        {secs && job.status === 'done' ? ` · ${secs} s` : ''}
      </div>
      {pending && (
        <div
          className={styles.progress}
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(job.progress * 100)}
          data-testid="ai-job-progress"
        >
          <div style={{ width: `${Math.round(job.progress * 100)}%` }} />
        </div>
      )}
      {job.status === 'failed' && job.error && <p className={styles.error}>{job.error}</p>}
      <div className={styles.jobActions}>
        {pending && !editor.readOnly && (
          <button type="button" data-testid="ai-job-cancel" onClick={cancel}>
            Cancel
          </button>
        )}
        {canUndo && (
          <button type="button" data-testid="ai-job-undo" onClick={undo} title="Remove this whole result in one step">
            Undo result
          </button>
        )}
      </div>
      {err && <p className={styles.error}>{err}</p>}
    </li>
  );
}

export function JobList({ editor }: { editor: Editor }) {
  const { jobs } = useAiView(editor);
  const me = useParticipantId(editor);
  if (!jobs.length) return <p className={styles.help}>No AI requests yet in this session.</p>;
  return (
    <ul className={styles.jobs} data-testid="ai-jobs">
      {jobs.map((j) => (
        <JobRow key={j.id} editor={editor} job={j} mine={j.requesterId === me} />
      ))}
    </ul>
  );
}
