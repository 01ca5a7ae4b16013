// POST /api/sessions/<id>/fork {versionId?, title?} (any link) → 201 a new session copied from the
// current score or a version; the caller owns it (the answer carries its three tokens).
import { z } from 'zod';
import { readScore, type Score } from '@/lib/score';
import { scoreToState } from '@/lib/score/versions';
import { linkUrl, mintLinks } from '../../auth/access';
import { newSessionId } from '../../sessions';
import { publicOrigin } from '../edge';
import { HttpError, parseBody, readJson, sendJson } from '../json';
import { route, type RouteContext } from '../route';
import { versionsOf } from './versions-of';

const body = z.object({ versionId: z.string().min(1).max(64).optional(), title: z.string().trim().min(1).max(200).optional() }).strict().optional();

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

export const sessionFork = route('POST', '/api/sessions/<id>/fork', 'any link → 201 a new session copied from the current score or {versionId}; you own it', async (req, res, ctx, id) => {
  await ctx.access.require(req, id, 'view');
  const b = parseBody(body, await readJson(req));
  const v = versionsOf(ctx);
  let score: Score;
  if (b?.versionId) {
    const found = await v.store.get(id, b.versionId);
    if (!found) throw new HttpError(404, `no version ${b.versionId} in session ${id}`);
    score = found.score;
  } else score = await currentScore(ctx, id);
  const parent = await ctx.rooms.store.getSession(id);
  const parentTitle = ctx.rooms.peek(id) ? score.meta.title : (parent?.title ?? score.meta.title);
  const title = b?.title ?? `${parentTitle || 'Untitled session'} (copy)`.slice(0, 200);
  const forkId = newSessionId();
  const { tokens, columns } = mintLinks(forkId);
  await ctx.rooms.store.createSession(forkId, title, scoreToState({ ...score, meta: { ...score.meta, title } }), columns);
  await v.store.markFork(forkId, { parentId: id, parentTitle, versionId: b?.versionId ?? null });
  const origin = publicOrigin(req, ctx.edge);
  const editUrl = linkUrl(origin, forkId, tokens.editToken);
  sendJson(res, 201, {
    id: forkId,
    title,
    url: editUrl,
    editUrl,
    viewUrl: linkUrl(origin, forkId, tokens.viewToken),
    ...tokens,
    forkedFrom: { sessionId: id, title: parentTitle, versionId: b?.versionId ?? null },
  });
});
