// Composition root of the model studio (issue 18 items 3-4): the registry of model versions (the
// three built-ins upserted at start, and the ones users train), uploads, trainings and the
// version an AI job runs with. `startStudio` once after the database is open; the HTTP face is
// ./routes.ts. Trainings run in this process (pool mode) or in the worker processes (queue mode:
// server/worker-main.ts starts a runner there and this process runs none).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  builtInVersionId,
  resolveTrainSettings,
  STUDIO_FAMILIES,
  versionLabel,
  type ModelVersion,
  type StudioFamily,
  type TrainingJob,
  type trainRequestSchema,
  type UploadResponse,
} from '../../lib/ai/studio';
import { midiToScore } from '../../lib/midi';
import { JSB_SPLIT_SIZES } from '../../models/data/jsb';
import { scoreToVoices, splitCollection, writeDataset } from '../../models/studio/dataset';
import type { PrismaClient } from '../db/generated/client';
import { HttpError } from '../http/json';
import { uploadDir, versionDir, versionPaths } from './paths';
import { collectionView, hashKey, type StoredFile, StudioStore, trainingView, versionView, type VersionRow } from './store';
import { TrainingRunner } from './trainer';
import { checkFiles, storeFiles, type UploadPart } from './uploads';
import type { z } from 'zod';

const COMMITTED = fileURLToPath(new URL('../../models/weights/', import.meta.url));

export interface StudioOptions {
  prisma: PrismaClient;
  modelsDir: string;
  /** 'pool': trainings run in a low-priority child process of this server; 'queue': in the worker processes; 'none': not here. */
  runner: 'pool' | 'queue' | 'none';
  nice?: number;
  log: (msg: string, err?: unknown) => void;
  pollMs?: number;
}

/** What an AI job runs with: the version's id/name for the suggestion, and its weights (null = committed). */
export interface ResolvedVersion {
  modelVersion: string;
  weightsDir: string | null;
}

export class Studio {
  readonly store: StudioStore;
  readonly runner: TrainingRunner | null;

  constructor(readonly opts: StudioOptions) {
    this.store = new StudioStore(opts.prisma);
    this.runner =
      opts.runner === 'none'
        ? null
        : new TrainingRunner(this.store, { modelsDir: opts.modelsDir, runner: opts.runner, nice: opts.nice ?? 10, log: opts.log, pollMs: opts.pollMs });
  }

