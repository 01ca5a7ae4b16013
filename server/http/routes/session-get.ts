// GET /api/sessions/<id> (any link) → title, meta, participants, storedBytes, the caller's role and
// own link (an owner's is its edit link; the bare /s/<id> only for sessions from before share links).
import { linkUrl } from '../../auth/access';
import { describeSession } from '../../sessions';
import { publicOrigin } from '../edge';
import { HttpError, sendJson } from '../json';
import { route } from '../route';

export const sessionGet = route('GET', '/api/sessions/<id>', 'any link → title, meta, participants, storedBytes, role, url (your own link)', async (req, res, ctx, id) => {
  const { role, token, legacy } = await ctx.access.require(req, id, 'view');
  const info = await describeSession(ctx.rooms.store, ctx.rooms, id);
  if (!info) throw new HttpError(404, `unknown session ${id}`);
  const own = legacy ? null : role === 'owner' ? (await ctx.access.links(id, token!, role)).editToken! : token!;
  sendJson(res, 200, { ...info, url: linkUrl(publicOrigin(req, ctx.edge), id, own), role });
});
