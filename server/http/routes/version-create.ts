// POST /api/sessions/<id>/versions {name, author?} (edit) → 201 {version}: a named version of the
// current score, up to TUTTI_MAX_NAMED_VERSIONS per session (then 409).
import { z } from 'zod';
import { snapshotOf, type Snapshot } from '../../versions/store';
import { HttpError, parseBody, readJson, sendJson } from '../json';
import { route } from '../route';
import { versionsOf } from './versions-of';

const body = z.object({ name: z.string().trim().min(1).max(100), author: z.string().trim().max(80).optional() }).strict();

export const versionCreate = route(
  'POST',
  '/api/sessions/<id>/versions',
  'edit → 201 {version}: a named version of the current score ({name, author?})',
  async (req, res, ctx, id) => {
    await ctx.access.require(req, id, 'edit');
    const b = parseBody(body, await readJson(req));
    const v = versionsOf(ctx);
    if ((await v.store.countNamed(id)) >= v.config.maxNamed) throw new HttpError(409, `this session already has ${v.config.maxNamed} named versions`);
    const room = await ctx.rooms.acquire(id);
    if (!room) throw new HttpError(404, `unknown session ${id}`);
    let snap: Snapshot;
    try {
      snap = await snapshotOf(room.doc);
    } finally {
      ctx.rooms.release(room);
    }
    const version = await v.store.create(id, 'named', snap, { name: b.name, authors: b.author ? [b.author] : [] });
    sendJson(res, 201, { version });
  },
);
