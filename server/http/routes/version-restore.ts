// POST /api/sessions/<id>/versions/<versionId>/restore {fromBar?, toBar?, trackIds?} (edit) →
// {changed}: one server transaction. The editor restores in the browser instead, so its own
// Ctrl+Z can undo it (app/editor/history).
import { z } from 'zod';
import { idSchema, readScore } from '@/lib/score';
import { applyRestorePlan, planRestore } from '@/lib/score/versions';
import { HttpError, parseBody, readJson, sendJson } from '../json';
import { route } from '../route';
import { versionsOf } from './versions-of';

/** Transaction origin of a restore made through the API. */
export const RESTORE_ORIGIN = 'tutti:version-restore';

const bar = z.number().int().min(1).max(9999);
const body = z
  .object({ fromBar: bar.optional(), toBar: bar.optional(), trackIds: z.array(idSchema).min(1).max(64).optional() })
  .strict()
  .refine((b) => (b.fromBar === undefined) === (b.toBar === undefined), 'give both fromBar and toBar, or neither')
  .optional();

export const versionRestore = route('POST', '/api/sessions/<id>/versions/<versionId>/restore', 'edit → {changed}: the version (or its bars fromBar..toBar, or trackIds) restored in one transaction', async (req, res, ctx, id, versionId) => {
  await ctx.access.require(req, id, 'edit');
  const range = parseBody(body, await readJson(req));
  const found = await versionsOf(ctx).store.get(id, versionId);
  if (!found) throw new HttpError(404, `no version ${versionId} in session ${id}`);
  const changed = await ctx.rooms.withDoc(id, (doc) => applyRestorePlan(doc, planRestore(readScore(doc), found.score, range), RESTORE_ORIGIN), { origin: RESTORE_ORIGIN, flush: true });
  sendJson(res, 200, { changed });
});
