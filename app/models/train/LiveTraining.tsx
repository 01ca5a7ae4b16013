'use client';
// One training, live, for everyone who opens its link (/models/train?training=<id>): the server's
// progress stream (a snapshot with the whole curve so far, then each new point) drives the status
// line — step, loss, validation, ETA — and the loss and metric charts. Cancel and resume are
// offered; the server accepts them only from the browser that started it (its studio key) and
// says so otherwise. When it is done, a link to the version's generated card.
// First: zod (through lib/) must not probe `new Function` under the page's CSP (see ../../editor/csp).
import '../../editor/csp';
import { useEffect, useMemo, useState } from 'react';
import { versionLabel, type ProgressPoint, type TrainingJob } from '@/lib/ai/studio';
import { CurveChart } from '../CurveChart';
import { cancelTraining, getTraining, resumeTraining, StudioApiError, watchTraining } from '../studio-api';
import { appendPoints, fmtNum, formatDuration, progressCharts } from './progress-charts';

const STATUS_TEXT: Record<TrainingJob['status'], string> = {
  queued: 'waiting for the trainer',
  running: 'training',
  cancelled: 'cancelled',
  failed: 'failed',
  done: 'done',
};

export function LiveTraining({ id }: { id: string }) {
  const [training, setTraining] = useState<TrainingJob | null>(null);
  const [points, setPoints] = useState<ProgressPoint[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Bumped to reopen the stream after a resume (the server closed it at `end`).
  const [stream, setStream] = useState(0);

  useEffect(() => {
    const s = watchTraining(id, {
      snapshot: (v) => {
        setTraining(v.training);
        setPoints(v.points);
      },
      progress: (p) => setPoints((have) => appendPoints(have, [p])),
      status: setTraining,
      end: setTraining,
      // Without the stream, one plain read shows where the training stands (or why it cannot be read).
      error: (message) =>
        getTraining(id).then(
          (v) => {
            setTraining(v.training);
            setPoints(v.points);
            if (v.training.status === 'queued' || v.training.status === 'running') setError(`${message}; reload the page to follow it live`);
          },
          (e) => setError(e instanceof StudioApiError ? e.message : message),
        ),
    });
    return () => s.close();
  }, [id, stream]);

  const charts = useMemo(() => progressCharts(points, `training-${id}`), [points, id]);
  const last = points[points.length - 1];
  const lastValid = [...points].reverse().find((p) => p.valid !== null);

  const act = (fn: () => Promise<{ training: TrainingJob }>, reopen: boolean) => async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await fn();
      setTraining(r.training);
      if (reopen) setStream((n) => n + 1);
    } catch (e) {
      setError(e instanceof StudioApiError ? [e.message, ...e.issues].join(' — ') : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (!training)
    return (
      <section className="live-training" data-testid="live-training" data-status="loading">
        {error ? <p role="alert">{error}</p> : <p className="muted">Connecting to training {id}…</p>}
      </section>
    );

  const t = training;
  const active = t.status === 'queued' || t.status === 'running';
  return (
    <section
      className="live-training"
      data-testid="live-training"
      data-status={t.status}
      data-step={t.step}
      data-checkpoint={t.checkpointStep}
      data-points={points.length}
    >
      <h2>
        {versionLabel(t.family, t.name)} <span className={`status ${t.status}`}>{STATUS_TEXT[t.status]}</span>
      </h2>
      <div className="progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={t.totalSteps} aria-valuenow={t.step}>
        <div style={{ width: `${t.totalSteps ? Math.min(100, (100 * t.step) / t.totalSteps) : 0}%` }} />
      </div>
      <dl className="facts" data-testid="training-stats">
        <dt>Step</dt>
        <dd data-testid="training-step">
          {t.step.toLocaleString('en')} of {t.totalSteps.toLocaleString('en')}
        </dd>
        <dt>Loss</dt>
        <dd data-testid="training-loss">{fmtNum(last?.loss)}</dd>
        <dt>Validation</dt>
        <dd data-testid="training-valid">{lastValid ? `${fmtNum(lastValid.valid)} at step ${lastValid.step}` : 'not run yet'}</dd>
        <dt>Elapsed</dt>
        <dd>{formatDuration(last?.elapsedMs ?? null)}</dd>
        <dt>Time left</dt>
        <dd data-testid="training-eta">{active ? (last?.etaMs != null ? `about ${formatDuration(last.etaMs)}` : 'estimating…') : '–'}</dd>
        <dt>Runs on</dt>
        <dd>{t.runner === 'queue' ? 'a worker process' : 'this server, at low priority'}</dd>
      </dl>
      {t.error && (
        <p className="problems" role="alert" data-testid="training-error">
          {t.error}
        </p>
      )}
      <div className="actions">
        {active && (
          <button type="button" data-testid="training-cancel" disabled={busy} onClick={act(() => cancelTraining(t.id), false)}>
            Cancel
          </button>
        )}
        {!active && t.resumable && (
          <button type="button" data-testid="training-resume" disabled={busy} onClick={act(() => resumeTraining(t.id), true)}>
            Resume from step {t.checkpointStep}
          </button>
        )}
        {t.status === 'done' && (
          <a href={`/models/versions/${encodeURIComponent(t.versionId)}`} data-testid="version-card-link">
            Its model card →
          </a>
        )}
      </div>
      {error && (
        <p className="problems" role="alert" data-testid="training-action-error">
          {error}
        </p>
      )}
      {charts.length ? (
        <div className="charts" data-testid="training-charts">
          {charts.map((ch) => (
            <CurveChart key={ch.id} chart={ch} />
          ))}
        </div>
      ) : (
        <p className="muted">The curves appear with the first logged step.</p>
      )}
    </section>
  );
}
