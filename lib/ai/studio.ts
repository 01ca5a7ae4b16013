// The model studio's contract (issue 18 items 3 and 4): what the browser sends to train a model
// and what it reads back — an upload's per-file verdicts, a training job, its progress points, a
// model version in the registry. One definition for the server's routes (server/studio), the
// training worker (models/studio) and the UI (app/models/train). Pure TS + zod (lib/ rules).
// The HTTP routes that carry these shapes are listed in README "HTTP API" and /work/notes/studio-api.md.
import { z } from 'zod';
import { MODEL_INFO, MODEL_NAMES, type ModelName } from './contract';

export const STUDIO_FAMILIES = MODEL_NAMES;
export type StudioFamily = ModelName;

/** Network sizes: 'tiny' (each model's test config, seconds per hundred steps) or 'standard' (the committed models' shape). */
export const STUDIO_SIZES = ['tiny', 'standard'] as const;
export type StudioSize = (typeof STUDIO_SIZES)[number];

/**
 * The limits a training must fit on this 2-core machine, and the defaults the form starts from.
 * Learning rates are each model's own default (models/<name>/config); steps stay small enough that a
 * standard-size run ends in minutes, not hours.
 */
export const STUDIO_LIMITS = {
  steps: { min: 1, max: 3000, default: 200 },
  batch: { min: 1, max: 32 },
  learningRate: { min: 1e-5, max: 0.05 },
  name: { min: 1, max: 40 },
} as const;

export const STUDIO_DEFAULTS: Record<StudioFamily, { learningRate: number; batch: number; size: StudioSize }> = {
  arcnn: { learningRate: 2e-3, batch: 16, size: 'standard' },
  gan: { learningRate: 2e-4, batch: 16, size: 'standard' },
  transformer: { learningRate: 1.5e-3, batch: 16, size: 'standard' },
};

/** Upload caps: a file, a whole request, and how many files one collection holds. */
export const UPLOAD_LIMITS = {
  fileBytes: 512 * 1024,
  totalBytes: 8 * 1024 * 1024,
  files: 64,
  /** A file must hold at least this many pitched notes to be worth training on. */
  minNotes: 8,
  /** …and last at most this many 16th steps once quantised (about 10 minutes at 120 bpm). */
  maxSteps: 16 * 600,
} as const;

const urlId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a url-safe id');

/** A version's short name, as the AI panel shows it after the family ("GAN · my-folk-tunes"). */
export const versionNameSchema = z
  .string({ error: 'name is required' })
  .trim()
  .min(STUDIO_LIMITS.name.min, 'name is required')
  .max(STUDIO_LIMITS.name.max, `name must be at most ${STUDIO_LIMITS.name.max} characters`)
  .regex(/^[\p{L}\p{N} _.-]+$/u, 'name may use letters, digits, spaces, _ . and -');

/** What to train on: the JSB Chorales train split (validated on its valid split, never test), or an uploaded collection. */
export const trainDataSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('jsb') }).strict(),
  z.object({ kind: z.literal('upload'), collectionId: urlId }).strict(),
]);
export type TrainData = z.infer<typeof trainDataSchema>;

/** POST /api/studio/trainings body. Missing settings take the family's defaults (`resolveTrainSettings`). */
export const trainRequestSchema = z
  .object({
    family: z.enum(STUDIO_FAMILIES, { error: `family must be one of ${STUDIO_FAMILIES.join(', ')}` }),
    name: versionNameSchema,
    /** Shown as the version's owner; who may cancel or delete is the X-Tutti-Studio-Key header, not this. */
    owner: z.string().trim().max(60).optional(),
    steps: z
      .number()
      .int('steps must be a whole number')
      .min(STUDIO_LIMITS.steps.min)
      .max(STUDIO_LIMITS.steps.max, `steps must be at most ${STUDIO_LIMITS.steps.max}`)
      .optional(),
    size: z.enum(STUDIO_SIZES, { error: `size must be one of ${STUDIO_SIZES.join(', ')}` }).optional(),
    learningRate: z
      .number()
      .min(STUDIO_LIMITS.learningRate.min, `learningRate must be at least ${STUDIO_LIMITS.learningRate.min}`)
      .max(STUDIO_LIMITS.learningRate.max, `learningRate must be at most ${STUDIO_LIMITS.learningRate.max}`)
      .optional(),
    batch: z.number().int().min(STUDIO_LIMITS.batch.min).max(STUDIO_LIMITS.batch.max, `batch must be at most ${STUDIO_LIMITS.batch.max}`).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    data: trainDataSchema,
  })
  .strict();
export type TrainRequest = z.input<typeof trainRequestSchema>;

/** The settings a training actually runs with (every default filled in); stored on the version. */
export const trainSettingsSchema = z.object({
  steps: z.number().int(),
  size: z.enum(STUDIO_SIZES),
  learningRate: z.number(),
  batch: z.number().int(),
  seed: z.number().int(),
});
export type TrainSettings = z.infer<typeof trainSettingsSchema>;

export function resolveTrainSettings(r: z.output<typeof trainRequestSchema>): TrainSettings {
  const d = STUDIO_DEFAULTS[r.family];
  return {
    steps: r.steps ?? STUDIO_LIMITS.steps.default,
    size: r.size ?? d.size,
    learningRate: r.learningRate ?? d.learningRate,
    batch: r.batch ?? d.batch,
    seed: r.seed ?? 1,
  };
}

