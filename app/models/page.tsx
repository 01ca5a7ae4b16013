// /models: each model's card, its training curves and every eval figure next to Bach's (issue 18,
// item 1). A server component: the files under models/weights are read per request (load.ts), the
// card's markdown is rendered here, and only the charts run in the browser.
import Link from 'next/link';
import type { Metadata } from 'next';
import { CardMarkdown } from './CardMarkdown';
import { CurveChart } from './CurveChart';
import type { HarmonyRow } from './figures';
import { loadModelStudio, type ModelStudioEntry } from './load';
import { Registry } from './Registry';
import './models.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Models — Tutti', description: 'How Tutti’s three models were trained and how they compare with Bach.' };

function figure(v: number | null, format: HarmonyRow['format']): string {
  if (v === null) return 'not measured';
  return format === 'percent' ? `${(v * 100).toFixed(2)} %` : v.toFixed(3);
}

function duration(s: number | null): string {
  if (s === null) return 'not in the log';
  const m = Math.round(s / 60);
  return m >= 90 ? `${(s / 3600).toFixed(1)} h (${Math.round(s).toLocaleString('en')} s)` : `${m} min (${Math.round(s).toLocaleString('en')} s)`;
}

function Facts({ m }: { m: ModelStudioEntry }) {
  const f = m.facts;
  return (
    <dl className="facts" data-testid="model-facts">
      <dt>Parameters</dt>
      <dd>{f.parameters === null ? 'unknown (no weights manifest)' : `${f.parameters.toLocaleString('en')} (summed from ${f.parametersFrom})`}</dd>
      <dt>Training command</dt>
      <dd>{f.trainCommand ? <code>{f.trainCommand}</code> : 'not given in the card'}</dd>
      <dt>Training time</dt>
      <dd>
        {duration(f.trainSeconds)}
        {f.completedSteps !== null && `, ${f.completedSteps.toLocaleString('en')} of ${f.totalSteps?.toLocaleString('en') ?? '?'} steps`}
        {f.resumes.length > 0 && `, resumed at step ${f.resumes.join(', ')}`}
      </dd>
      <dt>Machine</dt>
      <dd>
        tfjs {f.backend ?? '?'} backend{f.seed !== null && `, seed ${f.seed}`}
        {f.startedAt && `, ${f.startedAt.replace('T', ' ').slice(0, 16)} – ${f.finishedAt?.replace('T', ' ').slice(0, 16) ?? '?'} UTC`} (the card’s Training
        section says which machine and its load)
      </dd>
      {f.best && (
        <>
          <dt>Best validation in the log</dt>
          <dd>
            {f.best.metric} {f.best.value.toFixed(4)} at step {f.best.step}
          </dd>
        </>
      )}
    </dl>
  );
}

