// DELETE /api/sessions/<id> (owner) → 204: the rows go first, so a reconnect finds nothing; then
// everyone still connected, on every instance, is closed with 4410 and told why.
import { CLOSE } from '../../sync/errors';
import { HttpError } from '../json';
import { route } from '../route';

export const sessionDelete = route('DELETE', '/api/sessions/<id>', 'owner → 204; live connections closed with 4410, rows gone, 404 afterwards', async (req, res, ctx, id) => {
  await ctx.access.require(req, id, 'owner');
  if (!(await ctx.access.delete(id))) throw new HttpError(404, `unknown session ${id}`);
  ctx.revoke({ sessionId: id, code: CLOSE.sessionDeleted, reason: 'the session was deleted by its owner', deleted: true });
  res.writeHead(204, { 'cache-control': 'no-store' }).end();
});
