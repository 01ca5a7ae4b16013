// POST /api/sessions {title?} → 201 {id, url, editUrl, viewUrl, editToken, viewToken, ownerToken}.
// Anyone may create a session; the owner token in the answer is the only way to manage it.
import { z } from 'zod';
import { linkUrl } from '../../auth/access';
import { createSession } from '../../sessions';
import { publicOrigin } from '../edge';
import { parseBody, readJson, sendJson } from '../json';
import { route } from '../route';

const body = z.object({ title: z.string().trim().min(1).max(200).optional() }).strict().optional();

export const sessionCreate = route('POST', '/api/sessions', 'create a session → 201 {id, url, editUrl, viewUrl, editToken, viewToken, ownerToken}', async (req, res, ctx) => {
  const parsed = parseBody(body, await readJson(req));
  const s = await createSession(ctx.rooms.store, parsed?.title);
  const origin = publicOrigin(req, ctx.edge);
  const editUrl = linkUrl(origin, s.id, s.tokens.editToken);
  sendJson(res, 201, { id: s.id, url: editUrl, editUrl, viewUrl: linkUrl(origin, s.id, s.tokens.viewToken), ...s.tokens });
});
