'use client';
// The model registry on /models (issue 18 item 4): every version the server knows — the three
// built-in ones and those people trained — with owner, data, settings and metrics, a link to each
// version's card, and Delete for trained versions (the server deletes its weights; only the browser
// that trained it may, and says so to anyone else). Read from the studio API when the page opens.
// First: zod (through lib/) must not probe `new Function` under the page's CSP (see ../editor/csp).
import '../editor/csp';
import { useEffect, useState } from 'react';
import type { ModelVersion } from '@/lib/ai/studio';
import { deleteVersion, listVersions, StudioApiError } from './studio-api';
import { fmtNum } from './train/progress-charts';

const mb = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

function DeleteButton({ v, onDeleted }: { v: ModelVersion; onDeleted: () => void }) {
  const [armed, setArmed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const go = async () => {
    if (!armed) return setArmed(true);
    setBusy(true);
    setError(null);
    try {
      await deleteVersion(v.id);
      onDeleted();
    } catch (e) {
      setError(e instanceof StudioApiError ? e.message : String(e));
      setArmed(false);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        data-testid="version-delete"
        disabled={busy}
        onClick={go}
        onBlur={() => setArmed(false)}
        title="Deletes the version and its weights"
      >
        {busy ? 'Deleting…' : armed ? 'Really delete?' : 'Delete'}
      </button>
      {error && (
        <span className="problems" role="alert" data-testid="version-delete-error">
          {' '}
          {error}
        </span>
      )}
    </>
  );
}

/** Held-out losses first, then the harmony figures the page compares with Bach; the rest folded away. */
const PRIORITY = [/valid.*loss|loss.*valid/i, /nll|loss/i, /^in_?key$/i, /^parallels_per_bar$/, /^onset_consonance$/, /^chord_at_onsets$/, /^bass_consonance$/];
const SHOWN = 5;

function Metrics({ metrics }: { metrics: Record<string, number> }) {
  const rank = (k: string) => {
    const i = PRIORITY.findIndex((re) => re.test(k));
    return i < 0 || k.startsWith('bach_') || k.startsWith('data_') ? PRIORITY.length : i;
  };
  const all = Object.entries(metrics).sort((a, b) => rank(a[0]) - rank(b[0]));
  if (!all.length) return <>–</>;
  const row = ([k, x]: [string, number]) => (
    <div key={k}>
      {k} {fmtNum(x)}
    </div>
  );
  return (
    <>
      {all.slice(0, SHOWN).map(row)}
      {all.length > SHOWN && (
        <details>
          <summary>all {all.length} figures</summary>
          {all.slice(SHOWN).map(row)}
        </details>
      )}
    </>
  );
}

export function Registry() {
  const [versions, setVersions] = useState<ModelVersion[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    let live = true;
    listVersions()
      .then((v) => live && setVersions(v))
      .catch((e) => live && setError(e instanceof StudioApiError ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [reload]);

  if (error)
    return (
      <p className="problems" role="alert" data-testid="registry-error">
        Could not read the model registry: {error}
      </p>
    );
  if (!versions) return <p className="muted">Reading the model registry…</p>;
  return (
    <table className="registry" data-testid="registry" data-count={versions.length}>
      <thead>
        <tr>
          <th>version</th>
          <th>owner</th>
          <th>data</th>
          <th>settings</th>
          <th>metrics</th>
          <th>status</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.id} data-testid="registry-row" data-version-id={v.id} data-built-in={v.builtIn ? 'true' : 'false'} data-status={v.status}>
            <td>
              <a href={v.builtIn ? `#${v.family}` : `/models/versions/${encodeURIComponent(v.id)}`}>{v.label}</a>
              <div className="muted">{v.builtIn ? 'built in' : `trained ${v.createdAt.replace('T', ' ').slice(0, 16)} UTC`}</div>
            </td>
            <td>{v.owner}</td>
            <td>{v.dataDescription}</td>
            <td>
              {v.settings
                ? `${v.settings.size}, ${v.settings.steps.toLocaleString('en')} steps, lr ${v.settings.learningRate}, batch ${v.settings.batch}, seed ${v.settings.seed}`
                : '–'}
              {v.weightsBytes > 0 && <div className="muted">weights {mb(v.weightsBytes)}</div>}
            </td>
            <td>
              <Metrics metrics={v.metrics} />
            </td>
            <td>{v.status === 'training' ? <a href={`/models/train?training=${encodeURIComponent(v.id)}`}>training…</a> : v.status}</td>
            <td>{!v.builtIn && <DeleteButton v={v} onDeleted={() => setReload((n) => n + 1)} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