  /** The three committed models as built-in versions (metrics from their eval JSON). */
  async seedBuiltIns(): Promise<void> {
    for (const family of STUDIO_FAMILIES) {
      const evalFile = path.join(COMMITTED, family, 'eval-results.json');
      let metrics: Record<string, number> = {};
      try {
        const raw = JSON.parse(fs.readFileSync(evalFile, 'utf8')) as Record<string, unknown>;
        metrics = Object.fromEntries(Object.entries(raw).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
      } catch {
        /* no eval file: no figures */
      }
      const data = {
        family,
        name: 'built-in',
        owner: 'Tutti',
        builtIn: true,
        dataDescription: `JSB Chorales train split (${JSB_SPLIT_SIZES.train} chorales), checkpoint chosen on the valid split (${JSB_SPLIT_SIZES.valid}); figures on the test split (${JSB_SPLIT_SIZES.test})`,
        data: { kind: 'jsb' },
        metrics,
        status: 'ready',
      };
      await this.store.prisma.modelVersion.upsert({ where: { id: builtInVersionId(family) }, create: { id: builtInVersionId(family), ...data }, update: data });
    }
  }

  start(): void {
    this.runner?.start();
  }

  close(): Promise<void> {
    return this.runner?.close() ?? Promise.resolve();
  }

  // ---- uploads

  async upload(parts: readonly UploadPart[], fields: Record<string, string>, key: string): Promise<UploadResponse> {
    if (parts.length === 0) throw new HttpError(400, 'no files in the upload (send them as "files" fields)', 'invalid_request');
    const { accepted, rejected } = checkFiles(parts);
    if (!accepted.length) return { collection: null, accepted: [], rejected };
    const id = `uc_${crypto.randomBytes(9).toString('base64url')}`;
    const names = storeFiles(uploadDir(this.opts.modelsDir, id), accepted);
    const files: StoredFile[] = accepted.map((f, i) => ({ ...f.entry, file: names[i]! }));
    const name = (fields.name ?? '').trim().slice(0, 60) || `upload of ${files.length} file${files.length === 1 ? '' : 's'}`;
    const row = await this.store.prisma.uploadCollection.create({
      data: { id, name, owner: (fields.owner ?? '').trim().slice(0, 60) || 'anonymous', ownerKeyHash: hashKey(key), files },
    });
    return { collection: collectionView(row), accepted: files.map(({ file: _f, ...e }) => e), rejected };
  }

  async deleteCollection(id: string, key: string): Promise<void> {
    const row = await this.store.collection(id);
    if (!row) throw new HttpError(404, `no upload collection "${id}"`);
    if (row.ownerKeyHash !== hashKey(key)) throw new HttpError(403, 'only whoever uploaded this collection may delete it', 'not_owner');
    await this.store.prisma.uploadCollection.delete({ where: { id } });
    fs.rmSync(uploadDir(this.opts.modelsDir, id), { recursive: true, force: true });
  }

  // ---- trainings

  /** Records a training (and its version) queued; an upload's data is converted now, so a bad collection fails here, not later. */
  async createTraining(req: z.output<typeof trainRequestSchema>, key: string): Promise<{ training: TrainingJob; version: ModelVersion }> {
    const settings = resolveTrainSettings(req);
    const id = `mv_${crypto.randomBytes(9).toString('base64url')}`;
    const p = versionPaths(this.opts.modelsDir, id);
    let dataDescription: string;
    if (req.data.kind === 'upload') {
      const col = await this.store.collection(req.data.collectionId);
      if (!col) throw new HttpError(404, `no upload collection "${req.data.collectionId}"`, 'not_found', ['data.collectionId: no such collection']);
      const files = col.files as StoredFile[];
      const dir = uploadDir(this.opts.modelsDir, col.id);
      const pieces = files.map((f) => scoreToVoices(midiToScore(new Uint8Array(fs.readFileSync(path.join(dir, f.file))))));
      const split = splitCollection(pieces);
      writeDataset(p.data, split);
      const bars = (xs: number[][][]) => Math.round(xs.reduce((n, c) => n + c.length, 0) / 16);
      dataDescription =
        files.length === 1
          ? `Upload "${col.name}" (1 file, ${files[0]!.name}): its first ${bars(split.train)} bars train, its last ${bars(split.valid)} bars validate (held out).`
          : `Upload "${col.name}" (${files.length} files): ${split.train.length} to train (${bars(split.train)} bars), ${split.valid.length} held out to validate (${bars(split.valid)} bars). Files: ${files.map((f) => f.name).join(', ')}.`;
    } else {
      dataDescription = `JSB Chorales train split (${JSB_SPLIT_SIZES.train} chorales), validated on the valid split (${JSB_SPLIT_SIZES.valid}); the test split is never read.`;
    }
    const row = await this.store.prisma.modelVersion.create({
      data: {
        id,
        family: req.family,
        name: req.name,
        owner: req.owner?.trim() || 'anonymous',
        ownerKeyHash: hashKey(key),
        dataDescription,
        data: req.data,
        settings,
        status: 'training',
        trainingStatus: 'queued',
        totalSteps: settings.steps,
        runner: this.opts.runner === 'pool' ? 'pool' : 'queue',
      },
    });
    this.runner?.kick();
    return { training: trainingView(row), version: versionView(row) };
  }

  private async owned(id: string, key: string): Promise<VersionRow> {
    const row = await this.store.version(id);
    if (!row) throw new HttpError(404, `no model version "${id}"`);
    if (row.builtIn) throw new HttpError(403, `${versionLabel(row.family as StudioFamily, row.name)} is built in`, 'built_in');
    if (row.ownerKeyHash !== hashKey(key))
      throw new HttpError(403, 'only whoever started this training may change or delete it (X-Tutti-Studio-Key)', 'not_owner');
    return row;
  }

  /** Cancels a queued or running training; resolves once its process (if this runner holds it) is gone. */
  async cancel(id: string, key: string): Promise<TrainingJob> {
    const row = await this.owned(id, key);
    const ok = await this.store.transition(id, ['queued', 'running'], { trainingStatus: 'cancelled', status: 'cancelled', finishedAt: new Date() });
    if (!ok) throw new HttpError(409, `the training is ${row.trainingStatus}; only a queued or running one can be cancelled`, 'conflict');
    await this.runner?.stop(id);
    return trainingView((await this.store.version(id))!);
  }

  async resume(id: string, key: string): Promise<TrainingJob> {
    const row = await this.owned(id, key);
    const before = trainingView(row);
    if (!before.resumable)
      throw new HttpError(
        409,
        `the training is ${before.status}${before.status === 'cancelled' || before.status === 'failed' ? ' with no checkpoint yet (start it again instead)' : ''}; only a cancelled or failed one with a checkpoint can resume`,
        'conflict',
      );
    const ok = await this.store.transition(id, ['cancelled', 'failed'], { trainingStatus: 'queued', status: 'training', error: null, finishedAt: null });
    if (!ok) throw new HttpError(409, 'the training changed meanwhile; reload it', 'conflict');
    // The answer is the state this request made (queued); the runner may claim it a moment later.
    const view = trainingView((await this.store.version(id))!);
    this.runner?.kick();
    return view;
  }

  /** Deletes a version and its weights (a training still running is stopped first). */
  async deleteVersion(id: string, key: string): Promise<void> {
    await this.owned(id, key);
    await this.store.transition(id, ['queued', 'running'], { trainingStatus: 'cancelled', status: 'cancelled', finishedAt: new Date() });
    await this.runner?.stop(id);
    await this.store.prisma.modelVersion.delete({ where: { id } });
    fs.rmSync(versionDir(this.opts.modelsDir, id), { recursive: true, force: true });
  }

  async card(row: VersionRow): Promise<string | null> {
    if (!row.builtIn) return row.card;
    try {
      return fs.readFileSync(path.join(COMMITTED, row.family, 'MODEL_CARD.md'), 'utf8');
    } catch {
      return null;
    }
  }

  // ---- AI jobs

  /**
   * The version an AI job of `family` runs with: the one the request names, else the session's pin,
   * else the built-in (null: the caller keeps its committed-weights label). A named version must be
   * ready and of the family; a pin that is no longer ready falls back to the built-in.
   */
  async resolve(sessionId: string, family: StudioFamily, versionId: string | null): Promise<ResolvedVersion | null> {
    let id = versionId;
    if (!id) id = (await this.store.pins(sessionId))[family];
    if (!id || id === builtInVersionId(family)) return null;
    const row = await this.store.version(id);
    const ok = row && row.family === family && row.status === 'ready';
    if (!ok) {
      if (!versionId) return null;
      const why = !row ? 'does not exist' : row.family !== family ? `is a ${row.family} version, not ${family}` : `is not ready (${row.status})`;
      throw new HttpError(400, `model version "${versionId}" ${why}`, 'invalid_request', [`modelVersionId: ${why}`]);
    }
    return { modelVersion: `${row.id} · ${versionLabel(family, row.name)}`, weightsDir: versionPaths(this.opts.modelsDir, row.id).weights };
  }
}

export function startStudio(opts: StudioOptions): Promise<Studio> {
  const studio = new Studio(opts);
  return studio.seedBuiltIns().then(() => {
    studio.start();
    return studio;
  });
}
