// The sessions HTTP API on the custom server: create (with its share-link tokens), describe, and
// clear errors for bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, createSessionWithLinks, startInProcessServer } from '../helpers/server';

describe('sessions API', () => {
  let server: Awaited<ReturnType<typeof startInProcessServer>>;
  beforeAll(async () => {
    server = await startInProcessServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('POST /api/sessions creates a session with an unguessable id and its three capability tokens', async () => {
    const res = await fetch(`${server.url}/api/sessions`, { method: 'POST' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['editToken', 'editUrl', 'id', 'ownerToken', 'url', 'viewToken', 'viewUrl']);
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 random bits
    for (const t of [body.editToken, body.viewToken, body.ownerToken]) expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    expect(new Set([body.editToken, body.viewToken, body.ownerToken]).size).toBe(3);
    // Links point at the host the request came to (no PUBLIC_URL here); the token rides in the fragment.
    expect(body.editUrl).toBe(`${server.url}/s/${body.id}#token=${body.editToken}`);
    expect(body.viewUrl).toBe(`${server.url}/s/${body.id}#token=${body.viewToken}`);
    expect(body.url).toBe(body.editUrl);
    const other = await createSession(server.url);
    expect(other).not.toBe(body.id);
    // Only hashes are stored: no token appears in the session's row.
    const row = await server.db.prisma.session.findUniqueOrThrow({ where: { id: body.id } });
    const stored = JSON.stringify(row, (_k, v) => (v instanceof Uint8Array ? undefined : v));
    for (const t of [body.editToken, body.viewToken, body.ownerToken]) expect(stored).not.toContain(t);
  });

  it('GET /api/sessions/<id> describes it to a link holder; no token is 401, unknown ids are 404', async () => {
    const created = await createSessionWithLinks(server.url, 'Fugue in G');
    const id = created.id;
    const res = await fetch(`${server.url}/api/sessions/${id}`, { headers: { authorization: `Bearer ${created.viewToken}` } });
    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, unknown>;
    expect(info).toMatchObject({ id, url: created.viewUrl, title: 'Fugue in G', participants: 0, role: 'view' });
    expect(Date.parse(info.createdAt as string)).not.toBeNaN();
    expect((await fetch(`${server.url}/api/sessions/${id}`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/sessions/${id}`, { headers: { authorization: `Bearer ${'x'.repeat(43)}` } })).status).toBe(401);
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

  it('every refusal, from any route of the table, is {error, code, issues}', async () => {
    const { id, viewToken } = await createSessionWithLinks(server.url);
    const json = { 'content-type': 'application/json' };
    const cases: Array<[string, RequestInit, number, string]> = [
      ['/api/sessions', { method: 'POST', body: JSON.stringify({ title: 42, extra: 1 }) }, 400, 'invalid_request'],
      ['/api/sessions', { method: 'PUT' }, 405, 'method_not_allowed'],
      ['/api/nothing-here', {}, 404, 'not_found'],
      [`/api/sessions/${id}`, {}, 401, 'unauthorized'],
      [`/api/sessions/${id}/versions`, { method: 'POST', headers: { authorization: `Bearer ${viewToken}` }, body: '{}' }, 403, 'forbidden'],
      [`/api/sessions/${id}/jobs`, { method: 'POST', headers: { authorization: `Bearer ${viewToken}`, ...json }, body: '{}' }, 403, 'forbidden'],
      [`/api/sessions/${id}/jobs/nope`, { method: 'PUT' }, 405, 'method_not_allowed'],
      ['/readyz', { method: 'POST' }, 405, 'method_not_allowed'],
    ];
    for (const [url, init, status, code] of cases) {
      const r = await fetch(`${server.url}${url}`, init);
      expect(r.status, url).toBe(status);
      const body = (await r.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort(), url).toEqual(['code', 'error', 'issues']);
      expect(body.code, url).toBe(code);
      expect(typeof body.error, url).toBe('string');
      expect(Array.isArray(body.issues), url).toBe(true);
    }
    // A body with two problems lists both.
    const two = await fetch(`${server.url}/api/sessions`, { method: 'POST', body: JSON.stringify({ title: 42, extra: 1 }) });
    expect(((await two.json()) as { issues: string[] }).issues).toHaveLength(2);
  });
});
