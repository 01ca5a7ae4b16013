// The one AI contract (issue 13): which models exist, which tasks each offers, and every knob —
// its zod schema, default, range, label and one-line help. The AI panel is built from it, the
// server validates whole requests with it before anything is queued, and the models read their
// defaults from it. Pure TS + zod (lib/ rules).
//
// Two kinds of knob:
//   scope 'model' — passed to the model as its own parameter (models/<name>/params validates again);
//   scope 'steer' — the same for every model, applied by the job runner around the model's output
//                   (models/decoding/steer.ts): rhythm, density, voice ranges, similarity.
import { z } from 'zod';

export const MODEL_NAMES = ['gan', 'arcnn', 'transformer'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const TASKS = ['accompany', 'harmonize', 'rewrite', 'infill', 'continue'] as const;
export type Task = (typeof TASKS)[number];

/** Which tasks each model offers (the models' own `tasks` lists are checked against this in a unit test). */
export const MODEL_TASKS: Record<ModelName, readonly Task[]> = {
  gan: ['accompany', 'harmonize'],
  arcnn: ['accompany', 'rewrite', 'infill', 'harmonize'],
  transformer: ['continue', 'harmonize'],
};

export const MODEL_INFO: Record<ModelName, { label: string; blurb: string }> = {
  gan: { label: 'GAN', blurb: 'MuseGAN-style: a whole multi-track accompaniment for a melody in one pass. Fast.' },
  arcnn: { label: 'AR-CNN', blurb: "DeepComposer's autoregressive CNN: edits the piano roll note by note where the music most needs it." },
  transformer: { label: 'Transformer', blurb: 'Music-Transformer-style: continues or harmonises 16th by 16th, voice by voice.' },
};

export const TASK_INFO: Record<Task, { label: string; help: string; /** writes into existing tracks (within the bars) rather than accompaniment voices */ writesExisting: boolean }> = {
  accompany: { label: 'Accompany a melody', help: 'Writes accompaniment voices under the source melody.', writesExisting: false },
  harmonize: { label: 'Harmonise a melody', help: 'Writes alto, tenor and bass voices under the source melody, chorale-style.', writesExisting: false },
  rewrite: { label: 'Rewrite a selection', help: 'Changes notes of the target tracks inside the chosen bars.', writesExisting: true },
  infill: { label: 'Fill in a selection', help: 'Adds notes to the target tracks inside the chosen bars, keeping what is there.', writesExisting: true },
  continue: { label: 'Continue', help: 'Extends the music past its end (or past the chosen bars).', writesExisting: true },
};

/** Voices a harmonisation/accompaniment writes; accompaniment tracks remember theirs (track.aiVoice). */
export const AI_VOICES = ['soprano', 'alto', 'tenor', 'bass'] as const;
export type AiVoice = (typeof AI_VOICES)[number];

export type KnobValue = number | boolean | string;
export type KnobKind = 'number' | 'integer' | 'boolean' | 'enum';

export interface KnobSpec {
  key: string;
  kind: KnobKind;
  scope: 'model' | 'steer';
  label: string;
  /** One line, shown as the knob's help. */
  help: string;
  min?: number;
  max?: number;
  step?: number;
  /** kind 'enum': the allowed values, with a label each. */
  options?: readonly { value: string; label: string }[];
  /** One value, or one per task (knobs whose sensible value depends on what is asked). */
  default: KnobValue | Partial<Record<Task, KnobValue>>;
  /** Only offered (and accepted) for these tasks; omitted = every task of the model. */
  tasks?: readonly Task[];
}

const VOICE_WRITING: readonly Task[] = ['accompany', 'harmonize'];

/** Voice ranges (MIDI pitch, inclusive) per preset of the `voiceRanges` knob; 'model' leaves the model's registers. */
export const VOICE_RANGE_PRESETS: Record<'choir' | 'narrow' | 'wide', Record<AiVoice, [number, number]>> = {
  // The usual SATB ranges of a choir (soprano C4–A5, alto G3–D5, tenor C3–A4, bass E2–D4).
  choir: { soprano: [60, 81], alto: [55, 74], tenor: [48, 69], bass: [40, 62] },
  // Close to each voice's middle: smoother, more compact lines.
  narrow: { soprano: [64, 77], alto: [57, 70], tenor: [50, 64], bass: [43, 57] },
  // Instrumental reach: room for an open spread.
  wide: { soprano: [57, 88], alto: [50, 79], tenor: [43, 72], bass: [28, 64] },
};

/** Steering knobs: the same for every model, applied by the job runner (models/decoding/steer.ts). */
export const STEER_KNOBS: readonly KnobSpec[] = [
  {
    key: 'rhythm',
    kind: 'enum',
    scope: 'steer',
    label: 'Rhythm',
    help: 'Chordal: the new voices move with the melody’s rhythm. Independent: each voice keeps its own rhythm.',
    options: [
      { value: 'free', label: 'Independent lines' },
      { value: 'chordal', label: 'Keep the melody’s rhythm' },
    ],
    default: 'free',
    tasks: ['accompany', 'harmonize', 'rewrite', 'infill'],
  },
  {
    key: 'density',
    kind: 'number',
    scope: 'steer',
    label: 'Note density',
    help: 'Sparser (−1) merges short repeated and passing notes; busier (+1) splits long notes; 0 keeps the model’s own.',
    min: -1,
    max: 1,
    step: 0.25,
    default: 0,
  },
  {
    key: 'voiceRanges',
    kind: 'enum',
    scope: 'steer',
    label: 'Voice ranges',
    help: 'Folds each new voice by octaves into this range.',
    options: [
      { value: 'model', label: 'As the model writes them' },
      { value: 'choir', label: 'Choir (SATB)' },
      { value: 'narrow', label: 'Narrow' },
      { value: 'wide', label: 'Wide' },
    ],
    default: 'model',
    tasks: VOICE_WRITING,
  },
  {
    key: 'similarity',
    kind: 'enum',
    scope: 'steer',
    label: 'Compared with the previous candidate',
    help: 'Like / unlike: of three drafts, keeps the one sharing the most / fewest notes with the suggestion you regenerate from.',
    options: [
      { value: 'none', label: 'No preference' },
      { value: 'like', label: 'Like it' },
      { value: 'unlike', label: 'Unlike it' },
    ],
    default: 'none',
  },
];

const STRICT_VOICE_LEADING: KnobSpec = {
  key: 'strictVoiceLeading',
  kind: 'boolean',
  scope: 'model',
  label: 'Strict voice leading',
  help: 'Never move two voices in parallel fifths or octaves: the model picks its notes among the rest.',
  default: true,
};

/** Every model's own knobs. Defaults are the models' defaults (models/<name>/params read them from here). */
export const MODEL_KNOBS: Record<ModelName, readonly KnobSpec[]> = {
  gan: [
    {
      key: 'temperature',
      kind: 'number',
      scope: 'model',
      label: 'Temperature',
      help: '0 takes the most likely line for each voice (chosen on valid); higher values sample more adventurous lines.',
      min: 0,
      max: 2,
      step: 0.1,
      // The decoder setting chosen on the valid split (models/weights/gan/config.json decodeTemperature).
      default: 0,
    },
    STRICT_VOICE_LEADING,
    {
      key: 'instrumentation',
      kind: 'enum',
      scope: 'model',
      label: 'Instruments',
      help: 'Which instruments the new voices get.',
      options: [
        { value: 'strings', label: 'Strings' },
        { value: 'choir', label: 'Choir' },
        { value: 'organ', label: 'Organ' },
        { value: 'piano', label: 'Piano' },
      ],
      default: 'strings',
    },
  ],
  arcnn: [
    // 25: chosen on the valid split (models/weights/arcnn/MODEL_CARD.md); 50 and 100 were no better and 2–4× slower.
    { key: 'iterations', kind: 'integer', scope: 'model', label: 'Sampling iterations', help: 'How many passes the model makes over the notes, each redrawing a shrinking share of them. More = more thorough, slower.', min: 1, max: 2000, step: 1, default: 25 },
    {
      key: 'maxRemoveShare',
      kind: 'number',
      scope: 'model',
      label: 'Max notes removed',
      help: 'Share (0–1) of the existing notes the model may delete. 0 keeps all you wrote.',
      min: 0,
      max: 1,
      step: 0.05,
      default: { accompany: 1, harmonize: 1, rewrite: 0.5, infill: 0 },
    },
    {
      key: 'maxNotesAdded',
      kind: 'integer',
      scope: 'model',
      label: 'Max notes added',
      help: 'Cap on the 16th-note cells the model may add (writing whole voices leaves it open).',
      min: 0,
      max: 1_000_000,
      step: 10,
      default: { accompany: 1_000_000, harmonize: 1_000_000, rewrite: 500, infill: 500 },
    },
    {
      key: 'temperature',
      kind: 'number',
      scope: 'model',
      label: 'Creative risk',
      help: 'Sampling temperature: low plays it safe, above 1 takes chances.',
      min: 0.05,
      max: 10,
      step: 0.05,
      // Writing whole voices samples near the most likely notes (chosen on valid, issue 12); editing keeps DeepComposer's 1.
      default: { accompany: 0.1, harmonize: 0.1, rewrite: 1, infill: 1 },
    },
    { key: 'keepMelodyFixed', kind: 'boolean', scope: 'model', label: 'Keep the melody fixed', help: 'Never change the source track.', default: true },
    STRICT_VOICE_LEADING,
  ],
  transformer: [
    {
      key: 'temperature',
      kind: 'number',
      scope: 'model',
      label: 'Temperature',
      help: 'Below 1: safer, more predictable choices; above 1: more surprising ones.',
      min: 0.05,
      max: 3,
      step: 0.05,
      // harmonize: the melody-encoder's T chosen on valid (MODEL_CARD "Decoding knobs"); continue: plain ancestral sampling.
      default: { harmonize: 0.7, continue: 1 },
    },
    { key: 'topP', kind: 'number', scope: 'model', label: 'Top-p', help: 'Sample only among the most likely notes covering this share of probability. Lower = tidier.', min: 0.05, max: 1, step: 0.05, default: 1 },
    { ...STRICT_VOICE_LEADING, tasks: ['harmonize'] },
    { key: 'bars', kind: 'integer', scope: 'model', label: 'Bars to add', help: 'How many bars the continuation adds after the music (or after the chosen bars).', min: 1, max: 32, step: 1, default: 4, tasks: ['continue'] },
  ],
};

export const modelOffers = (model: ModelName, task: Task): boolean => MODEL_TASKS[model].includes(task);
/** The models that offer a task (what "compare models" runs), in MODEL_NAMES order. */
export const modelsFor = (task: Task): ModelName[] => MODEL_NAMES.filter((m) => modelOffers(m, task));

const applies = (k: KnobSpec, task: Task) => !k.tasks || k.tasks.includes(task);

/** The knobs a model's task offers, the model's own first, then the steering knobs. */
export function knobsFor(model: ModelName, task: Task): KnobSpec[] {
  return [...MODEL_KNOBS[model], ...STEER_KNOBS].filter((k) => applies(k, task));
}

/** The steering knobs of a task (what "compare models" offers: they mean the same for every model). */
export const steerKnobsFor = (task: Task): KnobSpec[] => STEER_KNOBS.filter((k) => applies(k, task));

/** A knob's default for a task. */
export function knobDefault(k: KnobSpec, task: Task): KnobValue {
  const d = k.default;
  if (typeof d === 'object') {
    const v = d[task];
    if (v === undefined) throw new Error(`knob ${k.key} has no default for task ${task}`);
    return v;
  }
  return d;
}

/** Looks a knob up by key (model knobs first). */
export function knobSpec(model: ModelName, key: string): KnobSpec | undefined {
  return MODEL_KNOBS[model].find((k) => k.key === key) ?? STEER_KNOBS.find((k) => k.key === key);
}

/** The zod schema of one knob's value (range and kind enforced). */
export function knobValueSchema(k: KnobSpec): z.ZodType<KnobValue> {
  switch (k.kind) {
    case 'boolean':
      return z.boolean();
    case 'enum': {
      const values = (k.options ?? []).map((o) => o.value) as [string, ...string[]];
      return z.enum(values, { error: `${k.key} must be one of ${values.join(', ')}` });
    }
    case 'number':
    case 'integer': {
      let s = z.number({ error: `${k.key} must be a number` }).finite();
      if (k.kind === 'integer') s = s.int(`${k.key} must be a whole number`);
      if (k.min !== undefined) s = s.min(k.min, `${k.key} must be at least ${k.min}`);
      if (k.max !== undefined) s = s.max(k.max, `${k.key} must be at most ${k.max}`);
      return s;
    }
  }
}

function schemaOf(specs: readonly KnobSpec[], task: Task) {
  const shape: Record<string, z.ZodType<KnobValue>> = {};
  for (const k of specs) shape[k.key] = knobValueSchema(k).default(knobDefault(k, task) as never) as unknown as z.ZodType<KnobValue>;
  return z.object(shape).strict();
}

/** Strict zod schema of a model's task's knobs: unknown keys and out-of-range values are errors; missing knobs take their defaults. */
export function knobsSchema(model: ModelName, task: Task): z.ZodType<Record<string, KnobValue>> {
  return schemaOf(knobsFor(model, task), task) as unknown as z.ZodType<Record<string, KnobValue>>;
}

/** Strict schema of the steering knobs alone (a "compare models" request: each model keeps its own defaults). */
export function steerSchema(task: Task): z.ZodType<Record<string, KnobValue>> {
  return schemaOf(steerKnobsFor(task), task) as unknown as z.ZodType<Record<string, KnobValue>>;
}

/** Every knob of a model's task at its default (what the panel starts from, what the model uses unasked). */
export function defaultKnobs(model: ModelName, task: Task): Record<string, KnobValue> {
  const out: Record<string, KnobValue> = {};
  for (const k of knobsFor(model, task)) out[k.key] = knobDefault(k, task);
  return out;
}

/** The model's own knob defaults only (scope 'model'): what models/<name>/params fall back to. */
export function modelDefaults(model: ModelName, task: Task): Record<string, KnobValue> {
  const out: Record<string, KnobValue> = {};
  for (const k of MODEL_KNOBS[model]) if (applies(k, task)) out[k.key] = knobDefault(k, task);
  return out;
}

export interface SteerKnobs {
  rhythm: 'free' | 'chordal';
  density: number;
  voiceRanges: 'model' | 'choir' | 'narrow' | 'wide';
  similarity: 'none' | 'like' | 'unlike';
}

export const DEFAULT_STEER: SteerKnobs = { rhythm: 'free', density: 0, voiceRanges: 'model', similarity: 'none' };

/** Splits validated knobs into the model's params and the steering knobs (defaults for those a task lacks). */
export function splitKnobs(model: ModelName, knobs: Record<string, KnobValue>): { params: Record<string, KnobValue>; steer: SteerKnobs } {
  const params: Record<string, KnobValue> = {};
  const steer: Record<string, KnobValue> = { ...DEFAULT_STEER };
  for (const [key, v] of Object.entries(knobs)) {
    if (STEER_KNOBS.some((k) => k.key === key)) steer[key] = v;
    else if (MODEL_KNOBS[model].some((k) => k.key === key)) params[key] = v;
  }
  return { params, steer: steer as unknown as SteerKnobs };
}

/** Keeps a number typed into the panel inside its knob's range (the server refuses values outside it). */
export function clampKnob(k: KnobSpec, v: KnobValue, task: Task): KnobValue {
  if ((k.kind !== 'number' && k.kind !== 'integer') || typeof v !== 'number') return v;
  if (!Number.isFinite(v)) return knobDefault(k, task);
  const r = Math.min(k.max ?? Infinity, Math.max(k.min ?? -Infinity, v));
  return k.kind === 'integer' ? Math.round(r) : r;
}

// ---------------------------------------------------------------------------------------------
// The request

export const MAX_CANDIDATES = 4;
const urlId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be a url-safe id');

/** The request's fields (without the cross-field rules); the server extends it with its test hooks. */
export const aiRequestObject = z.object({
  /** One model (with `candidates` seeds) … */
  model: z.enum(MODEL_NAMES, { error: `model must be one of ${MODEL_NAMES.join(', ')}` }).optional(),
  /** … or "compare models": one candidate from every model that offers the task, on the same bars. */
  compare: z.boolean().optional(),
  task: z.enum(TASKS, { error: `task must be one of ${TASKS.join(', ')}` }),
  /** The melody / input track. */
  sourceTrackId: z.string({ error: 'sourceTrackId is required (the melody track id)' }).min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be a url-safe id'),
  /** Existing tracks to write into (rewrite/infill). */
  targetTrackIds: z.array(urlId).max(16).optional(),
  /** Bar range [from, to), 0-based; omitted = the whole score. */
  bars: z
    .tuple([z.number().int().min(0), z.number().int().min(1)])
    .refine(([a, b]) => b > a, 'bars must be [from, to] with to > from')
    .optional(),
  /** 1–4 candidates (seeds seed, seed+1, …); with compare, one per model. */
  candidates: z.number().int().min(1, 'candidates must be 1–4').max(MAX_CANDIDATES, 'candidates must be 1–4').default(1),
  /** Every knob of the model's task (missing ones take their defaults); with compare, the steering knobs only. */
  knobs: z.record(z.string().max(40), z.unknown()).default({}),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  /** The suggestion this request regenerates from ("like / unlike the previous candidate" compares with it). */
  previousSuggestionId: urlId.optional(),
  /** A model version from the registry (lib/ai/studio.ts, issue 18) for `model`; omitted = the session's pin, else the built-in. */
  modelVersionId: urlId.optional(),
  /** Shown to everyone; who asks is the verified participant token, never this. */
  requester: z.object({ id: urlId.optional(), name: z.string().max(60).optional() }).strict().optional(),
});

type RawRequest = z.infer<typeof aiRequestObject>;

/** The cross-field rules: one model xor compare, the model offers the task, and the knobs (zod per knob). */
export function refineAiRequest(r: RawRequest, ctx: z.RefinementCtx): void {
  if (!r.model && !r.compare) ctx.addIssue({ code: 'custom', message: 'give a model, or compare: true', path: ['model'] });
  if (r.model && r.compare) ctx.addIssue({ code: 'custom', message: 'give either a model or compare: true, not both', path: ['compare'] });
  if (r.compare && r.modelVersionId) ctx.addIssue({ code: 'custom', message: 'modelVersionId names one model’s version; compare runs each model’s pinned version', path: ['modelVersionId'] });
  if (r.compare && r.candidates > 1) ctx.addIssue({ code: 'custom', message: 'compare makes one candidate per model; candidates must be 1', path: ['candidates'] });
  if (r.model && !modelOffers(r.model, r.task)) ctx.addIssue({ code: 'custom', message: `${MODEL_INFO[r.model].label} does not offer ${r.task} (it offers ${MODEL_TASKS[r.model].join(', ')})`, path: ['task'] });
  if (r.compare && modelsFor(r.task).length < 2) ctx.addIssue({ code: 'custom', message: `only ${modelsFor(r.task).join(', ')} offers ${r.task}: nothing to compare`, path: ['compare'] });
  if ((r.model && !modelOffers(r.model, r.task)) || (!r.model && !r.compare)) return;
  const schema = r.model ? knobsSchema(r.model, r.task) : steerSchema(r.task);
  const k = schema.safeParse(r.knobs);
  if (!k.success) for (const i of k.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: ['knobs', ...i.path] });
}

