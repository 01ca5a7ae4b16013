// The model registry and the studio's training state in the database (prisma ModelVersion,
// TrainingPoint, UploadCollection, SessionModelPin; migration *_model_studio), and the public
// views of its rows (lib/ai/studio.ts shapes). One row per version; a user version's row is also
// its training job.
import crypto from 'node:crypto';
import type { PrismaClient } from '../db/generated/client';
import {
  STUDIO_FAMILIES,
  versionLabel,
  type Collection,
  type ModelPins,
  type ModelVersion,
  type ProgressPoint,
  type StudioFamily,
  type TrainingJob,
  type TrainingStatus,
  type TrainSettings,
  type UploadedFile,
  type VersionStatus,
} from '../../lib/ai/studio';

export type VersionRow = NonNullable<Awaited<ReturnType<PrismaClient['modelVersion']['findUnique']>>>;
export type CollectionRow = NonNullable<Awaited<ReturnType<PrismaClient['uploadCollection']['findUnique']>>>;

/** An accepted file as stored: the public entry plus its file name on disk. */
export type StoredFile = UploadedFile & { file: string };

export const hashKey = (key: string): string => crypto.createHash('sha256').update(key).digest('hex');

export function versionView(r: VersionRow): ModelVersion {
  return {
    id: r.id,
    family: r.family as StudioFamily,
    name: r.name,
    label: versionLabel(r.family as StudioFamily, r.name),
    owner: r.owner,
    dataDescription: r.dataDescription,
    settings: (r.settings ?? null) as TrainSettings | null,
    metrics: (r.metrics ?? {}) as Record<string, number>,
    status: r.status as VersionStatus,
    createdAt: r.createdAt.toISOString(),
    builtIn: r.builtIn,
    weightsBytes: r.weightsBytes,
  };
}

