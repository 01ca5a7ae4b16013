'use client';
// The AI panel: pick a model, a task, the source track and where the result goes, tune the
// model's knobs, and Generate. The request runs on the server; its progress and result arrive
// through the shared document for everyone (JobList). The requester can undo a whole result in
// one step from the list.
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { Editor } from '../editor';
import { JobApiError, requestJob } from './api';
import { participant, useParticipantId } from './identity';
import { JobList } from './JobList';
import { noteRequested, trackOwnResults } from './own-results';
import { MODELS, MODEL_IDS, TASKS, clampKnob, defaultParams, knobsFor, type ModelId, type TaskId } from './knobs';
import styles from './ai.module.css';

type Target = 'new' | 'tracks';

export function AiPanel({ editor }: { editor: Editor }) {
  const tracks = useSyncExternalStore(editor.store.subscribe, () => editor.store.tracks, () => editor.store.tracks);
  const ui = useSyncExternalStore(editor.subscribeUi, () => editor.ui, () => editor.ui);
  const [model, setModel] = useState<ModelId>('gan');
  const [task, setTask] = useState<TaskId>('accompany');
  const [sourceId, setSourceId] = useState<string>('');
  const [target, setTarget] = useState<Target>('new');
  const [targetIds, setTargetIds] = useState<string[]>([]);
  const [bars, setBars] = useState<{ from: number; to: number } | null>(null);
  const [params, setParams] = useState(() => defaultParams('gan', 'accompany'));
  const [seed, setSeed] = useState(() => Math.floor(Math.random() * 100_000));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const info = MODELS[model];
  const writesExisting = TASKS[task].writesExisting;

  const me = useParticipantId(editor);
  useEffect(() => (me ? trackOwnResults(editor, me) : undefined), [editor, me]);

  // Keep the source on a real track: the first melody track by default.
  useEffect(() => {
    if (!tracks.some((t) => t.id === sourceId)) setSourceId((tracks.find((t) => t.role === 'melody') ?? tracks[0])?.id ?? '');
  }, [tracks, sourceId]);
  useEffect(() => setTarget(writesExisting ? 'tracks' : 'new'), [writesExisting, task]);

  const pickModel = (m: ModelId) => {
    const t = MODELS[m].tasks.includes(task) ? task : MODELS[m].tasks[0]!;
    setModel(m);
    setTask(t);
    setParams(defaultParams(m, t));
  };
  const pickTask = (t: TaskId) => {
    setTask(t);
    setParams(defaultParams(model, t));
  };

  /** The bars the current selection spans (1-based, inclusive), for "use selection". */
  const selectionBars = useMemo(() => {
    const notes = editor.store.notesOf(ui.selection);
    if (!notes.length) return null;
    const bt = editor.barTicks;
    const from = Math.floor(Math.min(...notes.map((n) => n.start)) / bt) + 1;
    const to = Math.ceil(Math.max(...notes.map((n) => n.start + n.duration)) / bt);
    return { from, to: Math.max(from, to), trackIds: [...new Set(notes.map((n) => n.trackId as string))] };
  }, [ui.selection, editor]);

  const useSelection = () => {
    if (!selectionBars) return;
    setBars({ from: selectionBars.from, to: selectionBars.to });
    if (writesExisting || target === 'tracks') setTargetIds(selectionBars.trackIds.filter((id) => id !== sourceId));
  };

  const generate = async () => {
    setError(null);
    if (!sourceId) return setError('Add a track with a melody first.');
    if (target === 'tracks' && !targetIds.length) return setError('Pick at least one target track (or use the selection).');
    setBusy(true);
    try {
      const who = editor.presence.local();
      const p = await participant(editor);
      const jobId = await requestJob(editor.sessionId, {
        model,
        task,
        sourceTrackId: sourceId,
        ...(target === 'tracks' ? { targetTrackIds: targetIds } : {}),
        ...(bars ? { bars: [bars.from - 1, bars.to] as [number, number] } : {}),
        ...(Object.keys(params).length ? { params } : {}),
        seed,
        requester: { name: who?.name ?? 'Someone' },
      }, { ...editor.authHeaders(), ...(p ? { 'x-tutti-participant': p.token } : {}) });
      noteRequested(editor, jobId);
    } catch (e) {
      setError(e instanceof JobApiError ? e.message : 'Could not send the request.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className={styles.panel} data-testid="ai-panel" aria-label="AI accompaniment">
      <h2 className={styles.title}>AI</h2>
      <label className={styles.row}>
        <span>Model</span>
        <select data-testid="ai-model" value={model} onChange={(e) => pickModel(e.target.value as ModelId)}>
          {MODEL_IDS.map((m) => (
            <option key={m} value={m}>
              {MODELS[m].label}
            </option>
          ))}
        </select>
      </label>
      <p className={styles.help}>{info.blurb}</p>
      <label className={styles.row}>
        <span>Task</span>
        <select data-testid="ai-task" value={task} onChange={(e) => pickTask(e.target.value as TaskId)}>
          {info.tasks.map((t) => (
            <option key={t} value={t}>
              {TASKS[t].label}
            </option>
          ))}
        </select>
      </label>
      <p className={styles.help}>{TASKS[task].help}</p>
      <label className={styles.row}>
        <span>Source</span>
        <select data-testid="ai-source" value={sourceId} onChange={(e) => setSourceId(e.target.value)}>
          {tracks.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <div className={styles.row}>
        <span>Result</span>
        {task === 'continue' ? (
          <span className={styles.help}>appended after the music</span>
        ) : (
          <select data-testid="ai-target" value={target} disabled={writesExisting} onChange={(e) => setTarget(e.target.value as Target)}>
            <option value="new">into new tracks</option>
            <option value="tracks">into chosen tracks</option>
          </select>
        )}
      </div>
      {target === 'tracks' && (
        <div className={styles.tracks}>
          {tracks
            .filter((t) => t.id !== sourceId)
            .map((t) => (
              <label key={t.id}>
                <input
                  type="checkbox"
                  checked={targetIds.includes(t.id)}
                  onChange={(e) => setTargetIds(e.target.checked ? [...targetIds, t.id] : targetIds.filter((x) => x !== t.id))}
                />
                {t.name}
              </label>
            ))}
        </div>
      )}
      <div className={styles.row}>
        <span>Bars</span>
        <span className={styles.bars}>
          {bars ? (
            <>
              <input type="number" min={1} value={bars.from} aria-label="from bar" onChange={(e) => setBars({ ...bars, from: Math.max(1, Number(e.target.value) || 1) })} />
              –
              <input type="number" min={bars.from} value={bars.to} aria-label="to bar" onChange={(e) => setBars({ ...bars, to: Math.max(bars.from, Number(e.target.value) || bars.from) })} />
              <button type="button" onClick={() => setBars(null)} title="Use the whole piece">
                all
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setBars({ from: 1, to: editor.store.meta.lengthBars })} title="Choose a bar range">
              all bars
            </button>
          )}
          <button type="button" disabled={!selectionBars} onClick={useSelection} title="Use the bars (and tracks) of the selected notes">
            sel.
          </button>
        </span>
      </div>
      {knobsFor(model, task).map((k) => (
        <div key={k.key} className={styles.knob}>
          <label className={styles.row}>
            <span>{k.label}</span>
            {k.kind === 'boolean' ? (
              <input type="checkbox" checked={Boolean(params[k.key])} onChange={(e) => setParams({ ...params, [k.key]: e.target.checked })} />
            ) : k.kind === 'choice' ? (
              <select data-testid={`ai-knob-${k.key}`} value={String(params[k.key])} onChange={(e) => setParams({ ...params, [k.key]: e.target.value })}>
                {k.choices!.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            ) : (
              <input
                type="number"
                data-testid={`ai-knob-${k.key}`}
                min={k.min}
                max={k.max}
                step={k.step}
                value={Number(params[k.key])}
                onChange={(e) => setParams({ ...params, [k.key]: clampKnob(k, Number(e.target.value)) })}
              />
            )}
          </label>
          <p className={styles.help}>{k.help}</p>
        </div>
      ))}
      <label className={styles.row}>
        <span>Seed</span>
        <span className={styles.bars}>
          <input type="number" data-testid="ai-seed" min={0} value={seed} onChange={(e) => setSeed(Math.max(0, Math.floor(Number(e.target.value) || 0)))} />
          <button type="button" title="New random seed" onClick={() => setSeed(Math.floor(Math.random() * 100_000))}>
            random
          </button>
        </span>
      </label>
      <p className={styles.help}>Same seed and same input give the same result.</p>
      <button type="button" className={styles.generate} data-testid="ai-generate" disabled={busy || !sourceId} onClick={generate}>
        {busy ? 'Sending…' : 'Generate'}
      </button>
      {error && (
        <p className={styles.error} role="alert" data-testid="ai-error">
          {error}
        </p>
      )}
      <JobList editor={editor} />
    </section>
  );
}

export default AiPanel;
