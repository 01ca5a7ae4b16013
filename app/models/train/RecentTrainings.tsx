'use client';
// The latest trainings on this server, each a link to its live view: anyone can watch a run
// someone else started. Read when the page opens or moves to another training, then every 10 s
// (the live view streams; this list need not).
// First: zod (through lib/) must not probe `new Function` under the page's CSP (see ../../editor/csp).
import '../../editor/csp';
import { useEffect, useState } from 'react';
import { versionLabel, type TrainingJob } from '@/lib/ai/studio';
import { listTrainings, StudioApiError } from '../studio-api';

export function RecentTrainings({ current }: { current: string | null }) {
  const [trainings, setTrainings] = useState<TrainingJob[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const read = () =>
      listTrainings(20).then(
        (r) => live && (setTrainings(r.trainings), setError(null)),
        (e) => live && setError(e instanceof StudioApiError ? e.message : String(e)),
      );
    void read();
    // Other people's trainings start and finish while the page is open; a light re-read keeps the list current.
    const timer = setInterval(read, 10_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [current]);
  if (error)
    return (
      <p className="problems" role="alert">
        Could not list the trainings: {error}
      </p>
    );
  if (!trainings) return <p className="muted">Loading the trainings…</p>;
  if (!trainings.length)
    return (
      <p className="muted" data-testid="recent-trainings">
        No training has run on this server yet.
      </p>
    );
  return (
    <ul className="recent-trainings" data-testid="recent-trainings">
      {trainings.map((t) => (
        <li key={t.id} data-training-id={t.id}>
          {t.id === current ? (
            <strong>{versionLabel(t.family, t.name)}</strong>
          ) : (
            <a href={`/models/train?training=${encodeURIComponent(t.id)}`}>{versionLabel(t.family, t.name)}</a>
          )}{' '}
          <span className="muted">
            {t.status}, step {t.step} of {t.totalSteps}
            {t.createdAt ? `, started ${t.createdAt.replace('T', ' ').slice(0, 16)} UTC` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}
