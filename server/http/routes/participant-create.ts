// POST /api/sessions/<id>/participants (any link) → 201 {participantId, participantToken, role}:
// an identity for AI requests. The token stays in the browser; its hash is the public id.
import { newToken, participantIdOf } from '../../auth/tokens';
import { sendJson } from '../json';
import { route } from '../route';

export const participantCreate = route('POST', '/api/sessions/<id>/participants', 'any link → 201 {participantId, participantToken, role}', async (req, res, ctx, id) => {
  const { role } = await ctx.access.require(req, id, 'view');
  const participantToken = newToken();
  sendJson(res, 201, { participantId: participantIdOf(id, participantToken), participantToken, role });
});
