'use client';
// The AI panel, built from the one contract (lib/ai/contract.ts): model and task, "compare
// models", 1–4 candidates, the source track (defaults to the selected track, else the melody
// with the most notes), the bars (a range selected on the roll or the ruler sets them), the key
// (the toolbar's), every knob with its label, range and help, and the seed. Generate sends one
// request; its candidates come back as suggestions for everyone (SuggestionCards), and the job
// list shows their progress. The model menu lists each family's built-in and the versions people
// trained ("GAN · my-folk-tunes", model-versions.ts); the chosen one goes with the request, and a
// session can pin one per family (what requests naming no version, and compare, then use).
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import {
  MAX_CANDIDATES,
  MODEL_INFO,
  MODEL_NAMES,
  MODEL_TASKS,
  modelsFor,
  TASK_INFO,
  type AiRequestBody,
  type KnobValue,
  type ModelName,
  type Task,
} from '@/lib/ai/contract';
import { defaultSourceTrack } from '@/lib/ai/source';
import { builtInVersionId, STUDIO_FAMILIES, versionLabel } from '@/lib/ai/studio';
import { ErrorBox, type ErrorText } from '../../components/ErrorBox';
import type { Editor } from '../editor';
import { JobApiError, requestAi } from './api';
import { aiAuth } from './identity';
import { JobList } from './JobList';
import { panelDefaults, panelKnobs } from './panel-knobs';
import { SuggestionCards } from './SuggestionCards';
import { installAiDebugHook } from './debug-hook';
import { pinVersion, refreshVersions, userVersionsOf, versionsStore } from './model-versions';
import styles from './ai.module.css';

type Bars = { from: number; to: number };

