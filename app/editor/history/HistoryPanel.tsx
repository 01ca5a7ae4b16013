'use client';
// The history panel (issue 16): the session's versions, newest first; "Save version…" with a
// name; selecting one previews it read-only on this page's roll only, with a diff mode that
// colours the live score against it; play it; restore it whole or for a range of bars and tracks
// (one transaction with this page's origin, so Ctrl+Z undoes it); "Make a copy" of the current
// score or of a version. HistoryButton is the toolbar's entry point and shows "forked from …".
import { Icon } from '../panels/Icon';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { Editor } from '../editor';
import { rememberOwnerToken } from '../session/access';
import { useScoreVersion } from '../hooks';
import { forkSession, listVersions, fetchVersion, saveVersion, versionLabel, type ForkOrigin, type VersionInfo } from './api';
import { onPreviewChange, previewDiff, previewOf, setPreview } from './preview';
import { restoreLocally } from './restore';
import { playVersion, stopVersion } from './play';
import { DIFF_COLORS } from './draw';
import { setTestHook } from '../../test-hooks';
import './history.css';

// Whether the panel is open, per editor (the toolbar button and the panel share it).
const open = new WeakMap<Editor, boolean>();
const openListeners = new Set<() => void>();
const setOpen = (ed: Editor, v: boolean) => {
  open.set(ed, v);
  openListeners.forEach((fn) => fn());
};
const subscribeOpen = (fn: () => void) => (openListeners.add(fn), () => void openListeners.delete(fn));
const useOpen = (ed: Editor) => useSyncExternalStore(subscribeOpen, () => open.get(ed) ?? false, () => false);
const usePreview = (ed: Editor) => useSyncExternalStore(useCallback((fn: () => void) => onPreviewChange(ed, fn), [ed]), () => previewOf(ed), () => null);

const myName = (ed: Editor): string | undefined => ed.presence.peers().find((p) => p.isLocal)?.name;

/** Opens a freshly made copy in this tab; this browser keeps its owner token. */
async function makeCopy(ed: Editor, versionId?: string): Promise<void> {
  const fork = await forkSession(ed, versionId);
  rememberOwnerToken(fork.id, fork.ownerToken);
  const link = new URL(fork.editUrl, window.location.href);
  window.location.assign(`${link.pathname}${link.hash}`);
}

function ForkedFrom({ origin }: { origin: ForkOrigin }) {
  return (
    <a className="tt-forked" data-testid="forked-from" href={`/s/${encodeURIComponent(origin.sessionId)}`} title={origin.versionLabel ? `Copied from the version "${origin.versionLabel}"` : 'Copied from the score as it was then'}>
      forked from {origin.title ?? 'a session'}
      {origin.versionLabel ? ` · ${origin.versionLabel.includes('T') && !isNaN(Date.parse(origin.versionLabel)) ? new Date(origin.versionLabel).toLocaleString() : origin.versionLabel}` : ''}
    </a>
  );
}

export function HistoryButton({ ed }: { ed: Editor }) {
  const isOpen = useOpen(ed);
  const [origin, setOrigin] = useState<ForkOrigin | null>(null);
  useEffect(() => {
    let live = true;
    listVersions(ed).then((r) => live && setOrigin(r.forkedFrom), () => {});
    return () => {
      live = false;
    };
  }, [ed]);
  return (
    <>
      {/* An icon, like its neighbours: from 1280 px up the toolbar must stay one row. */}
      <button className={`tt-btn ${isOpen ? 'on' : ''}`} data-testid="history-button" title="History: browse, compare, restore versions, make a copy" aria-label="History" onClick={() => setOpen(ed, !isOpen)}>
        <Icon name="history" />
      </button>
      {origin && <ForkedFrom origin={origin} />}
    </>
  );
}

function DiffLegend({ ed }: { ed: Editor }) {
  useScoreVersion(ed);
  const d = previewDiff(ed);
  if (!d) return null;
  const { added, removed, changed } = d.diff;
  return (
    <p className="tt-hist-legend" data-testid="history-diff" data-added={added.length} data-removed={removed.length} data-changed={changed.length}>
      Now vs this version: <span style={{ color: DIFF_COLORS.added }}>{added.length} added</span> · <span style={{ color: DIFF_COLORS.removed }}>{removed.length} removed</span> ·{' '}
      <span style={{ color: DIFF_COLORS.changed }}>{changed.length} changed</span>
    </p>
  );
}

