// Model studio in queue mode (issue 18): with REDIS_URL the web instance runs no training; an
// `npm run worker` process claims it from the shared PostgreSQL, trains it (its points reach the
// web instance's SSE stream through the database), and an AI job on another worker process runs
// with the trained version's weights from the shared TUTTI_MODELS_DIR.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingJob } from '@/lib/ai/studio';
import { createSession, editTokenFor } from '../helpers/server';
import { startQueueCluster, type QueueCluster } from './cluster-helpers';
import { api, connect, newParticipant, waitJob, writeMelody } from './jobs-helpers';
import { readEvents, tune, upload } from './studio-helpers';

describe('model studio in queue mode (web instance + worker process, PostgreSQL, Redis)', () => {
  let cluster: QueueCluster;
  const key = crypto.randomBytes(18).toString('base64url');

  beforeAll(async () => {
    cluster = await startQueueCluster({ name: 'tutti_studio_queue', web: 1, workers: 1, models: ['arcnn'] });
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('a worker process trains the upload, the web instance streams its curve, and a queued AI job generates with it', async () => {
    const web = cluster.procs.find((p) => p.role === 'web')!.url!;
    const up = await upload(web, key, [
      ['c.mid', tune(0)],
      ['g.mid', tune(7)],
      ['f.mid', tune(5)],
    ]);
    expect(up.status).toBe(201);
    const created = await api<{ training: TrainingJob }>(
      `${web}/api/studio/trainings`,
      'POST',
      { family: 'arcnn', name: 'queued-folk', size: 'tiny', steps: 8, batch: 2, data: { kind: 'upload', collectionId: up.body.collection!.id } },
      { 'x-tutti-studio-key': key },
    );
    expect(created.status).toBe(202);
    expect(created.body.training).toMatchObject({ status: 'queued', runner: 'queue' });
    const id = created.body.training.id;
    const events = await readEvents(web, id);
    expect(events.filter(([e]) => e === 'progress').length).toBeGreaterThan(0);
    expect((events.at(-1)![1] as { training: TrainingJob }).training).toMatchObject({ status: 'done', step: 8, runner: 'queue' });
    // The worker's log names the training it ran.
    expect(cluster.output()).toMatch(new RegExp(`training ${id} \\(arcnn · queued-folk\\) started`));

    const sessionId = await createSession(web);
    const client = await connect(`${web.replace('http', 'ws')}/sync`, sessionId);
    try {
      const melodyId = writeMelody(client.doc, 4);
      const auth = { authorization: `Bearer ${editTokenFor(sessionId)}`, 'x-tutti-participant': (await newParticipant(web, sessionId)).participantToken };
      const r = await api<{ jobIds: string[] }>(
        `${web}/api/sessions/${sessionId}/ai`,
        'POST',
        { model: 'arcnn', task: 'harmonize', sourceTrackId: melodyId, bars: [0, 4], knobs: { iterations: 2 }, modelVersionId: id },
        auth,
      );
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      const job = await waitJob(web, sessionId, r.body.jobIds[0]!, 60_000);
      expect(job.status, job.error ?? '').toBe('done');
      expect((job as unknown as { params: { modelVersion: string } }).params.modelVersion).toBe(`${id} · AR-CNN · queued-folk`);
    } finally {
      client.destroy();
    }
  });
});
