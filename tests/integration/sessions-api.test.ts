// The sessions HTTP API on the custom server: create, describe, and clear errors for bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, startInProcessServer } from '../helpers/server';

describe('sessions API', () => {
  let server: Awaited<ReturnType<typeof startInProcessServer>>;
  beforeAll(async () => {
    server = await startInProcessServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('POST /api/sessions creates a session with an unguessable id', async () => {
    const res = await fetch(`${server.url}/api/sessions`, { method: 'POST' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; url: string };
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 random bits
    expect(body.url).toBe(`/s/${body.id}`);
    const other = await createSession(server.url);
    expect(other).not.toBe(body.id);
  });

  it('GET /api/sessions/<id> describes it; unknown ids are 404', async () => {
    const id = await createSession(server.url, 'Fugue in G');
    const res = await fetch(`${server.url}/api/sessions/${id}`);
    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, unknown>;
    expect(info).toMatchObject({ id, url: `/s/${id}`, title: 'Fugue in G', participants: 0 });
    expect(Date.parse(info.createdAt as string)).not.toBeNaN();
    for (const bad of ['AAAAAAAAAAAAAAAAAAAAAA', 'x', '%E0%A4%A']) {
      const r = await fetch(`${server.url}/api/sessions/${bad}`);
      expect(r.status).toBe(404);
      expect(((await r.json()) as { error: string }).error).toMatch(/session/);
    }
  });

  it('rejects bad bodies and methods with clear errors', async () => {
    const notJson = await fetch(`${server.url}/api/sessions`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/JSON/);
    const badTitle = await fetch(`${server.url}/api/sessions`, { method: 'POST', body: JSON.stringify({ title: 42 }) });
    expect(badTitle.status).toBe(400);
    expect(((await badTitle.json()) as { error: string }).error).toMatch(/title/);
    const put = await fetch(`${server.url}/api/sessions`, { method: 'PUT' });
    expect(put.status).toBe(405);
    const huge = await fetch(`${server.url}/api/sessions`, { method: 'POST', body: JSON.stringify({ title: 'x'.repeat(100_000) }) });
    expect(huge.status).toBe(413);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
