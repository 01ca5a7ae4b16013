// GET /api/sessions/<id>/links (any link) → the links the caller may hand out: an owner both,
// an editor the edit and view links, a viewer the view link.
import { linkUrl } from '../../auth/access';
import { publicOrigin } from '../edge';
import { sendJson } from '../json';
import { route } from '../route';

export const sessionLinks = route('GET', '/api/sessions/<id>/links', 'any link → {role, editUrl?, editToken?, viewUrl?, viewToken?} (what you may hand out)', async (req, res, ctx, id) => {
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
});