function RestoreControls({ ed, onRestore }: { ed: Editor; onRestore(range?: { fromBar: number; toBar: number; trackIds?: string[] }): void }) {
  useScoreVersion(ed);
  const [fromBar, setFrom] = useState(1);
  const [toBar, setTo] = useState(4);
  const [tracks, setTracks] = useState<Set<string> | null>(null); // null: all tracks
  const all = ed.store.tracks;
  const chosen = tracks ?? new Set(all.map((t) => t.id));
  return (
    <div className="tt-hist-restore">
      <button className="tt-btn primary" data-testid="history-restore-all" disabled={ed.readOnly} onClick={() => onRestore()}>
        Restore whole score
      </button>
      <div className="tt-hist-range">
        <span>Bars</span>
        <input type="number" min={1} className="tt-num" data-testid="history-from-bar" value={fromBar} onChange={(e) => setFrom(Math.max(1, Number(e.target.value) || 1))} />
        <span>–</span>
        <input type="number" min={1} className="tt-num" data-testid="history-to-bar" value={toBar} onChange={(e) => setTo(Math.max(1, Number(e.target.value) || 1))} />
        <button
          className="tt-btn text"
          data-testid="history-restore-range"
          disabled={ed.readOnly || chosen.size === 0}
          onClick={() => onRestore({ fromBar: Math.min(fromBar, toBar), toBar: Math.max(fromBar, toBar), ...(tracks ? { trackIds: [...chosen] } : {}) })}
        >
          Restore bars
        </button>
      </div>
      {all.length > 1 && (
        <div className="tt-hist-tracks">
          {all.map((t) => (
            <label key={t.id}>
              <input
                type="checkbox"
                checked={chosen.has(t.id)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.target.checked) next.add(t.id);
                  else next.delete(t.id);
                  setTracks(next.size === all.length ? null : next);
                }}
              />
              <i style={{ background: t.color }} /> {t.name}
            </label>
          ))}
        </div>
      )}
    </div>
  );
}