function Harmony({ m, bachFallback }: { m: ModelStudioEntry; bachFallback: { from: string; rows: HarmonyRow[] } | null }) {
  const h = m.harmony;
  // Bach's figures are a property of the test chorales, measured by the same code for every model:
  // when this model has none, another model's Bach column (same split) is shown, and says so.
  const rows = h?.rows ?? bachFallback?.rows.map((r) => ({ ...r, model: null, unconstrained: null, targetMet: null })) ?? [];
  const hasUnconstrained = rows.some((r) => r.unconstrained !== null);
  return (
    <div className="harmony" data-testid="harmony">
      <h3>Harmony and voice leading, next to Bach</h3>
      {h ? (
        <p className="muted">
          From <code>{h.source}</code>: {h.split ?? '?'} split, {h.melodies ?? '?'} melodies{h.seeds ? `, seeds ${h.seeds.join(', ')}` : ''}. Bach = the same
          chorales measured by the same code.
        </p>
      ) : (
        <p className="muted" data-testid="harmony-not-measured">
          {m.harmonyNotMeasured?.replace(/^not measured/, 'Not measured')} (the card’s Metrics section may quote a run of{' '}
          <code>npm run eval -- {m.name} --json</code> whose output was not committed as a file).
          {bachFallback && ` Bach’s column is taken from ${bachFallback.from}.`}
        </p>
      )}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>figure</th>
              <th>{m.label}</th>
              {hasUnconstrained && <th>{m.label}, strict voice leading off</th>}
              <th data-testid="bach-column">Bach</th>
              <th>target met</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-key={r.key}>
                <td>{r.label}</td>
                <td className={r.model === null ? 'na' : ''}>{figure(r.model, r.format)}</td>
                {hasUnconstrained && <td className={r.unconstrained === null ? 'na' : ''}>{figure(r.unconstrained, r.format)}</td>}
                <td className="bach">{figure(r.bach, r.format)}</td>
                <td>{r.targetMet === null ? '–' : r.targetMet ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {m.realTwins && (
        <>
          <h4>Style metrics next to the real chorales</h4>
          <p className="muted">
            From <code>{m.realTwins.source}</code> (QN, EB, UPC, TD, in-key as defined in the card).
          </p>
          <table>
            <thead>
              <tr>
                <th>figure</th>
                <th>{m.label}</th>
                <th>real chorales (Bach)</th>
              </tr>
            </thead>
            <tbody>
              {m.realTwins.rows.map((r) => (
                <tr key={r.key}>
                  <td>{r.key}</td>
                  <td>{r.model}</td>
                  <td className="bach">{r.real}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function ModelSection({ m, bachFallback }: { m: ModelStudioEntry; bachFallback: { from: string; rows: HarmonyRow[] } | null }) {
  const c = m.card;
  return (
    <section id={m.name} className="model" data-testid="model-section" data-model={m.name}>
      <h2>{m.label}</h2>
      <p className="card-title">{c?.title ?? m.blurb}</p>
      {c?.intro && <CardMarkdown markdown={c.intro} />}
      {m.problems.length > 0 && (
        <ul className="problems" role="status">
          {m.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <Facts m={m} />

      <h3>Curves</h3>
      {m.charts.length ? (
        <div className="charts">
          {m.charts.map((ch) => (
            <CurveChart key={ch.id} chart={ch} />
          ))}
        </div>
      ) : (
        <p className="muted">No training log, so no curves.</p>
      )}
      {m.otherRuns.length > 0 && (
        <details>
          <summary>
            Other runs kept in models/weights/{m.name}/ ({m.otherRuns.map((r) => r.dir).join(', ')})
          </summary>
          <div className="charts">
            {m.otherRuns.flatMap((r) => r.charts.map((ch) => <CurveChart key={ch.id} chart={{ ...ch, title: `${r.dir}/: ${ch.title}` }} />))}
          </div>
        </details>
      )}

      <Harmony m={m} bachFallback={bachFallback} />

      {c?.limits && (
        <div className="limits" data-testid="limits">
          <h3>{c.limits.heading}</h3>
          <CardMarkdown markdown={c.limits.body} />
        </div>
      )}
      {[c?.data, c?.architecture, c?.training].map(
        (s) =>
          s && (
            <details key={s.heading}>
              <summary>{s.heading.replace(/`/g, '')}</summary>
              <CardMarkdown markdown={s.body} />
            </details>
          ),
      )}
      {m.evalFiles.map((f) => (
        <details key={f.name}>
          <summary>Every figure in {f.name}</summary>
          <table className="all-figures">
            <tbody>
              {f.figures.map(([k, v]) => (
                <tr key={k}>
                  <td>
                    <code>{k}</code>
                  </td>
                  <td>{String(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ))}
      {c &&
        c.sections
          .filter((s) => ![c.data, c.architecture, c.training, c.limits].includes(s))
          .map((s) => (
            <details key={s.heading}>
              <summary>{s.heading.replace(/`/g, '')}</summary>
              <CardMarkdown markdown={s.body} />
            </details>
          ))}
    </section>
  );
}

export default function ModelsPage() {
  const models = loadModelStudio();
  const withBach = models.find((m) => m.harmony && m.harmony.split === 'test' && m.harmony.rows.some((r) => r.bach !== null));
  const bachFallback = withBach?.harmony ? { from: withBach.harmony.source.replace(/^eval/, `${withBach.name}/eval`), rows: withBach.harmony.rows } : null;
  return (
    <main className="models-page">
      <nav className="models-nav">
        <Link href="/">← Tutti</Link>
        <Link href="/models/how">How they work, on your melody</Link>
        <Link href="/models/train">Train your own</Link>
        <a href="#registry">All versions</a>
        {models.map((m) => (
          <a key={m.name} href={`#${m.name}`}>
            {m.label}
          </a>
        ))}
      </nav>
      <h1>The models</h1>
      <p className="muted">
        What each of Tutti’s three accompaniment models learned from, how it was built and trained, its training curves, and every figure its evaluation wrote,
        next to Bach’s own chorales. Read from models/weights/ when this page loads.
      </p>
      {models.map((m) => (
        <ModelSection key={m.name} m={m} bachFallback={m.harmony ? null : bachFallback} />
      ))}
      <section id="registry" className="model" data-testid="registry-section">
        <h2>Every version</h2>
        <p className="muted">
          The built-in models above and every version trained from the browser (<Link href="/models/train">train your own</Link>), as the AI panel of every
          session offers them. Deleting a trained version deletes its weights.
        </p>
        <Registry />
      </section>
    </main>
  );
}