// ---------------------------------------------------------------------------------------------
// Uploads

export const UPLOAD_ERROR_CODES = ['not_midi', 'empty', 'too_large', 'too_long', 'no_melody', 'too_many_files', 'duplicate'] as const;
export type UploadErrorCode = (typeof UPLOAD_ERROR_CODES)[number];

export const uploadedFileSchema = z.object({
  name: z.string(),
  bytes: z.number().int(),
  notes: z.number().int(),
  /** Quantised length in 16th steps. */
  steps: z.number().int(),
  tracks: z.number().int(),
});
export type UploadedFile = z.infer<typeof uploadedFileSchema>;

export const rejectedFileSchema = z.object({ name: z.string(), code: z.enum(UPLOAD_ERROR_CODES), reason: z.string() });
export type RejectedFile = z.infer<typeof rejectedFileSchema>;

export const collectionSchema = z.object({
  id: z.string(),
  name: z.string(),
  owner: z.string(),
  files: z.array(uploadedFileSchema),
  createdAt: z.string(),
});
export type Collection = z.infer<typeof collectionSchema>;

/** POST /api/studio/collections answer (201 when at least one file was accepted, else 400 with `rejected`). */
export const uploadResponseSchema = z.object({
  collection: collectionSchema.nullable(),
  accepted: z.array(uploadedFileSchema),
  rejected: z.array(rejectedFileSchema),
});
export type UploadResponse = z.infer<typeof uploadResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Training jobs and their progress

export const TRAINING_STATUSES = ['queued', 'running', 'cancelled', 'failed', 'done'] as const;
export type TrainingStatus = (typeof TRAINING_STATUSES)[number];

/** One point of the live curve. `valid` only on steps where validation ran (the held-out loss). */
export const progressPointSchema = z.object({
  step: z.number().int(),
  loss: z.number(),
  valid: z.number().nullable(),
  /** Training seconds so far (across resumes), in ms. */
  elapsedMs: z.number(),
  /** Estimated ms to the last step from the current rate; null before a rate is known. */
  etaMs: z.number().nullable(),
  /** Other scalars the model logs (gradient norm, critic loss, learning rate…). */
  extra: z.record(z.string(), z.number()).optional(),
});
export type ProgressPoint = z.infer<typeof progressPointSchema>;

export const trainingJobSchema = z.object({
  /** The training's id is its version's id. */
  id: z.string(),
  versionId: z.string(),
  family: z.enum(STUDIO_FAMILIES),
  name: z.string(),
  status: z.enum(TRAINING_STATUSES),
  step: z.number().int(),
  totalSteps: z.number().int(),
  /** True when cancelled or failed with a checkpoint to continue from (POST …/resume). */
  resumable: z.boolean(),
  /** The last checkpointed step a resume continues from. */
  checkpointStep: z.number().int(),
  error: z.string().nullable(),
  /** Where it runs: 'pool' (this process's low-priority training thread) or 'queue' (a worker process). */
  runner: z.enum(['pool', 'queue']),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type TrainingJob = z.infer<typeof trainingJobSchema>;

/** GET /api/studio/trainings/<id> answer; `points` are those after `?after=<step>` (all by default). */
export const trainingViewSchema = z.object({ training: trainingJobSchema, points: z.array(progressPointSchema) });
export type TrainingView = z.infer<typeof trainingViewSchema>;

// ---------------------------------------------------------------------------------------------
// The registry

export const VERSION_STATUSES = ['training', 'ready', 'failed', 'cancelled'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export const modelVersionSchema = z.object({
  id: z.string(),
  family: z.enum(STUDIO_FAMILIES),
  name: z.string(),
  /** "GAN · my-folk-tunes" — what the AI panel shows. */
  label: z.string(),
  owner: z.string(),
  /** e.g. "JSB Chorales train split (229 chorales), validated on valid (76)" or "upload 'folk' (3 files, 2 train / 1 valid)". */
  dataDescription: z.string(),
  settings: trainSettingsSchema.nullable(),
  /** Held-out figures from the final eval (e.g. valid_loss, valid_<metric>), empty until done. */
  metrics: z.record(z.string(), z.number()),
  status: z.enum(VERSION_STATUSES),
  createdAt: z.string(),
  builtIn: z.boolean(),
  /** Bytes of weights on disk (0 for built-ins, which live in the repository). */
  weightsBytes: z.number().int(),
});
export type ModelVersion = z.infer<typeof modelVersionSchema>;

export const versionLabel = (family: StudioFamily, name: string): string => `${MODEL_INFO[family].label} · ${name}`;

/** The id of a family's built-in (committed) version. */
export const builtInVersionId = (family: StudioFamily): string => `builtin-${family}`;

/** PUT /api/sessions/<id>/model-pins body: pin a version for a family (null unpins: the built-in). */
export const pinRequestSchema = z.object({ family: z.enum(STUDIO_FAMILIES), versionId: urlId.nullable() }).strict();
export const pinsSchema = z.record(z.enum(STUDIO_FAMILIES), z.string().nullable());
export type ModelPins = Record<StudioFamily, string | null>;

/** The header that proves who started a training or upload (a random key the browser keeps); mutations need the same key. */
export const STUDIO_KEY_HEADER = 'x-tutti-studio-key';
export const studioKeySchema = z
  .string()
  .min(16, 'the studio key must be 16-200 characters')
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'the studio key must be url-safe');