export function AiPanel({ editor }: { editor: Editor }) {
  const version = useSyncExternalStore(
    editor.store.subscribe,
    () => editor.store.version,
    () => 0,
  );
  const ui = useSyncExternalStore(
    editor.subscribeUi,
    () => editor.ui,
    () => editor.ui,
  );
  const tracks = editor.store.tracks;
  const [model, setModel] = useState<ModelName>('gan');
  // The model menu's value: a family name (its built-in) or a trained version's id.
  const [choice, setChoice] = useState<string>('gan');
  const [choiceTouched, setChoiceTouched] = useState(false);
  const [pinError, setPinError] = useState<string | null>(null);
  const reg = useSyncExternalStore(versionsStore.subscribe, versionsStore.get, versionsStore.get);
  const [compare, setCompare] = useState(false);
  const [task, setTask] = useState<Task>('harmonize');
  const [pinnedSource, setPinnedSource] = useState<string | null>(null);
  const [targetIds, setTargetIds] = useState<string[]>([]);
  const [bars, setBars] = useState<Bars | null>(null);
  const [barsFrom, setBarsFrom] = useState<string>('');
  const [candidates, setCandidates] = useState(1);
  const [knobs, setKnobs] = useState<Record<string, KnobValue>>(() => panelDefaults('gan', 'harmonize'));
  const [seed, setSeed] = useState(() => Math.floor(Math.random() * 100_000));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorText | null>(null);
  useEffect(() => installAiDebugHook(editor), [editor]);
  useEffect(() => {
    void refreshVersions(editor);
    const onFocus = () => void refreshVersions(editor);
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [editor]);
  // Until someone picks from the menu, it shows what the session uses: the family's pin, else the built-in.
  const pinned = reg.pins[model];
  const pinnedVersion = pinned ? reg.versions.find((v) => v.id === pinned) : undefined;
  useEffect(() => {
    if (!choiceTouched && pinned && reg.versions.some((v) => v.id === pinned)) setChoice(pinned);
  }, [choiceTouched, pinned, reg.versions]);
  const chosenVersion = choice === model ? null : (reg.versions.find((v) => v.id === choice && v.family === model) ?? null);

  const chosen = compare ? ('compare' as const) : model;
  const writesExisting = TASK_INFO[task].writesExisting && task !== 'continue';
  const tasksOffered = compare ? [...new Set(MODEL_NAMES.flatMap((m) => MODEL_TASKS[m]))].filter((t) => modelsFor(t).length > 1) : MODEL_TASKS[model];

  // The source: what the person picked here, else the default (selected track with notes, else the
  // melody-role track with the most notes: after a MIDI import, the imported melody).
  const defaultSource = useMemo(
    () => defaultSourceTrack({ tracks, notes: [...editor.store.notes.values()] }, ui.activeTrackId),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [version, ui.activeTrackId],
  );
  const sourceId = pinnedSource && tracks.some((t) => t.id === pinnedSource) ? pinnedSource : (defaultSource ?? '');

  // A range selected on the roll (notes) or on the ruler (loop drag) sets the bars; latest wins.
  const lastLoop = useRef(ui.loop);
  useEffect(() => {
    if (ui.loop === lastLoop.current) return;
    lastLoop.current = ui.loop;
    if (ui.loop.enabled) {
      setBars({ from: ui.loop.startBar, to: Math.max(ui.loop.startBar, ui.loop.endBar - 1) });
      setBarsFrom('ruler');
    }
  }, [ui.loop]);
  const lastSel = useRef(ui.selection);
  useEffect(() => {
    if (ui.selection === lastSel.current) return;
    lastSel.current = ui.selection;
    const notes = editor.store.notesOf(ui.selection);
    if (!notes.length) return;
    const bt = editor.barTicks;
    const from = Math.floor(Math.min(...notes.map((n) => n.start)) / bt) + 1;
    const to = Math.max(from, Math.ceil(Math.max(...notes.map((n) => n.start + n.duration)) / bt));
    setBars({ from, to });
    setBarsFrom('selection');
    if (writesExisting) setTargetIds([...new Set(notes.map((n) => n.trackId as string))]);
  }, [ui.selection, editor, writesExisting]);

  const pick = (m: ModelName | 'compare', t: Task) => {
    setKnobs(panelDefaults(m, t));
    setError(null);
  };
  const pickModel = (value: string) => {
    const m = (MODEL_NAMES as readonly string[]).includes(value) ? (value as ModelName) : (reg.versions.find((v) => v.id === value)?.family ?? model);
    setChoice(value);
    setChoiceTouched(true);
    setPinError(null);
    const t = MODEL_TASKS[m].includes(task) ? task : MODEL_TASKS[m][0]!;
    setModel(m);
    setTask(t);
    pick(m, t);
  };
  const pickTask = (t: Task) => {
    setTask(t);
    pick(chosen, t);
  };
  const toggleCompare = (on: boolean) => {
    setCompare(on);
    const t = on && modelsFor(task).length < 2 ? 'harmonize' : task;
    setTask(t);
    pick(on ? 'compare' : model, t);
  };

  const generate = async () => {
    setError(null);
    if (!sourceId) return setError({ text: 'Add a track with a melody first.', issues: [] });
    if (writesExisting && !bars) return setError({ text: 'Select the bars to work on (drag on the ruler, or select notes).', issues: [] });
    setBusy(true);
    try {
      const who = editor.presence.local();
      // The version: a trained one when chosen; the built-in named explicitly only when the session
      // pins another for this family (else the server's default is the built-in already).
      const modelVersionId = compare ? undefined : (chosenVersion?.id ?? (reg.pins[model] ? builtInVersionId(model) : undefined));
      const body: AiRequestBody = {
        ...(compare ? { compare: true } : { model }),
        ...(modelVersionId ? { modelVersionId } : {}),
        task,
        sourceTrackId: sourceId,
        ...(writesExisting && targetIds.length ? { targetTrackIds: targetIds.filter((id) => id !== sourceId) } : {}),
        ...(bars ? { bars: [bars.from - 1, bars.to] as [number, number] } : {}),
        candidates: compare ? 1 : candidates,
        knobs,
        seed,
        requester: { name: who?.name ?? 'Someone' },
      };
      await requestAi(editor.sessionId, body, await aiAuth(editor));
      setSeed(Math.floor(Math.random() * 100_000)); // the next Generate is a new draw
    } catch (e) {
      setError(e instanceof JobApiError ? { text: e.message, issues: e.issues } : { text: 'Could not send the request.', issues: [] });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className={styles.panel} data-testid="ai-panel" aria-label="AI bandmate">
      <h2 className={styles.title}>
        AI{' '}
        <a
          href="/models"
          target="_blank"
          rel="noopener"
          data-testid="models-link"
          title="How the AI models were trained and how they compare with Bach"
          style={{ fontSize: 12, fontWeight: 'normal', color: 'var(--muted)' }}
        >
          how the models work
        </a>
      </h2>
      <SuggestionCards editor={editor} />
      <label className={styles.row}>
        <span>Model</span>
        <select
          data-testid="ai-model"
          value={chosenVersion ? choice : model}
          disabled={compare}
          onChange={(e) => pickModel(e.target.value)}
          onFocus={() => void refreshVersions(editor)}
        >
          {MODEL_NAMES.flatMap((m) => [
            <option key={m} value={m}>
              {MODEL_INFO[m].label}
            </option>,
            ...userVersionsOf(reg, m).map((v) => (
              <option key={v.id} value={v.id} title={`trained by ${v.owner} on ${v.dataDescription}`}>
                {v.label}
              </option>
            )),
          ])}
        </select>
      </label>
      <div className={styles.row} data-testid="ai-pin-row">
        <span className={styles.help} data-testid="ai-pin-state" data-pinned={compare ? '' : (pinned ?? '')}>
          {compare
            ? `Compare uses each model’s session version: ${STUDIO_FAMILIES.map((f) => (reg.pins[f] ? (reg.versions.find((v) => v.id === reg.pins[f])?.label ?? versionLabel(f, reg.pins[f]!)) : MODEL_INFO[f].label)).join(', ')}`
            : pinned
              ? `This session uses ${pinnedVersion?.label ?? pinned} for ${MODEL_INFO[model].label}`
              : `This session uses the built-in ${MODEL_INFO[model].label}`}
        </span>
        {!compare && !editor.readOnly && (chosenVersion ? chosenVersion.id !== pinned : !!pinned) && (
          <button
            type="button"
            data-testid="ai-pin"
            title="Requests that name no version (other people’s, compare) use it"
            onClick={() =>
              pinVersion(editor, model, chosenVersion?.id ?? null).then(
                () => setPinError(null),
                (e: Error) => setPinError(e.message),
              )
            }
          >
            {chosenVersion ? 'Pin for the session' : 'Unpin'}
          </button>
        )}
      </div>
      {pinError && (
        <p className={styles.error} role="alert" data-testid="ai-pin-error">
          {pinError}
        </p>
      )}
      {reg.error && <p className={styles.help}>Trained versions unavailable: {reg.error}</p>}
      <label className={styles.check}>
        <input type="checkbox" data-testid="ai-compare" checked={compare} onChange={(e) => toggleCompare(e.target.checked)} />
        Compare models (one candidate from each model that offers the task, same bars)
      </label>
      {!compare && (
        <p className={styles.help}>
          {chosenVersion ? `Trained by ${chosenVersion.owner} on ${chosenVersion.dataDescription}. ` : ''}
          {MODEL_INFO[model].blurb}
        </p>
      )}
      <label className={styles.row}>
        <span>Task</span>
        <select data-testid="ai-task" value={task} onChange={(e) => pickTask(e.target.value as Task)}>
          {tasksOffered.map((t) => (
            <option key={t} value={t}>
              {TASK_INFO[t].label}
            </option>
          ))}
        </select>
      </label>
      <p className={styles.help}>{TASK_INFO[task].help}</p>
      <label className={styles.row}>
        <span>Source</span>
        <select data-testid="ai-source" value={sourceId} onChange={(e) => setPinnedSource(e.target.value)}>
          {tracks.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      {writesExisting && (
        <div className={styles.tracks} data-testid="ai-targets">
          <span className={styles.help}>Write into:</span>
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
        <span className={styles.bars} data-testid="ai-bars" data-from={bars?.from ?? ''} data-to={bars?.to ?? ''}>
          {bars ? (
            <>
              <input
                type="number"
                min={1}
                value={bars.from}
                aria-label="from bar"
                onChange={(e) => setBars({ ...bars, from: Math.max(1, Number(e.target.value) || 1) })}
              />
              –
              <input
                type="number"
                min={bars.from}
                value={bars.to}
                aria-label="to bar"
                onChange={(e) => setBars({ ...bars, to: Math.max(bars.from, Number(e.target.value) || bars.from) })}
              />
              <button type="button" onClick={() => setBars(null)} title="Use the whole piece">
                all
              </button>
            </>
          ) : (
            <button
              type="button"
              onClick={() => setBars({ from: 1, to: editor.store.meta.lengthBars })}
              title="Choose a bar range (or drag on the ruler, or select notes)"
            >
              whole piece
            </button>
          )}
        </span>
      </div>
      {bars && barsFrom && <p className={styles.help}>from the {barsFrom}</p>}
      <div className={styles.row}>
        <span>Key</span>
        <span data-testid="ai-key" title="The models read the session's key; change it with the toolbar's key selector">
          {editor.store.meta.key} <span className={styles.help}>(toolbar)</span>
        </span>
      </div>
      <label className={styles.row}>
        <span>Candidates</span>
        <select
          data-testid="ai-candidates"
          value={compare ? modelsFor(task).length : candidates}
          disabled={compare}
          onChange={(e) => setCandidates(Number(e.target.value))}
        >
          {Array.from({ length: MAX_CANDIDATES }, (_, i) => i + 1).map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      {panelKnobs(chosen, task).map((k) => (
        <div key={k.key} className={styles.knob}>
          <label className={styles.row}>
            <span>{k.label}</span>
            {k.kind === 'boolean' ? (
              <input
                type="checkbox"
                data-testid={`ai-knob-${k.key}`}
                checked={Boolean(knobs[k.key])}
                onChange={(e) => setKnobs({ ...knobs, [k.key]: e.target.checked })}
              />
            ) : k.kind === 'enum' ? (
              <select data-testid={`ai-knob-${k.key}`} value={String(knobs[k.key])} onChange={(e) => setKnobs({ ...knobs, [k.key]: e.target.value })}>
                {(k.options ?? []).map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
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
                value={Number.isFinite(Number(knobs[k.key])) ? Number(knobs[k.key]) : ''}
                // Not clamped: an out-of-range value is refused by the server with the contract's reason, shown below.
                onChange={(e) => setKnobs({ ...knobs, [k.key]: e.target.value === '' ? Number.NaN : Number(e.target.value) })}
              />
            )}
          </label>
          <p className={styles.help}>
            {k.help}
            {k.min !== undefined && k.max !== undefined ? ` (${k.min}–${k.max})` : ''}
          </p>
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
      <p className={styles.help}>Same seed and same input give the same result; candidates use seed, seed+1, …</p>
      <button type="button" className={styles.generate} data-testid="ai-generate" disabled={busy || !sourceId} onClick={generate}>
        {busy ? 'Sending…' : compare ? 'Compare' : candidates > 1 ? `Generate ${candidates}` : 'Generate'}
      </button>
      <ErrorBox error={error} className={styles.error} testId="ai-error" />
      <JobList editor={editor} />
    </section>
  );
}

export default AiPanel;
