// What the AI panel offers: the three model families, the tasks each serves, and each model's
// knobs with defaults and a one-line explanation. The knob keys are the models' own parameter
// names (models/<name>/params), which validate them again on the server.
export type ModelId = 'gan' | 'arcnn' | 'transformer';
export type TaskId = 'accompany' | 'harmonize' | 'rewrite' | 'infill' | 'continue';
export type KnobValue = number | boolean | string;

export interface Knob {
  key: string;
  label: string;
  help: string;
  kind: 'number' | 'boolean' | 'choice';
  /** kind 'choice': the allowed values. */
  choices?: readonly string[];
  /** Only shown (and sent) for these tasks; default all of the model's tasks. */
  tasks?: readonly TaskId[];
  min?: number;
  max?: number;
  step?: number;
  /** Default per task (knobs whose sensible value depends on what is asked). */
  value: (task: TaskId) => KnobValue;
}

export interface ModelInfo {
  label: string;
  blurb: string;
  tasks: readonly TaskId[];
  knobs: readonly Knob[];
}

export const TASKS: Record<TaskId, { label: string; help: string; writesExisting: boolean }> = {
  accompany: { label: 'Accompany a melody', help: 'Writes new accompaniment tracks under the source melody.', writesExisting: false },
  harmonize: { label: 'Harmonise a melody', help: 'Writes alto, tenor and bass voices under the source melody, chorale-style.', writesExisting: false },
  rewrite: { label: 'Rewrite a selection', help: 'Changes notes of the target tracks inside the chosen bars.', writesExisting: true },
  infill: { label: 'Fill in a selection', help: 'Adds notes to the target tracks inside the chosen bars, keeping what is there.', writesExisting: true },
  continue: { label: 'Continue', help: 'Extends the music past its end (or past the chosen bars).', writesExisting: false },
};

export const MODELS: Record<ModelId, ModelInfo> = {
  gan: {
    label: 'GAN',
    blurb: 'MuseGAN-style: a whole multi-track accompaniment for a melody in one pass. Fast.',
    tasks: ['accompany', 'harmonize'],
    knobs: [
      { key: 'temperature', label: 'Temperature', help: '0 takes the most likely note for each voice; higher values sample more adventurous (less clean) lines.', kind: 'number', min: 0, max: 2, step: 0.1, value: () => 0 },
      { key: 'strictVoiceLeading', label: 'Strict voice leading', help: 'Never move two voices in parallel fifths or octaves: the model picks its notes among the rest.', kind: 'boolean', value: () => true },
      { key: 'instrumentation', label: 'Instruments', help: 'Which instruments the three new tracks get.', kind: 'choice', choices: ['strings', 'choir', 'organ', 'piano'], value: () => 'strings' },
    ],
  },
  arcnn: {
    label: 'AR-CNN',
    blurb: "DeepComposer's autoregressive CNN: edits the piano roll note by note where the music most needs it.",
    tasks: ['harmonize', 'accompany', 'rewrite', 'infill'],
    knobs: [
      { key: 'iterations', label: 'Sampling iterations', help: 'How many single-note edits the model considers. More = more thorough, slower.', kind: 'number', min: 1, max: 1000, step: 1, value: () => 100 },
      {
        key: 'maxRemoveShare',
        label: 'Max notes removed',
        help: 'Share (0–1) of the existing notes the model may delete. 0 keeps all you wrote.',
        kind: 'number',
        min: 0,
        max: 1,
        step: 0.05,
        value: (t) => (t === 'rewrite' ? 0.5 : t === 'infill' ? 0 : 1),
      },
      { key: 'maxNotesAdded', label: 'Max notes added', help: 'Cap on the 16th-note cells the model may add.', kind: 'number', min: 0, max: 5000, step: 10, value: (t) => (t === 'rewrite' || t === 'infill' ? 500 : 5000) },
      {
        key: 'temperature',
        label: 'Creative risk',
        help: 'Sampling temperature: low plays it safe, above 1 takes chances.',
        kind: 'number',
        min: 0.05,
        max: 3,
        step: 0.05,
        // Harmonising from nothing samples near the model's most likely notes (models/arcnn/params.ts HARMONIZE_TEMPERATURE).
        value: (t) => (t === 'harmonize' || t === 'accompany' ? 0.1 : 1),
      },
      { key: 'keepMelodyFixed', label: 'Keep the melody fixed', help: 'Never change the source track.', kind: 'boolean', value: () => true },
      { key: 'strictVoiceLeading', label: 'Strict voice leading', help: 'Never move two voices in parallel fifths or octaves: the model picks its notes among the rest.', kind: 'boolean', value: () => true },
    ],
  },
  transformer: {
    label: 'Transformer',
    blurb: 'Music-Transformer-style: continues or harmonises 16th by 16th, voice by voice.',
    tasks: ['harmonize', 'continue'],
    knobs: [
      // Defaults per task as the models choose them on the valid split (models/transformer/params.ts
      // DECODER_DEFAULTS for continue, mel-config.ts MELODY_SAMPLING_DEFAULTS for harmonize).
      { key: 'temperature', label: 'Temperature', help: 'Below 1: safer, more predictable choices; above 1: more surprising ones.', kind: 'number', min: 0.05, max: 3, step: 0.05, value: (t) => (t === 'harmonize' ? 0.7 : 1) },
      { key: 'topP', label: 'Top-p', help: 'Sample only among the most likely notes covering this share of probability. Lower = tidier.', kind: 'number', min: 0.05, max: 1, step: 0.05, value: () => 1 },
      { key: 'strictVoiceLeading', label: 'Strict voice leading', help: 'Never move two voices in parallel fifths or octaves: the model picks its notes among the rest.', kind: 'boolean', tasks: ['harmonize'], value: () => true },
      { key: 'bars', label: 'Bars to add', help: 'How many bars the continuation adds after the music (or after the chosen bars).', kind: 'number', min: 1, max: 32, step: 1, tasks: ['continue'], value: () => 4 },
    ],
  },
};

export const MODEL_IDS = Object.keys(MODELS) as ModelId[];

/** The knobs that apply to a model's task. */
export const knobsFor = (model: ModelId, task: TaskId): Knob[] => MODELS[model].knobs.filter((k) => !k.tasks || k.tasks.includes(task));

/** Default knob values for a model and task. */
export function defaultParams(model: ModelId, task: TaskId): Record<string, KnobValue> {
  const out: Record<string, KnobValue> = {};
  for (const k of knobsFor(model, task)) out[k.key] = k.value(task);
  return out;
}

/** Keeps a knob value inside its declared range (the inputs allow free typing). */
export function clampKnob(k: Knob, v: KnobValue): KnobValue {
  if (k.kind !== 'number' || typeof v !== 'number') return v;
  if (!Number.isFinite(v)) return k.value('accompany');
  return Math.min(k.max ?? Infinity, Math.max(k.min ?? -Infinity, v));
}
