// Model studio (issue 18 items 3-4) against a real server in this process (embedded PostgreSQL,
// real training threads running the models' own trainers, real AI job workers): a bad upload gets
// a reason per file; a tiny AR-CNN trained on an uploaded 3-file collection streams its curve,
// finishes with a card, and generates in a session (named in the request, then pinned); cancelling
// frees the training thread and resume continues from the checkpoint; deleting a version deletes
// its weights. The MIDI files are written here with @tonejs/midi.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion, ProgressPoint, TrainingJob } from '@/lib/ai/studio';
import { readJobs } from '@/lib/score';
import { createSession, editTokenFor, startInProcessServer } from '../helpers/server';
import { api, assertWeights, connect, newParticipant, waitFor, writeMelody, type Client } from './jobs-helpers';
import { readEvents, tune, upload } from './studio-helpers';

type Server = Awaited<ReturnType<typeof startInProcessServer>>;

describe('model studio (real server, real trainings)', () => {
  let server: Server;
  const key = crypto.randomBytes(18).toString('base64url');
  const asOwner = { 'x-tutti-studio-key': key };
  let collectionId: string;
  let version: ModelVersion;

  const training = async (id: string) =>
    (await api<{ training: TrainingJob; points: ProgressPoint[] }>(`${server.url}/api/studio/trainings/${id}`, 'GET', undefined, {})).body;
  /** A 3000-step AR-CNN training on the uploaded collection, once it saved its first checkpoint: its id. */
  const longTrainingPastACheckpoint = async (name: string): Promise<string> => {
    const created = await api<{ training: TrainingJob }>(
      `${server.url}/api/studio/trainings`,
      'POST',
      { family: 'arcnn', name, size: 'tiny', steps: 3000, batch: 2, data: { kind: 'upload', collectionId } },
      asOwner,
    );
    const id = created.body.training.id;
    const deadline = Date.now() + 90_000;
    while ((await training(id)).training.checkpointStep === 0) {
      if (Date.now() > deadline) throw new Error('no checkpoint within 90 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    return id;
  };

  beforeAll(async () => {
    assertWeights(['arcnn']);
    server = await startInProcessServer({ studioPollMs: 200, jobs: { workers: 1, rateLimit: 1000, rateLimitPerAddress: 1000 } });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('a bad upload gets a clear error for each rejected file, and the good file is kept', async () => {
    const r = await upload(server.url, key, [
      ['good.mid', tune(0)],
      ['notes.txt', new TextEncoder().encode('these are not the notes you are looking for')],
      ['empty.mid', new Uint8Array(0)],
      ['drums.mid', tune(0, true)],
      ['three-notes.mid', tune(0, false, 2)],
      ['huge.mid', new Uint8Array(600 * 1024)],
    ]);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.accepted.map((f) => f.name)).toEqual(['good.mid']);
    expect(r.body.accepted[0]).toMatchObject({ notes: 48, tracks: 2, steps: 8 * 16 });
    expect(r.body.rejected.map((f) => [f.name, f.code])).toEqual([
      ['notes.txt', 'not_midi'],
      ['empty.mid', 'empty'],
      ['drums.mid', 'no_melody'],
      ['three-notes.mid', 'no_melody'],
      ['huge.mid', 'too_large'],
    ]);
    for (const f of r.body.rejected) expect(f.reason.length).toBeGreaterThan(10);
    expect(r.body.rejected[0]!.reason).toMatch(/not a MIDI file/);
    // Nothing usable: 400 in the one error shape, every file's reason in `issues`.
    const none = await upload(server.url, key, [
      ['a.txt', new TextEncoder().encode('nope, not midi at all')],
      ['b.mid', new Uint8Array(0)],
    ]);
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ code: 'no_valid_files', issues: [expect.stringMatching(/^a\.txt: /), 'b.mid: the file is empty'] });
    // No key: refused before anything is read.
    const res = await fetch(`${server.url}/api/studio/collections`, { method: 'POST', body: new FormData() });
    expect(res.status).toBe(401);
  });

  it('an unknown id is a 404 naming what was asked for (a built-in version is no training)', async () => {
    for (const [p, error] of [
      ['/api/studio/collections/nope', 'no upload collection "nope"'],
      ['/api/studio/trainings/nope', 'no training "nope"'],
      ['/api/studio/trainings/builtin-arcnn', 'no training "builtin-arcnn"'],
      ['/api/studio/trainings/builtin-arcnn/events', 'no training "builtin-arcnn"'],
      ['/api/studio/versions/nope', 'no model version "nope"'],
    ]) {
      const r = await api<{ error: string; code: string }>(`${server.url}${p}`, 'GET', undefined, {});
      expect([r.status, r.body.error, r.body.code], p).toEqual([404, error, 'not_found']);
    }
  });

  it('a tiny AR-CNN trained on an uploaded 3-file collection streams its curve, finishes with a card, and generates in a session', async () => {
    const up = await upload(server.url, key, [
      ['c.mid', tune(0)],
      ['g.mid', tune(7)],
      ['f.mid', tune(5)],
    ]);
    expect(up.status).toBe(201);
    expect(up.body.accepted).toHaveLength(3);
    collectionId = up.body.collection!.id;

    const bad = await api(`${server.url}/api/studio/trainings`, 'POST', { family: 'arcnn', name: 'x', steps: 100000, data: { kind: 'jsb' } }, asOwner);
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual(['steps: steps must be at most 3000']);

    const created = await api<{ training: TrainingJob; version: ModelVersion }>(
      `${server.url}/api/studio/trainings`,
      'POST',
      { family: 'arcnn', name: 'my-folk-tunes', owner: 'Ann', size: 'tiny', steps: 12, batch: 2, data: { kind: 'upload', collectionId } },
      asOwner,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const id = created.body.training.id;
    expect(created.body.version).toMatchObject({ family: 'arcnn', label: 'AR-CNN · my-folk-tunes', status: 'training', owner: 'Ann', builtIn: false });
    expect(created.body.version.dataDescription).toMatch(/3 files\): 2 to train .* 1 held out/);

    // Two watchers at once (they share one poll of the database): each streams the curve to its end.
    const [events, other] = await Promise.all([readEvents(server.url, id), readEvents(server.url, id)]);
    for (const ev of [events, other]) {
      expect(ev[0]![0]).toBe('snapshot');
      const end = ev.at(-1)!;
      expect(end[0]).toBe('end');
      expect((end[1] as { training: TrainingJob }).training).toMatchObject({ status: 'done', step: 12, totalSteps: 12 });
      const streamed = [...(ev[0]![1] as { points: ProgressPoint[] }).points, ...ev.filter(([e]) => e === 'progress').map(([, d]) => d as ProgressPoint)];
      expect(Math.max(...streamed.map((p) => p.step))).toBe(12);
    }
    // The whole persisted curve: increasing steps up to the last, validation on some, a loss on each.
    const { points } = await training(id);
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(points.at(-1)!.step).toBe(12);
    expect(points.map((p) => p.step)).toEqual([...points.map((p) => p.step)].sort((a, b) => a - b));
    expect(points.every((p) => Number.isFinite(p.loss) && p.loss > 0)).toBe(true);
    expect(points.filter((p) => p.valid !== null).length).toBeGreaterThanOrEqual(1);
    expect(points.at(-1)!.etaMs).toBe(0);

    const v = await api<{ version: ModelVersion; card: string }>(`${server.url}/api/studio/versions/${id}`, 'GET', undefined, {});
    version = v.body.version;
    expect(version).toMatchObject({ status: 'ready', settings: { steps: 12, size: 'tiny', batch: 2, learningRate: 2e-3, seed: 1 } });
    expect(version.metrics.loss).toBeGreaterThan(0);
    expect(version.weightsBytes).toBeGreaterThan(1000);
    expect(v.body.card).toMatch(/^# AR-CNN · my-folk-tunes/);
    expect(v.body.card).toMatch(/## Eval on held-out data/);
    expect(v.body.card).toMatch(/\| 12 \| /);
    const listed = await api<{ versions: ModelVersion[] }>(`${server.url}/api/studio/versions?family=arcnn&status=ready`, 'GET', undefined, {});
    expect(listed.body.versions.map((x) => x.id)).toEqual(['builtin-arcnn', id]);

    // Generates in a session: named in the request, then through the session's pin.
    const sessionId = await createSession(server.url);
    const client: Client = await connect(server.wsUrl, sessionId);
    try {
      const melodyId = writeMelody(client.doc, 4);
      const auth = {
        authorization: `Bearer ${editTokenFor(sessionId)}`,
        'x-tutti-participant': (await newParticipant(server.url, sessionId)).participantToken,
      };
      const ask = (extra: Record<string, unknown>) =>
        api<{ requestId: string; jobIds: string[] }>(
          `${server.url}/api/sessions/${sessionId}/ai`,
          'POST',
          { model: 'arcnn', task: 'harmonize', sourceTrackId: melodyId, bars: [0, 4], knobs: { iterations: 2 }, ...extra },
          auth,
        );
      const named = await ask({ modelVersionId: id });
      expect(named.status, JSON.stringify(named.body)).toBe(202);
      const wrong = await ask({ modelVersionId: 'builtin-gan' });
      expect(wrong.status).toBe(400);
      await waitFor(() => readJobs(client.doc).some((j) => j.id === named.body.jobIds[0] && j.status === 'done'), 60_000, 'the job with the trained version');
      expect(readJobs(client.doc).find((j) => j.id === named.body.jobIds[0])!.modelVersion).toBe(`${id} · AR-CNN · my-folk-tunes`);

      const pin = await api(`${server.url}/api/sessions/${sessionId}/model-pins`, 'PUT', { family: 'arcnn', versionId: id });
      expect(pin.status, JSON.stringify(pin.body)).toBe(200);
      expect(pin.body.pins).toEqual({ gan: null, arcnn: id, transformer: null });
      const pinned = await ask({});
      expect(pinned.status).toBe(202);
      await waitFor(() => readJobs(client.doc).some((j) => j.id === pinned.body.jobIds[0] && j.status === 'done'), 60_000, 'the job through the pin');
      expect(readJobs(client.doc).find((j) => j.id === pinned.body.jobIds[0])!.modelVersion).toBe(`${id} · AR-CNN · my-folk-tunes`);
    } finally {
      client.destroy();
    }
  });

  it('cancelling a training frees its worker process at once; resume continues from the last checkpoint', async () => {
    const id = await longTrainingPastACheckpoint('long');
    expect(server.studio.runner!.runningId()).toBe(id);
    expect(server.studio.runner!.processes).toBe(1);
    // Someone else's key may not cancel it.
    expect(
      (await api(`${server.url}/api/studio/trainings/${id}/cancel`, 'POST', undefined, { 'x-tutti-studio-key': 'someone-else-entirely-0123' })).status,
    ).toBe(403);
    const cancelled = await api<{ training: TrainingJob }>(`${server.url}/api/studio/trainings/${id}/cancel`, 'POST', undefined, asOwner);
    expect(cancelled.status).toBe(200);
    // The process is gone when cancel answers: the runner is free for the next training.
    expect(server.studio.runner!.processes).toBe(0);
    expect(server.studio.runner!.runningId()).toBeNull();
    expect(cancelled.body.training).toMatchObject({ status: 'cancelled', resumable: true });
    const checkpoint = cancelled.body.training.checkpointStep;
    expect(checkpoint).toBeGreaterThan(0);
    const stepAtCancel = (await training(id)).training.step;
    await new Promise((r) => setTimeout(r, 500));
    expect((await training(id)).training.step).toBe(stepAtCancel);

    const resumed = await api<{ training: TrainingJob }>(`${server.url}/api/studio/trainings/${id}/resume`, 'POST', undefined, asOwner);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(202);
    expect(resumed.body.training.status).toBe('queued');
    // Continues from the checkpoint: the first new point is just past it, the earlier curve kept.
    const before = (await training(id)).points.filter((p) => p.step <= checkpoint).length;
    const events = await readEvents(server.url, id, (ev) => ev.some(([e, d]) => e === 'progress' && (d as ProgressPoint).step > checkpoint + 20), 60_000);
    const fresh = events.filter(([e]) => e === 'progress').map(([, d]) => d as ProgressPoint);
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh[0]!.step).toBeGreaterThan(checkpoint);
    expect(fresh[0]!.step).toBeLessThan(checkpoint + 50);
    expect((await training(id)).points.filter((p) => p.step <= checkpoint).length).toBe(before);
    // Deleting it while it trains stops it and removes its files.
    expect((await api(`${server.url}/api/studio/versions/${id}`, 'DELETE', undefined, asOwner)).status).toBe(200);
    expect(server.studio.runner!.processes).toBe(0);
    expect(fs.existsSync(path.join(server.dataDir, 'models', 'versions', id))).toBe(false);
  });

  it('deleting a version deletes its weights (and its pins); built-ins and other keys cannot', async () => {
    const dir = path.join(server.dataDir, 'models', 'versions', version.id, 'weights');
    expect(fs.readdirSync(dir).sort()).toEqual(['MODEL_CARD.md', 'arcnn.bin', 'arcnn.json', 'config.json', 'train-log.json']);
    expect((await api(`${server.url}/api/studio/versions/builtin-gan`, 'DELETE', undefined, asOwner)).body.code).toBe('built_in');
    expect(
      (await api(`${server.url}/api/studio/versions/${version.id}`, 'DELETE', undefined, { 'x-tutti-studio-key': 'someone-else-entirely-0123' })).body.code,
    ).toBe('not_owner');
    const del = await api(`${server.url}/api/studio/versions/${version.id}`, 'DELETE', undefined, asOwner);
    expect(del.status).toBe(200);
    expect(fs.existsSync(path.join(server.dataDir, 'models', 'versions', version.id))).toBe(false);
    expect((await api(`${server.url}/api/studio/versions/${version.id}`, 'GET', undefined, {})).status).toBe(404);
    expect(await server.db.prisma.sessionModelPin.count({ where: { versionId: version.id } })).toBe(0);
  });

  it('a server stopped mid-training puts it back in the queue; the next start resumes it from its checkpoint', async () => {
    const dataDir = server.dataDir;
    const id = await longTrainingPastACheckpoint('restarted');
    await server.close();
    const again = await startInProcessServer({ dataDir, studioPollMs: 200 });
    server = again;
    const row = await again.studio.store.version(id);
    const checkpoint = row!.checkpointStep;
    expect(checkpoint).toBeGreaterThan(0);
    const events = await readEvents(again.url, id, (ev) => ev.some(([e]) => e === 'progress'), 60_000);
    const first = events.find(([e]) => e === 'progress')![1] as ProgressPoint;
    expect(first.step).toBeGreaterThan(checkpoint);
    expect(first.step).toBeLessThan(checkpoint + 50);
    expect((await training(id)).training.status).toBe('running');
    expect((await api(`${again.url}/api/studio/trainings/${id}/cancel`, 'POST', undefined, asOwner)).status).toBe(200);
  });
});
