// POST /api/sessions/<id>/links/<edit|view>/rotate (owner) → 200 {role, token, url}: the old token
// is dead at once and connections holding it, on every instance, are closed with 4401.
import { CLOSE } from '../../sync/errors';
import { linkUrl } from '../../auth/access';
import { publicOrigin } from '../edge';
import { HttpError, sendJson } from '../json';
import { route } from '../route';

export const linkRotate = route('POST', '/api/sessions/<id>/links/<role>/rotate', 'owner → 200 {role, token, url} for role edit|view; connections holding the old token are closed with 4401', async (req, res, ctx, id, role) => {
  if (role !== 'edit' && role !== 'view') throw new HttpError(404, `no link "${role}" (edit or view)`);
  const { token } = await ctx.access.require(req, id, 'owner');
  const fresh = await ctx.access.rotate(id, token!, role);
  ctx.revoke({ sessionId: id, code: CLOSE.unauthorized, reason: `the ${role} link was rotated by the session's owner; ask for the new link`, roles: [role] });
  sendJson(res, 200, { role, token: fresh, url: linkUrl(publicOrigin(req, ctx.edge), id, fresh) });
});
