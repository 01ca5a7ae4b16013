// Roles and share links, tried as a hostile link holder would: real y-websocket clients and raw
// sockets on /sync/<id>, plain HTTP. A session has an owner token and two capability links (edit,
// view); a wrong or missing token is refused with 4401, a viewer's writes go nowhere, rotation and
// deletion close live connections, sessions from before links keep working, foreign origins are
// refused, and the AI job identity is the server-issued participant token, not a copied id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { addNotes, readNotes, readTracks } from '@/lib/score';
import { initialState, newSessionId } from '@/server/sessions';
import { createSessionWithLinks, startInProcessServer, type CreatedSession } from '../helpers/server';
import { connectClient, connectSynced, openRaw, waitFor, withTimeout, type Client } from './sync-helpers';
import { api, newParticipant, postJob } from './jobs-helpers';

type Server = Awaited<ReturnType<typeof startInProcessServer>>;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Resolves with the close the server sent a client (y-websocket stops reconnecting on 44xx). */
const closedWith = (c: Client) => new Promise<{ code: number; reason: string }>((resolve) => c.provider.on('closed', (e) => resolve(e)));

/** The session's document as the database holds it (after flushing what the room has). */
async function storedDoc(server: Server, id: string): Promise<Y.Doc> {
  await server.rooms.peek(id)?.persister.flush();
  const stored = await server.rooms.store.loadDoc(id);
  const doc = new Y.Doc();
  if (stored?.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const u of stored?.updates ?? []) Y.applyUpdate(doc, u);
  return doc;
}

