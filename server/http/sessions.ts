// The session API (README "Sharing"):
//   POST   /api/sessions                              → 201 {id, url, editUrl, viewUrl, editToken, viewToken, ownerToken}
//   GET    /api/sessions/<id>                         → session info and the caller's role (any link)
//   DELETE /api/sessions/<id>                         → 204; connections closed, data gone (owner)
//   GET    /api/sessions/<id>/links                   → the links the caller may hand out (any link)
//   POST   /api/sessions/<id>/links/<edit|view>/rotate → 200 {role, token, url}; old token dead (owner)
//   POST   /api/sessions/<id>/participants            → 201 {participantId, participantToken, role} (any link)
// Tokens arrive as Authorization: Bearer <token>. Sessions from before share links need none.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { createSession, describeSession } from '../sessions';
import { linkUrl } from '../auth/access';
import { newToken, participantIdOf } from '../auth/tokens';
import { CLOSE } from '../sync/errors';
import type { RouteContext } from './router';
import { publicOrigin } from './edge';
import { HttpError, readJson, sendJson } from './json';

const createBody = z.object({ title: z.string().trim().min(1).max(200).optional() }).strict().optional();

export async function postSession(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  const parsed = createBody.safeParse(await readJson(req));
  if (!parsed.success) throw new HttpError(400, `invalid body: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  const s = await createSession(ctx.rooms.store, parsed.data?.title);
  const origin = publicOrigin(req, ctx.edge);
  const editUrl = linkUrl(origin, s.id, s.tokens.editToken);
  sendJson(res, 201, { id: s.id, url: editUrl, editUrl, viewUrl: linkUrl(origin, s.id, s.tokens.viewToken), ...s.tokens });
}

export async function getSession(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, id: string): Promise<void> {
  const { role, token, legacy } = await ctx.access.require(req, id, 'view');
  const info = await describeSession(ctx.rooms.store, ctx.rooms, id);
  if (!info) throw new HttpError(404, `unknown session ${id}`);
  // The caller's own link (an owner's is its edit link): the bare /s/<id> only for old sessions.
  const own = legacy ? null : role === 'owner' ? (await ctx.access.links(id, token!, role)).editToken! : token!;
  sendJson(res, 200, { ...info, url: linkUrl(publicOrigin(req, ctx.edge), id, own), role });
}

export async function deleteSession(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, id: string): Promise<void> {
  await ctx.access.require(req, id, 'owner');
  if (!(await ctx.access.delete(id))) throw new HttpError(404, `unknown session ${id}`);
  // Row gone first, so a reconnect finds nothing; then everyone still connected is told why.
  ctx.revoke({ sessionId: id, code: CLOSE.sessionDeleted, reason: 'the session was deleted by its owner', deleted: true });
  res.writeHead(204, { 'cache-control': 'no-store' }).end();
}

export async function getLinks(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, id: string): Promise<void> {
  const { role, token, legacy } = await ctx.access.require(req, id, 'view');
  const origin = publicOrigin(req, ctx.edge);
  if (legacy) return sendJson(res, 200, { role, legacy: true, editUrl: linkUrl(origin, id, null) });
  const { editToken, viewToken } = await ctx.access.links(id, token!, role);
  sendJson(res, 200, {
    role,
    legacy: false,
    ...(editToken ? { editToken, editUrl: linkUrl(origin, id, editToken) } : {}),
    ...(viewToken ? { viewToken, viewUrl: linkUrl(origin, id, viewToken) } : {}),
  });
}

export async function rotateLink(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, id: string, role: string): Promise<void> {
  if (role !== 'edit' && role !== 'view') throw new HttpError(404, `no link "${role}" (edit or view)`);
  const { token } = await ctx.access.require(req, id, 'owner');
  const fresh = await ctx.access.rotate(id, token!, role);
  ctx.revoke({ sessionId: id, code: CLOSE.unauthorized, reason: `the ${role} link was rotated by the session's owner; ask for the new link`, roles: [role] });
  sendJson(res, 200, { role, token: fresh, url: linkUrl(publicOrigin(req, ctx.edge), id, fresh) });
}

/** A participant identity for job requests: the token stays in the browser, its hash is the public id. */
export async function postParticipant(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, id: string): Promise<void> {
  const { role } = await ctx.access.require(req, id, 'view');
  const participantToken = newToken();
  sendJson(res, 201, { participantId: participantIdOf(id, participantToken), participantToken, role });
}
