// The versions API (issue 16, README "Versions"). Tokens as for the session API (Authorization: Bearer).
//   GET  /api/sessions/<id>/versions                    → {versions: [...newest first], forkedFrom} (any link)
//   POST /api/sessions/<id>/versions {name, author?}    → 201 a named version of the current score (edit)
//   GET  /api/sessions/<id>/versions/<vid>              → {version, score} (any link); ?format=yjs: the
//                                                         stored deflate-raw Yjs state, decoded by the browser
//   POST /api/sessions/<id>/versions/<vid>/restore {fromBar?, toBar?, trackIds?}
//                                                       → {changed}: one server transaction (edit). The
//                                                         editor restores in the browser instead, so its
//                                                         own Ctrl+Z can undo it (app/editor/history).
//   POST /api/sessions/<id>/fork {versionId?, title?}   → 201 a new session copied from the current
//                                                         score or a version; the caller owns it (any link)
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { idSchema, readScore, type Score } from '@/lib/score';
import { applyRestorePlan, planRestore, scoreToState } from '@/lib/score/versions';
import { linkUrl, mintLinks } from '../auth/access';
import { publicOrigin } from '../http/edge';
import { HttpError, readJson, sendJson } from '../http/json';
import type { Route, RouteContext } from '../http/router';
import { newSessionId } from '../sessions';
import type { Versions } from './index';
import { snapshotOf, type Snapshot } from './store';

/** Transaction origin of a restore made through the API. */
export const RESTORE_ORIGIN = 'tutti:version-restore';

const service = (ctx: RouteContext): Versions => {
  if (!ctx.versions) throw new HttpError(503, 'versions are not available on this server');
  return ctx.versions;
};

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, `invalid body: ${r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  return r.data;
}

const namedBody = z.object({ name: z.string().trim().min(1).max(100), author: z.string().trim().max(80).optional() }).strict();
const bar = z.number().int().min(1).max(9999);
const restoreBody = z
  .object({ fromBar: bar.optional(), toBar: bar.optional(), trackIds: z.array(idSchema).min(1).max(64).optional() })
  .strict()
  .refine((b) => (b.fromBar === undefined) === (b.toBar === undefined), 'give both fromBar and toBar, or neither')
  .optional();
const forkBody = z.object({ versionId: z.string().min(1).max(64).optional(), title: z.string().trim().min(1).max(200).optional() }).strict().optional();

/** The live score of a session (loading its room if nobody has it open). */
async function currentScore(ctx: RouteContext, id: string): Promise<Score> {
  const room = await ctx.rooms.acquire(id);
  if (!room) throw new HttpError(404, `unknown session ${id}`);
  try {
    return readScore(room.doc);
  } finally {
    ctx.rooms.release(room);
  }
}

async function listVersions(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, id: string): Promise<void> {
  await ctx.access.require(req, id, 'view');
  const v = service(ctx);
  const [versions, forkedFrom] = await Promise.all([v.store.list(id), v.store.forkOrigin(id)]);
  sendJson(res, 200, { versions, forkedFrom, unsaved: v.checkpoints.isDirty(id) });
}

async function createNamed(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, id: string): Promise<void> {
  await ctx.access.require(req, id, 'edit');
  const body = parse(namedBody, await readJson(req));
  const v = service(ctx);
  if ((await v.store.countNamed(id)) >= v.config.maxNamed) throw new HttpError(409, `this session already has ${v.config.maxNamed} named versions`);
  const room = await ctx.rooms.acquire(id);
  if (!room) throw new HttpError(404, `unknown session ${id}`);
  let snap: Snapshot;
  try {
    snap = snapshotOf(room.doc);
  } finally {
    ctx.rooms.release(room);
  }
  const version = await v.store.create(id, 'named', snap, { name: body.name, authors: body.author ? [body.author] : [] });
  sendJson(res, 201, { version });
}

async function getVersion(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, id: string, versionId: string): Promise<void> {
  await ctx.access.require(req, id, 'view');
  // ?format=yjs: the stored bytes (deflate-raw of Y.encodeStateAsUpdate) for the browser to decode,
  // so previewing a big version costs this server a database read and nothing else.
  if (new URL(req.url ?? '/', 'http://x').searchParams.get('format') === 'yjs') {
    const stored = await service(ctx).store.getStored(id, versionId);
    if (!stored) throw new HttpError(404, `no version ${versionId} in session ${id}`);
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': stored.state.length,
      'cache-control': 'no-store',
      'x-tutti-encoding': 'deflate-raw',
      'x-tutti-version': encodeURIComponent(JSON.stringify(stored.info)),
    });
    res.end(stored.state);
    return;
  }
  const found = await service(ctx).store.get(id, versionId);
  if (!found) throw new HttpError(404, `no version ${versionId} in session ${id}`);
  sendJson(res, 200, { version: found.info, score: found.score });
}

async function restoreVersion(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, id: string, versionId: string): Promise<void> {
  await ctx.access.require(req, id, 'edit');
  const range = parse(restoreBody, await readJson(req));
  const found = await service(ctx).store.get(id, versionId);
  if (!found) throw new HttpError(404, `no version ${versionId} in session ${id}`);
  const changed = await ctx.rooms.withDoc(id, (doc) => applyRestorePlan(doc, planRestore(readScore(doc), found.score, range), RESTORE_ORIGIN), { origin: RESTORE_ORIGIN, flush: true });
  sendJson(res, 200, { changed });
}

async function forkSession(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, id: string): Promise<void> {
  await ctx.access.require(req, id, 'view');
  const body = parse(forkBody, await readJson(req));
  const v = service(ctx);
  let score: Score;
  if (body?.versionId) {
    const found = await v.store.get(id, body.versionId);
    if (!found) throw new HttpError(404, `no version ${body.versionId} in session ${id}`);
    score = found.score;
  } else score = await currentScore(ctx, id);
  const parent = await ctx.rooms.store.getSession(id);
  const parentTitle = ctx.rooms.peek(id) ? score.meta.title : (parent?.title ?? score.meta.title);
  const title = body?.title ?? `${parentTitle || 'Untitled session'} (copy)`.slice(0, 200);
  const forkId = newSessionId();
  const { tokens, columns } = mintLinks(forkId);
  await ctx.rooms.store.createSession(forkId, title, scoreToState({ ...score, meta: { ...score.meta, title } }), columns);
  await v.store.markFork(forkId, { parentId: id, parentTitle, versionId: body?.versionId ?? null });
  const origin = publicOrigin(req, ctx.edge);
  const editUrl = linkUrl(origin, forkId, tokens.editToken);
  sendJson(res, 201, {
    id: forkId,
    title,
    url: editUrl,
    editUrl,
    viewUrl: linkUrl(origin, forkId, tokens.viewToken),
    ...tokens,
    forkedFrom: { sessionId: id, title: parentTitle, versionId: body?.versionId ?? null },
  });
}

export const VERSION_ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/api\/sessions\/([^/]+)\/versions\/?$/, handler: listVersions },
  { method: 'POST', pattern: /^\/api\/sessions\/([^/]+)\/versions\/?$/, handler: createNamed },
  { method: 'GET', pattern: /^\/api\/sessions\/([^/]+)\/versions\/([^/]+)\/?$/, handler: getVersion },
  { method: 'POST', pattern: /^\/api\/sessions\/([^/]+)\/versions\/([^/]+)\/restore\/?$/, handler: restoreVersion },
  { method: 'POST', pattern: /^\/api\/sessions\/([^/]+)\/fork\/?$/, handler: forkSession },
];
