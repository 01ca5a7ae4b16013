// GET /api/sessions/<id>/versions/<versionId> (any link) → {version, score}; with ?format=yjs the
// stored deflate-raw Yjs state instead, for the browser to decode, so previewing a big version
// costs this server a database read and nothing else.
import { HttpError, sendJson } from '../json';
import { route } from '../route';
import { versionsOf } from './versions-of';

export const versionGet = route('GET', '/api/sessions/<id>/versions/<versionId>', 'any link → {version, score}; ?format=yjs: the stored deflate-raw Yjs state', async (req, res, ctx, id, versionId) => {
  await ctx.access.require(req, id, 'view');
  if (new URL(req.url ?? '/', 'http://x').searchParams.get('format') === 'yjs') {
    const stored = await versionsOf(ctx).store.getStored(id, versionId);
    if (!stored) throw new HttpError(404, `no version ${versionId} in session ${id}`);
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': stored.state.length,
      'cache-control': 'no-store',
      'x-tutti-encoding': 'deflate-raw',
      'x-tutti-version': encodeURIComponent(JSON.stringify(stored.info)),
    });
    res.end(stored.state);
    return;
  }
  const found = await versionsOf(ctx).store.get(id, versionId);
  if (!found) throw new HttpError(404, `no version ${versionId} in session ${id}`);
  sendJson(res, 200, { version: found.info, score: found.score });
});
