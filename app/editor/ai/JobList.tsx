'use client';
// Every AI job of the session, as every participant sees it: who asked for what, queued / running
// with progress / done / failed with the reason / cancelled. Anyone may cancel a pending job; the
// requester may undo a finished result in one step (one transaction with their own origin, so it
// is also one item of their undo stack).
import { useState } from 'react';
import { jobResultPresent, undoJobResult, type JobState } from '@/lib/score';
import type { Editor } from '../editor';
import { cancelJob, JobApiError } from './api';
import { useParticipantId } from './identity';
import { MODELS, TASKS, type ModelId, type TaskId } from './knobs';
import { useJobs } from './useJobs';
import styles from './ai.module.css';

const STATUS_TEXT: Record<JobState['status'], string> = { queued: 'waiting', running: 'running', done: 'done', failed: 'failed', cancelled: 'cancelled' };

function JobRow({ editor, job, mine }: { editor: Editor; job: JobState; mine: boolean }) {
  const [err, setErr] = useState<string | null>(null);
  const doc = editor.conn.doc;
  const pending = job.status === 'queued' || job.status === 'running';
  const canUndo = mine && !editor.readOnly && jobResultPresent(doc, job);
  const model = MODELS[job.model as ModelId]?.label ?? job.model;
  const task = TASKS[job.task as TaskId]?.label ?? job.task;
  const secs = job.finishedAt && job.createdAt ? ((job.finishedAt - job.createdAt) / 1000).toFixed(1) : null;

  const cancel = async () => {
    setErr(null);
    try {
      await cancelJob(editor.sessionId, job.id, editor.authHeaders());
    } catch (e) {
      setErr(e instanceof JobApiError ? e.message : 'could not cancel');
    }
  };
  const undo = () => {
    const out = undoJobResult(doc, job.id, editor.conn.origin);
    editor.toast(`Undid the ${model} result (${out.removedNotes} notes removed${out.restoredNotes ? `, ${out.restoredNotes} restored` : ''})`);
  };

  return (
    <li className={styles.job} data-testid="ai-job" data-job-id={job.id} data-status={job.status}>
      <div className={styles.jobHead}>
        <strong>{model}</strong> · {task}
        <span className={`${styles.status} ${styles[job.status]}`}>
          {STATUS_TEXT[job.status]}
          {job.status === 'running' ? ` ${Math.round(job.progress * 100)}%` : ''}
        </span>
      </div>
      <div className={styles.help}>
        asked by {mine ? 'you' : job.requesterName}
        {secs && job.status === 'done' ? ` · ${secs} s · ${job.addedNoteIds.length} notes` : ''}
      </div>
      {pending && (
        <div className={styles.progress} role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(job.progress * 100)} data-testid="ai-job-progress">
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
  const jobs = useJobs(editor.conn.doc);
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