describe('share links and roles', () => {
  let server: Server;
  const clients: Client[] = [];
  const track = <T extends Client>(c: T): T => (clients.push(c), c);

  beforeAll(async () => {
    server = await startInProcessServer({ jobs: { rateLimit: 3, rateLimitPerAddress: 1000, workers: 1, preload: [] } });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
  });

  it('a websocket without a token, or with a wrong one, is refused with 4401 and a reason', async () => {
    const s = await createSessionWithLinks(server.url);
    for (const token of [null, 'x'.repeat(43), s.editToken.slice(0, -1) + (s.editToken.endsWith('A') ? 'B' : 'A'), 'not a token at all']) {
      const raw = await openRaw(server.wsUrl, s.id, token);
      const closed = await withTimeout(raw.closed, 10_000, 'refusal');
      expect(closed.code).toBe(4401);
      expect(closed.reason).toMatch(token ? /wrong|rotated/ : /needs a link token/);
      expect(raw.messages).toHaveLength(0); // not a byte of the document
    }
    // Each of the three tokens opens it.
    for (const token of [s.editToken, s.viewToken, s.ownerToken]) {
      const c = track(await connectSynced(server.wsUrl, s.id, token));
      expect(readTracks(c.doc)).toHaveLength(1);
    }
  });

  it("a viewer sees live edits, but its own writes are not applied, not persisted, and nobody else sees them; its job requests get 403", async () => {
    const s = await createSessionWithLinks(server.url, 'Viewer test');
    const editor = track(await connectSynced(server.wsUrl, s.id, s.editToken));
    const viewer = track(await connectSynced(server.wsUrl, s.id, s.viewToken));
    const trackId = readTracks(editor.doc)[0]!.id;

    addNotes(editor.doc, [{ trackId, pitch: 60, start: 0, duration: 480, velocity: 90 }]);
    await waitFor(() => readNotes(viewer.doc).length === 1, 10_000, 'the viewer to see the editor’s note');

    // A hostile viewer writes through its own Y.Doc (a stock client sends it as a sync update).
    addNotes(viewer.doc, [{ trackId, pitch: 99, start: 960, duration: 480, velocity: 90 }]);
    viewer.doc.getMap('jobs').set('x', 'x' as never);
    // Fence: an edit after the viewer's write reaches the viewer, so the server has processed its frame.
    addNotes(editor.doc, [{ trackId, pitch: 62, start: 480, duration: 480, velocity: 90 }]);
    await waitFor(() => readNotes(viewer.doc).some((n) => n.pitch === 62), 10_000, 'the fence edit');
    const late = track(await connectSynced(server.wsUrl, s.id, s.editToken));

    for (const doc of [editor.doc, late.doc, server.rooms.peek(s.id)!.doc, await storedDoc(server, s.id)]) {
      expect(readNotes(doc).map((n) => n.pitch).sort()).toEqual([60, 62]);
      expect(doc.getMap('jobs').has('x')).toBe(false);
    }
    expect(viewer.provider.wsconnected).toBe(true); // dropped, not disconnected: it keeps watching

    // HTTP: the viewer reads, but cannot ask the AI or cancel.
    expect((await api(`${server.url}/api/sessions/${s.id}/jobs`, 'GET', undefined, bearer(s.viewToken))).status).toBe(200);
    const asked = await postJob(server.url, s.id, { model: 'gan', task: 'accompany', sourceTrackId: trackId }, bearer(s.viewToken));
    expect(asked.status).toBe(403);
    expect(asked.body.error).toMatch(/view-only/);
    expect((await api(`${server.url}/api/sessions/${s.id}/jobs/somejob/cancel`, 'POST', {}, bearer(s.viewToken))).status).toBe(403);
    expect((await postJob(server.url, s.id, { model: 'gan', task: 'accompany', sourceTrackId: trackId }, {})).status).toBe(401);
    // The editor's token gets past the door (the unknown track is the next thing refused).
    expect((await postJob(server.url, s.id, { model: 'gan', task: 'accompany', sourceTrackId: 'nosuchtrack' }, bearer(s.editToken))).status).toBe(422);
  });

  it('rotating a link closes the live connections holding the old token and refuses it afterwards; the new token works', async () => {
    const s = await createSessionWithLinks(server.url);
    const editor = track(connectClient(server.wsUrl, s.id, { token: s.editToken }));
    const viewer = track(connectClient(server.wsUrl, s.id, { token: s.viewToken }));
    const owner = track(connectClient(server.wsUrl, s.id, { token: s.ownerToken }));
    await Promise.all([editor.synced, viewer.synced, owner.synced]);
    const editorClosed = closedWith(editor);

    // Only the owner may rotate.
    expect((await api(`${server.url}/api/sessions/${s.id}/links/edit/rotate`, 'POST', undefined, bearer(s.editToken))).status).toBe(403);
    expect((await api(`${server.url}/api/sessions/${s.id}/links/edit/rotate`, 'POST', undefined, {})).status).toBe(401);
    const r = await api<{ role: string; token: string; url: string }>(`${server.url}/api/sessions/${s.id}/links/edit/rotate`, 'POST', undefined, bearer(s.ownerToken));
    expect(r.status).toBe(200);
    expect(r.body.token).not.toBe(s.editToken);
    expect(r.body.url).toBe(`${server.url}/s/${s.id}#token=${r.body.token}`);

    const closed = await withTimeout(editorClosed, 10_000, 'the old edit link’s connection to close');
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/edit link was rotated/);
    // The viewer and the owner stay connected.
    expect(viewer.provider.wsconnected && owner.provider.wsconnected).toBe(true);

    const again = await openRaw(server.wsUrl, s.id, s.editToken);
    expect((await withTimeout(again.closed, 10_000, 'old token refused')).code).toBe(4401);
    expect((await api(`${server.url}/api/sessions/${s.id}`, 'GET', undefined, bearer(s.editToken))).status).toBe(401);
    const fresh = track(await connectSynced(server.wsUrl, s.id, r.body.token));
    addNotes(fresh.doc, [{ trackId: readTracks(fresh.doc)[0]!.id, pitch: 64, start: 0, duration: 240, velocity: 80 }]);
    await waitFor(() => readNotes(viewer.doc).length === 1, 10_000, 'the new edit link to edit');

    // The owner's links now name the new edit token; an editor with it can hand out the view link.
    const links = await api<{ editToken: string; viewToken: string }>(`${server.url}/api/sessions/${s.id}/links`, 'GET', undefined, bearer(s.ownerToken));
    expect(links.body).toMatchObject({ editToken: r.body.token, viewToken: s.viewToken });
    const viaEditor = await api<{ editToken: string; viewToken: string; role: string }>(`${server.url}/api/sessions/${s.id}/links`, 'GET', undefined, bearer(r.body.token));
    expect(viaEditor.body).toMatchObject({ role: 'edit', editToken: r.body.token, viewToken: s.viewToken });
    const viaViewer = await api<Record<string, string>>(`${server.url}/api/sessions/${s.id}/links`, 'GET', undefined, bearer(s.viewToken));
    expect(viaViewer.body.role).toBe('view');
    expect(viaViewer.body.editToken).toBeUndefined();

    // Rotating the view link closes the viewer, not the editors.
    const viewerClosed = closedWith(viewer);
    const v = await api<{ token: string }>(`${server.url}/api/sessions/${s.id}/links/view/rotate`, 'POST', undefined, bearer(s.ownerToken));
    expect(v.status).toBe(200);
    expect((await withTimeout(viewerClosed, 10_000, 'viewer closed')).reason).toMatch(/view link was rotated/);
    expect(fresh.provider.wsconnected).toBe(true);
    const viewAgain = await openRaw(server.wsUrl, s.id, s.viewToken);
    expect((await withTimeout(viewAgain.closed, 10_000, 'old view token refused')).code).toBe(4401);
    expect((await api(`${server.url}/api/sessions/${s.id}/links`, 'GET', undefined, bearer(r.body.token))).body).toMatchObject({ viewToken: v.body.token });
  });

  it('the owner deletes the session: connections closed with a reason, data gone, 404 afterwards', async () => {
    const s = await createSessionWithLinks(server.url);
    const editor = track(await connectSynced(server.wsUrl, s.id, s.editToken));
    addNotes(editor.doc, [{ trackId: readTracks(editor.doc)[0]!.id, pitch: 60, start: 0, duration: 240, velocity: 80 }]);
    await waitFor(() => (server.rooms.peek(s.id) ? readNotes(server.rooms.peek(s.id)!.doc).length === 1 : false), 10_000, 'the note at the server');
    const closed = closedWith(editor);

    expect((await api(`${server.url}/api/sessions/${s.id}`, 'DELETE', undefined, bearer(s.editToken))).status).toBe(403);
    expect((await api(`${server.url}/api/sessions/${s.id}`, 'DELETE', undefined, {})).status).toBe(401);
    expect((await api(`${server.url}/api/sessions/${s.id}`, 'DELETE', undefined, bearer(s.ownerToken))).status).toBe(204);

    const c = await withTimeout(closed, 10_000, 'the connection to close');
    expect(c.code).toBe(4410);
    expect(c.reason).toMatch(/deleted by its owner/);
    expect(server.rooms.has(s.id)).toBe(false);
    expect(await server.db.prisma.session.findUnique({ where: { id: s.id } })).toBeNull();
    expect(await server.db.prisma.docUpdate.count({ where: { sessionId: s.id } })).toBe(0);
    expect((await api(`${server.url}/api/sessions/${s.id}`, 'GET', undefined, bearer(s.ownerToken))).status).toBe(404);
    expect((await postJob(server.url, s.id, { model: 'gan', task: 'accompany', sourceTrackId: 'x' }, bearer(s.editToken))).status).toBe(404);
    const raw = await openRaw(server.wsUrl, s.id, s.editToken);
    expect((await withTimeout(raw.closed, 10_000, 'refused')).code).toBe(4404);
  });

  it('a session created before share links (no token hashes) still opens at /s/<id> as an edit link', async () => {
    const id = newSessionId();
    await server.rooms.store.createSession(id, 'Old session', initialState('Old session'));
    const a = track(await connectSynced(server.wsUrl, id)); // no token at all
    const c = track(await connectSynced(server.wsUrl, id, 'y'.repeat(43))); // any token is ignored
    addNotes(a.doc, [{ trackId: readTracks(a.doc)[0]!.id, pitch: 67, start: 0, duration: 240, velocity: 80 }]);
    await waitFor(() => readNotes(c.doc).length === 1, 10_000, 'an edit between two token-less clients');
    const info = await api<{ role: string; url: string }>(`${server.url}/api/sessions/${id}`, 'GET', undefined, {});
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ role: 'edit', url: `${server.url}/s/${id}` });
    expect((await postJob(server.url, id, { model: 'gan', task: 'accompany', sourceTrackId: 'nosuchtrack' }, {})).status).toBe(422);
    // It has no owner, so nobody can delete or rotate it through the API.
    expect((await api(`${server.url}/api/sessions/${id}`, 'DELETE', undefined, {})).status).toBe(403);
  });

  it('a cross-origin websocket upgrade and cross-origin POSTs are refused; same-host and Origin-less requests are not', async () => {
    const s = await createSessionWithLinks(server.url);
    const evil = { origin: 'https://evil.example' };
    const refused = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${server.wsUrl}/${s.id}?token=${s.editToken}`, { headers: evil });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('a foreign origin opened the session’s websocket')));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(403);
    const same = await openRaw(server.wsUrl, s.id, s.editToken, { origin: server.url });
    await waitFor(() => same.messages.length > 0, 10_000, 'the same-origin socket to sync');
    same.ws.close();

    const post = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: evil });
    expect(post.status).toBe(403);
    expect(((await post.json()) as { error: string }).error).toMatch(/cross-origin/);
    const job = await postJob(server.url, s.id, { model: 'gan', task: 'accompany', sourceTrackId: 'nosuchtrack' }, { ...bearer(s.editToken), ...evil });
    expect(job.status).toBe(403);
    const del = await api(`${server.url}/api/sessions/${s.id}`, 'DELETE', undefined, { ...bearer(s.ownerToken), ...evil });
    expect(del.status).toBe(403);
    expect(await server.db.prisma.session.findUnique({ where: { id: s.id } })).not.toBeNull();
    expect((await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { origin: server.url } })).status).toBe(201);
    expect((await fetch(`${server.url}/api/sessions`, { method: 'POST' })).status).toBe(201);
  });

  it('with PUBLIC_URL set, links carry it and only it (and TUTTI_ALLOWED_ORIGINS) may write', async () => {
    const pub = await startInProcessServer({ publicUrl: 'https://tutti.example.org', allowedOrigins: ['https://other.example.org'] });
    try {
      const ok = await fetch(`${pub.url}/api/sessions`, { method: 'POST', headers: { origin: 'https://tutti.example.org' } });
      expect(ok.status).toBe(201);
      const body = (await ok.json()) as CreatedSession;
      expect(body.editUrl).toBe(`https://tutti.example.org/s/${body.id}#token=${body.editToken}`);
      expect(body.viewUrl).toBe(`https://tutti.example.org/s/${body.id}#token=${body.viewToken}`);
      expect((await fetch(`${pub.url}/api/sessions`, { method: 'POST', headers: { origin: 'https://other.example.org' } })).status).toBe(201);
      expect((await fetch(`${pub.url}/api/sessions`, { method: 'POST', headers: { origin: pub.url } })).status).toBe(403);
    } finally {
      await pub.close();
    }
  });

  it('the requester and the rate limit key on the server-issued participant: a copied requester id reaches neither', async () => {
    const s = await createSessionWithLinks(server.url);
    const editor = track(await connectSynced(server.wsUrl, s.id, s.editToken));
    const melody = readTracks(editor.doc)[0]!.id;
    addNotes(editor.doc, Array.from({ length: 8 }, (_, i) => ({ trackId: melody, pitch: 60 + (i % 5), start: i * 480, duration: 480, velocity: 90 })));
    await waitFor(() => readNotes(server.rooms.peek(s.id)!.doc).length === 8, 10_000, 'the melody at the server');

    const victim = await newParticipant(server.url, s.id, s.editToken);
    const mallory = await newParticipant(server.url, s.id, s.editToken);
    expect(victim.participantId).not.toBe(mallory.participantId);
    const as = (p: { participantToken: string }) => ({ ...bearer(s.editToken), 'x-tutti-participant': p.participantToken });

    // The victim asks; the server records its verified id, whatever id the body claims.
    const asked = await postJob(server.url, s.id, { model: 'gan', task: 'accompany', sourceTrackId: melody, requester: { id: 'claimed-id', name: 'Vic' } }, as(victim));
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const list = await api<{ jobs: { id: string; requester: { id: string; name: string } }[] }>(`${server.url}/api/sessions/${s.id}/jobs`, 'GET');
    const publicId = list.body.jobs.find((j) => j.id === asked.body.jobId)!.requester.id;
    expect(publicId).toBe(victim.participantId);

    // Mallory copies that public id into everything she can.
    const asThem = { ...bearer(s.editToken), 'x-tutti-participant': publicId };
    expect((await postJob(server.url, s.id, { model: 'gan', task: 'accompany', sourceTrackId: melody }, asThem)).status).toBe(400); // an id is not a token
    const spam = { model: 'gan', task: 'accompany', sourceTrackId: 'nosuchtrack', requester: { id: publicId, name: 'Vic' } };
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await postJob(server.url, s.id, spam, as(mallory))).status);
    expect(codes).toEqual([422, 422, 422, 429]); // Mallory's own limit (3 per window here)
    // The victim's limit is untouched: its next request still gets past the limiter (to the track check).
    expect((await postJob(server.url, s.id, { ...spam, requester: undefined }, as(victim))).status).toBe(422);
  });

  it('API responses carry the security headers and no X-Powered-By', async () => {
    const s = await createSessionWithLinks(server.url);
    for (const res of [
      await fetch(`${server.url}/healthz`),
      await fetch(`${server.url}/api/sessions`, { method: 'POST' }),
      await fetch(`${server.url}/api/sessions/${s.id}`, { headers: bearer(s.viewToken) }),
      await fetch(`${server.url}/api/sessions/${s.id}/jobs`, { headers: bearer(s.viewToken) }),
      await fetch(`${server.url}/api/nothing-here`),
    ]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });
});
