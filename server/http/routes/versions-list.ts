// GET /api/sessions/<id>/versions (any link) → {versions (newest first), forkedFrom, unsaved}.
import { sendJson } from '../json';
import { route } from '../route';
import { versionsOf } from './versions-of';

export const versionsList = route('GET', '/api/sessions/<id>/versions', 'any link → {versions: [...newest first], forkedFrom, unsaved}', async (req, res, ctx, id) => {
  await ctx.access.require(req, id, 'view');
  const v = versionsOf(ctx);
  const [versions, forkedFrom] = await Promise.all([v.store.list(id), v.store.forkOrigin(id)]);
  sendJson(res, 200, { versions, forkedFrom, unsaved: v.checkpoints.isDirty(id) });
});
