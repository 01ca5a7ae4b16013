// Share links with several instances (PostgreSQL + Redis): a rotation or deletion made through one
// instance closes the connections that held the old token on every instance, and the old token is
// refused everywhere. Both instances run in this process on their own PostgreSQL schema.
// Redis or PostgreSQL being unreachable fails this suite; it never skips.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionWithLinks, startInProcessServer } from '../helpers/server';
import { connectClient, openRaw, pgSchemaUrl, REDIS_URL, requirePostgres, requireRedis, withTimeout, type Client } from './sync-helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-links-scaleout-'));
const closedWith = (c: Client) => new Promise<{ code: number; reason: string }>((resolve) => c.provider.on('closed', (e) => resolve(e)));

describe('share links across instances', () => {
  const schema = pgSchemaUrl('tutti_links');
  let a: Awaited<ReturnType<typeof startInProcessServer>>;
  let b: Awaited<ReturnType<typeof startInProcessServer>>;
  const clients: Client[] = [];

  beforeAll(async () => {
    await requireRedis();
    await requirePostgres();
    a = await startInProcessServer({ databaseUrl: schema.url, dataDir: tmp(), redisUrl: REDIS_URL });
    b = await startInProcessServer({ databaseUrl: schema.url, dataDir: tmp(), redisUrl: REDIS_URL });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await a?.close();
    await b?.close();
    await schema.drop();
  });

  it('rotating on one instance closes the old link’s connections on the other; deleting closes everyone there', async () => {
    const s = await createSessionWithLinks(a.url);
    const onB = connectClient(b.wsUrl, s.id, { token: s.editToken });
    const viewerOnB = connectClient(b.wsUrl, s.id, { token: s.viewToken });
    clients.push(onB, viewerOnB);
    await Promise.all([onB.synced, viewerOnB.synced]);

    const closed = closedWith(onB);
    const r = await fetch(`${a.url}/api/sessions/${s.id}/links/edit/rotate`, { method: 'POST', headers: { authorization: `Bearer ${s.ownerToken}` } });
    expect(r.status).toBe(200);
    const c = await withTimeout(closed, 10_000, 'the edit connection on the other instance to close');
    expect(c.code).toBe(4401);
    expect(c.reason).toMatch(/edit link was rotated/);
    expect(viewerOnB.provider.wsconnected).toBe(true);
    const old = await openRaw(b.wsUrl, s.id, s.editToken);
    expect((await withTimeout(old.closed, 10_000, 'old token refused on B')).code).toBe(4401);

    const gone = closedWith(viewerOnB);
    expect((await fetch(`${a.url}/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.ownerToken}` } })).status).toBe(204);
    const g = await withTimeout(gone, 10_000, 'the viewer on the other instance to be closed');
    expect(g.code).toBe(4410);
    await withTimeout(
      (async () => {
        while (b.rooms.has(s.id)) await new Promise((res) => setTimeout(res, 20));
      })(),
      10_000,
      'the other instance to drop the room',
    );
  });
});