export function HistoryPanel({ ed }: { ed: Editor }) {
  const isOpen = useOpen(ed);
  const preview = usePreview(ed);
  const [list, setList] = useState<{ versions: VersionInfo[]; forkedFrom: ForkOrigin | null; unsaved: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [playing, setPlaying] = useState(false);

  const refresh = useCallback(async () => {
    try {
      setList(await listVersions(ed));
      setError(null);
    } catch (err) {
      setError(`Could not load the versions: ${(err as Error).message}`);
    }
  }, [ed]);

  useEffect(() => {
    if (!isOpen) {
      setPreview(ed, null);
      stopVersion();
      return;
    }
    void refresh();
    const t = setInterval(() => void refresh(), 15_000);
    return () => clearInterval(t);
  }, [ed, isOpen, refresh]);

  // The roll is read-only while a version is shown: it is not the live score.
  useEffect(() => {
    const roll = document.querySelector('.tt-roll');
    roll?.classList.toggle('tt-history-preview', !!preview);
    return () => roll?.classList.remove('tt-history-preview');
  }, [preview]);

  if (!isOpen) return null;

  const run = async (what: string, fn: () => Promise<void> | void) => {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const select = (v: VersionInfo) =>
    run(`open:${v.id}`, async () => {
      if (preview?.version.id === v.id) return;
      const t0 = performance.now();
      const { version, score } = await fetchVersion(ed, v.id);
      ed.setSelection([]);
      setPreview(ed, { version, label: versionLabel(version), score, diff: preview?.diff ?? false });
      setTestHook('__tuttiHistory', { previewMs: performance.now() - t0 });
    });

  const restore = (range?: { fromBar: number; toBar: number; trackIds?: string[] }) => {
    if (!preview) return;
    const n = restoreLocally(ed, preview.score, range);
    const what = range ? `bars ${range.fromBar}–${range.toBar} of "${preview.label}"` : `"${preview.label}"`;
    stopVersion();
    setPlaying(false);
    setPreview(ed, null);
    ed.toast(n === 0 ? `Nothing to restore: ${what} already matches.` : `Restored ${what} (${n} change${n === 1 ? '' : 's'}). Ctrl+Z undoes it.`);
  };

  return (
    <aside className="tt-history" data-testid="history-panel" aria-label="Version history">
      <div className="tt-panel-head">
        <h2>History</h2>
        <button className="tt-btn" data-testid="history-close" aria-label="Close history" onClick={() => setOpen(ed, false)}>
          ✕
        </button>
      </div>
      {list?.forkedFrom && (
        <p className="tt-hist-note">
          <ForkedFrom origin={list.forkedFrom} />
        </p>
      )}
      {!ed.readOnly && (
        <form
          className="tt-hist-save"
          onSubmit={(e) => {
            e.preventDefault();
            const n = name.trim();
            if (!n) return;
            void run('save', async () => {
              await saveVersion(ed, n, myName(ed));
              setName('');
              await refresh();
              ed.toast(`Saved version "${n}".`);
            });
          }}
        >
          <input data-testid="history-name" placeholder="Save version… (name)" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} aria-label="Version name" />
          <button className="tt-btn text" type="submit" data-testid="history-save" disabled={!name.trim() || busy === 'save'}>
            Save
          </button>
        </form>
      )}
      <button className="tt-btn text" data-testid="history-copy-current" disabled={!!busy} onClick={() => void run('copy', () => makeCopy(ed))}>
        Make a copy of the current score
      </button>
      {error && (
        <p role="alert" className="tt-hist-error">
          {error}
        </p>
      )}
      {preview && (
        <div className="tt-hist-preview" data-testid="history-preview" data-version={preview.version.id}>
          <p>
            Previewing <b>{preview.label}</b> — only you see it; nothing changes until you restore.
          </p>
          <div className="tt-hist-actions">
            <label className="tt-field">
              <input type="checkbox" data-testid="history-diff-toggle" checked={preview.diff} onChange={(e) => setPreview(ed, { ...preview, diff: e.target.checked })} /> Compare with now
            </label>
            <button
              className={`tt-btn text ${playing ? 'on' : ''}`}
              data-testid="history-play"
              onClick={() => {
                if (playing) {
                  stopVersion();
                  setPlaying(false);
                } else void run('play', () => playVersion(ed, preview.score, () => setPlaying(false)).then(() => setPlaying(true)));
              }}
            >
              {playing ? 'Stop' : 'Play version'}
            </button>
            <button className="tt-btn text" data-testid="history-copy-version" disabled={!!busy} onClick={() => void run('copy', () => makeCopy(ed, preview.version.id))}>
              Make a copy
            </button>
            <button className="tt-btn text" data-testid="history-preview-close" onClick={() => (stopVersion(), setPlaying(false), setPreview(ed, null))}>
              Back to live
            </button>
          </div>
          {preview.diff && <DiffLegend ed={ed} />}
          <RestoreControls ed={ed} onRestore={restore} />
        </div>
      )}
      <ol className="tt-hist-list" data-testid="history-list" data-count={list?.versions.length ?? 0}>
        {list?.unsaved && <li className="tt-hist-unsaved">Unsaved edits: a checkpoint follows shortly.</li>}
        {list?.versions.map((v) => (
          <li key={v.id} className={`${preview?.version.id === v.id ? 'on' : ''} ${v.kind}`}>
            <button className="tt-hist-item" data-testid="history-item" data-version={v.id} data-kind={v.kind} onClick={() => void select(v)} disabled={busy === `open:${v.id}`}>
              <span className="tt-hist-name">{versionLabel(v)}</span>
              <span className="tt-hist-meta">
                {v.name && new Date(v.createdAt).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })} {v.noteCount.toLocaleString('en')} notes
                {v.authors.length > 0 && ` · ${v.authors.join(', ')}`}
              </span>
            </button>
          </li>
        ))}
        {list && list.versions.length === 0 && <li className="tt-hist-empty">No versions yet. Save one, or keep editing: checkpoints are taken automatically.</li>}
      </ol>
    </aside>
  );
}