/** The whole request as a client sends it; parse with `parseAiRequest` to get the knobs resolved. */
export const aiRequestSchema = aiRequestObject.strict().superRefine(refineAiRequest);
export type AiRequestBody = z.input<typeof aiRequestSchema>;

/** One job of a request: the model and its full knob set. */
export interface AiJobPlan {
  index: number;
  model: ModelName;
  knobs: Record<string, KnobValue>;
  seed: number;
}

export interface ParsedAiRequest {
  task: Task;
  compare: boolean;
  sourceTrackId: string;
  targetTrackIds: string[];
  bars: [number, number] | null;
  previousSuggestionId: string | null;
  /** The registry version asked for (null: the session's pin, else the built-in). */
  modelVersionId: string | null;
  requesterName: string;
  /** One entry per candidate. */
  jobs: AiJobPlan[];
}

/** Readable issues, one per problem, with the field path (the 4xx body's `issues`). */
export const issuesOf = (e: z.ZodError): string[] => e.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));

/**
 * Validates a whole request and expands it into its jobs: `candidates` seeds (seed, seed+1, …) of
 * one model, or one job per model offering the task (compare, each model's own defaults plus the
 * steering knobs asked for). `randomSeed` picks the base seed when the request has none.
 */
export function parseAiRequest(body: unknown, randomSeed: () => number = () => Math.floor(Math.random() * 2 ** 31)): { ok: true; value: ParsedAiRequest } | { ok: false; issues: string[] } {
  const r = aiRequestSchema.safeParse(body);
  if (!r.success) return { ok: false, issues: issuesOf(r.error) };
  const b = r.data;
  const seed = b.seed ?? randomSeed();
  const jobs: AiJobPlan[] = [];
  if (b.model) {
    const knobs = knobsSchema(b.model, b.task).parse(b.knobs);
    for (let i = 0; i < b.candidates; i++) jobs.push({ index: i, model: b.model, knobs, seed: (seed + i) % 2 ** 31 });
  } else {
    const steer = steerSchema(b.task).parse(b.knobs);
    modelsFor(b.task).forEach((model, i) => jobs.push({ index: i, model, knobs: { ...defaultKnobs(model, b.task), ...steer }, seed }));
  }
  return {
    ok: true,
    value: {
      task: b.task,
      compare: !!b.compare,
      sourceTrackId: b.sourceTrackId,
      targetTrackIds: b.targetTrackIds ?? [],
      bars: b.bars ? [b.bars[0], b.bars[1]] : null,
      previousSuggestionId: b.previousSuggestionId ?? null,
      modelVersionId: b.modelVersionId ?? null,
      requesterName: b.requester?.name?.trim() || 'Someone',
      jobs,
    },
  };
}