export function trainingView(r: VersionRow): TrainingJob {
  const status = (r.trainingStatus ?? 'done') as TrainingStatus;
  return {
    id: r.id,
    versionId: r.id,
    family: r.family as StudioFamily,
    name: r.name,
    status,
    step: r.step,
    totalSteps: r.totalSteps,
    resumable: (status === 'cancelled' || status === 'failed') && r.checkpointStep > 0,
    checkpointStep: r.checkpointStep,
    error: r.error,
    runner: r.runner === 'queue' ? 'queue' : 'pool',
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

export function collectionView(r: CollectionRow): Collection {
  return {
    id: r.id,
    name: r.name,
    owner: r.owner,
    files: (r.files as StoredFile[]).map(({ file: _f, ...rest }) => rest),
    createdAt: r.createdAt.toISOString(),
  };
}

type PointRow = { step: number; loss: number; valid: number | null; elapsedMs: number; etaMs: number | null; extra: unknown };
export const pointView = (p: PointRow): ProgressPoint => ({
  step: p.step,
  loss: p.loss,
  valid: p.valid,
  elapsedMs: p.elapsedMs,
  etaMs: p.etaMs,
  ...(p.extra ? { extra: p.extra as Record<string, number> } : {}),
});

export class StudioStore {
  constructor(readonly prisma: PrismaClient) {}

  version(id: string): Promise<VersionRow | null> {
    return this.prisma.modelVersion.findUnique({ where: { id } });
  }

  listVersions(filter: { family?: StudioFamily; status?: VersionStatus }): Promise<VersionRow[]> {
    return this.prisma.modelVersion.findMany({
      where: { ...(filter.family ? { family: filter.family } : {}), ...(filter.status ? { status: filter.status } : {}) },
      orderBy: [{ builtIn: 'desc' }, { createdAt: 'desc' }],
      take: 500,
    });
  }

  listTrainings(limit: number): Promise<VersionRow[]> {
    return this.prisma.modelVersion.findMany({ where: { builtIn: false }, orderBy: { createdAt: 'desc' }, take: limit });
  }

  points(versionId: string, after = -1): Promise<ProgressPoint[]> {
    return this.prisma.trainingPoint.findMany({ where: { versionId, step: { gt: after } }, orderBy: { step: 'asc' } }).then((rows) => rows.map(pointView));
  }

  /**
   * Upserts points by step, in one statement (a validation re-sends its step's point with its
   * value; a resume replays the steps after its checkpoint), and moves the row's step forward.
   */
  async savePoints(versionId: string, pts: readonly ProgressPoint[], step?: number): Promise<void> {
    if (!pts.length) return;
    // One row per step (a statement may not update a row twice): a step's later point wins, keeping a validation either had.
    const byStep = new Map<number, ProgressPoint>();
    for (const p of pts) {
      const prev = byStep.get(p.step);
      byStep.set(p.step, prev ? { ...p, valid: p.valid ?? prev.valid, ...((p.extra ?? prev.extra) ? { extra: p.extra ?? prev.extra } : {}) } : p);
    }
    const values: unknown[] = [versionId];
    const rows = [...byStep.values()].map((p) => {
      values.push(
        p.step,
        Number.isFinite(p.loss) ? p.loss : 0,
        p.valid,
        Math.round(p.elapsedMs),
        p.etaMs === null ? null : Math.round(p.etaMs),
        p.extra ? JSON.stringify(p.extra) : null,
      );
      const i = values.length - 6;
      return `($1, $${i + 1}, $${i + 2}, $${i + 3}, $${i + 4}, $${i + 5}, $${i + 6}::jsonb)`;
    });
    // A point without a validation keeps the validation its step already has.
    await this.prisma.$executeRawUnsafe(
      `INSERT INTO "TrainingPoint" ("versionId", "step", "loss", "valid", "elapsedMs", "etaMs", "extra") VALUES ${rows.join(', ')}
       ON CONFLICT ("versionId", "step") DO UPDATE SET "loss" = EXCLUDED."loss", "valid" = COALESCE(EXCLUDED."valid", "TrainingPoint"."valid"),
         "elapsedMs" = EXCLUDED."elapsedMs", "etaMs" = EXCLUDED."etaMs", "extra" = COALESCE(EXCLUDED."extra", "TrainingPoint"."extra")`,
      ...values,
    );
    if (step !== undefined)
      await this.prisma.$executeRawUnsafe(`UPDATE "ModelVersion" SET "step" = $2 WHERE "id" = $1 AND "trainingStatus" = 'running'`, versionId, step);
  }

  update(id: string, data: Parameters<PrismaClient['modelVersion']['update']>[0]['data']): Promise<VersionRow> {
    return this.prisma.modelVersion.update({ where: { id }, data });
  }

  /** Applies `data` only while the training is in one of `from`; true when it did (one writer wins). */
  async transition(id: string, from: readonly TrainingStatus[], data: Parameters<PrismaClient['modelVersion']['updateMany']>[0]['data']): Promise<boolean> {
    const r = await this.prisma.modelVersion.updateMany({ where: { id, trainingStatus: { in: [...from] } }, data });
    return r.count === 1;
  }

  /**
   * Claims the oldest queued training for `runner` (atomically: two claimers never get the same one),
   * or null. Row lock with SKIP LOCKED, the same in PGlite and PostgreSQL.
   */
  async claim(runner: 'pool' | 'queue'): Promise<VersionRow | null> {
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      `UPDATE "ModelVersion" SET "trainingStatus" = 'running', "runner" = $1, "startedAt" = COALESCE("startedAt", now()), "heartbeatAt" = now(), "error" = NULL
       WHERE "id" = (SELECT "id" FROM "ModelVersion" WHERE "trainingStatus" = 'queued' ORDER BY "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING "id"`,
      runner,
    );
    return rows[0] ? this.version(rows[0].id) : null;
  }

  heartbeat(id: string): Promise<unknown> {
    return this.prisma.$executeRawUnsafe(`UPDATE "ModelVersion" SET "heartbeatAt" = now() WHERE "id" = $1`, id);
  }

  /** Running trainings whose runner stopped beating (a killed process): failed, resumable from their checkpoint. */
  failStale(staleMs: number): Promise<number> {
    return this.prisma.$executeRawUnsafe(
      `UPDATE "ModelVersion" SET "trainingStatus" = 'failed', "status" = 'failed', "finishedAt" = now(), "error" = 'the process running this training stopped; resume to continue from its last checkpoint'
       WHERE "trainingStatus" = 'running' AND "heartbeatAt" < now() - ($1::int * interval '1 millisecond')`,
      staleMs,
    );
  }

  collection(id: string): Promise<CollectionRow | null> {
    return this.prisma.uploadCollection.findUnique({ where: { id } });
  }

  async pins(sessionId: string): Promise<ModelPins> {
    const rows = await this.prisma.sessionModelPin.findMany({ where: { sessionId } });
    const out = Object.fromEntries(STUDIO_FAMILIES.map((f) => [f, null])) as ModelPins;
    for (const r of rows) out[r.family as StudioFamily] = r.versionId;
    return out;
  }

  async pin(sessionId: string, family: StudioFamily, versionId: string | null): Promise<void> {
    if (versionId === null) await this.prisma.sessionModelPin.deleteMany({ where: { sessionId, family } });
    else
      await this.prisma.sessionModelPin.upsert({
        where: { sessionId_family: { sessionId, family } },
        create: { sessionId, family, versionId },
        update: { versionId },
      });
  }
}
