'use client';
// A trained version's generated card (issue 18 item 3): what the server wrote when the training
// finished — data, settings, curves table, eval figures — with the training's loss and metric curves
// drawn from its logged progress. Read from the studio API in the browser.
// First: zod (through lib/) must not probe `new Function` under the page's CSP (see ../../../editor/csp).
import '../../../editor/csp';
import { useEffect, useMemo, useState } from 'react';
import type { ModelVersion, ProgressPoint } from '@/lib/ai/studio';
import { CardMarkdown } from '../../CardMarkdown';
import { CurveChart } from '../../CurveChart';
import { getTraining, getVersion, StudioApiError } from '../../studio-api';
import { progressCharts } from '../../train/progress-charts';

export function VersionCard({ id }: { id: string }) {
  const [version, setVersion] = useState<{ version: ModelVersion; card: string | null } | null>(null);
  const [points, setPoints] = useState<ProgressPoint[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getVersion(id)
      .then((v) => {
        setVersion(v);
        if (!v.version.builtIn)
          getTraining(id).then(
            (t) => setPoints(t.points),
            () => setPoints([]),
          );
      })
      .catch((e) => setError(e instanceof StudioApiError ? e.message : String(e)));
  }, [id]);
  const charts = useMemo(() => progressCharts(points, `version-${id}`), [points, id]);

  if (error)
    return (
      <p className="problems" role="alert">
        {error}
      </p>
    );
  if (!version) return <p className="muted">Loading the card…</p>;
  const v = version.version;
  return (
    <section className="model" data-testid="version-card" data-version-id={v.id}>
      <h1 data-testid="version-title">{v.label}</h1>
      <dl className="facts">
        <dt>Owner</dt>
        <dd>{v.owner}</dd>
        <dt>Data</dt>
        <dd>{v.dataDescription}</dd>
        <dt>Settings</dt>
        <dd>
          {v.settings
            ? `${v.settings.size}, ${v.settings.steps} steps, learning rate ${v.settings.learningRate}, batch ${v.settings.batch}, seed ${v.settings.seed}`
            : '–'}
        </dd>
        <dt>Status</dt>
        <dd>{v.status}</dd>
      </dl>
      {charts.length > 0 && (
        <>
          <h2>Curves</h2>
          <div className="charts">
            {charts.map((ch) => (
              <CurveChart key={ch.id} chart={ch} />
            ))}
          </div>
        </>
      )}
      {version.card ? (
        // The page's heading already names the version: the card's own title line would repeat it.
        <CardMarkdown markdown={version.card.replace(/^\s*# [^\n]*\n/, '')} />
      ) : (
        <p className="muted">No card yet: it is written when the training finishes.</p>
      )}
    </section>
  );
}
