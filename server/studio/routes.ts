// The model studio's HTTP routes (issue 18; shapes in lib/ai/studio.ts, the list in README "HTTP
// API" and /work/notes/studio-api.md). Reading is open; creating and changing studio objects
// needs the X-Tutti-Studio-Key header, and cancel, resume and delete the creator's key; session
// pins need the session's edit link. Live progress: Server-Sent Events read from the database (one
// poll per training, shared by its watchers: ./progress-poll.ts), so a training running in another
// process streams the same.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { pinRequestSchema, STUDIO_FAMILIES, STUDIO_KEY_HEADER, studioKeySchema, trainRequestSchema, VERSION_STATUSES } from '../../lib/ai/studio';
import { HttpError, issueLines, parseBody, readJson, sendJson } from '../http/json';
import { route, type Route, type RouteContext } from '../http/route';
import type { Studio } from './index';
import { progressPolls, type ProgressWatch } from './progress-poll';
import { collectionView, trainingView, versionView, type CollectionRow, type VersionRow } from './store';
import { readUpload } from './uploads';

const studioOf = (ctx: RouteContext): Studio => {
  if (!ctx.studio) throw new HttpError(503, 'the model studio is not available on this server');
  return ctx.studio;
};

function keyOf(req: IncomingMessage): string {
  const raw = req.headers[STUDIO_KEY_HEADER];
  if (typeof raw !== 'string')
    throw new HttpError(
      401,
      `send your studio key in the ${STUDIO_KEY_HEADER} header (a random url-safe string of 16-200 characters the browser keeps)`,
      'unauthorized',
    );
  const r = studioKeySchema.safeParse(raw.trim());
  if (!r.success) throw new HttpError(400, `bad ${STUDIO_KEY_HEADER}: ${issueLines(r.error).join('; ')}`, 'invalid_request', issueLines(r.error));
  return r.data;
}

/** A studio route's handler: it starts from the studio (503 on a server without one) and the path's parameters. */
type StudioHandler = (req: IncomingMessage, res: ServerResponse, studio: Studio, ...params: string[]) => Promise<void>;

const studioRoute = (method: Route['method'], path: string, summary: string, handler: StudioHandler): Route =>
  route(method, path, summary, (req, res, ctx, ...params) => handler(req, res, studioOf(ctx), ...params));

/** How a route finds the studio object its path's `<id>` names: its row, or null (404 "no <what> "<id>""). */
interface Lookup<R> {
  what: string;
  load(studio: Studio, id: string): Promise<R | null>;
}

const COLLECTION: Lookup<CollectionRow> = { what: 'upload collection', load: (studio, id) => studio.store.collection(id) };
const VERSION: Lookup<VersionRow> = { what: 'model version', load: (studio, id) => studio.store.version(id) };
/** A user version: a built-in is no training. */
const TRAINING: Lookup<VersionRow> = {
  what: 'training',
  load: async (studio, id) => {
    const row = await studio.store.version(id);
    return row && !row.builtIn ? row : null;
  },
};

/** A route on one studio object: its handler starts from the object's row. */
function rowRoute<R>(
  method: Route['method'],
  path: string,
  summary: string,
  lookup: Lookup<R>,
  handler: (req: IncomingMessage, res: ServerResponse, row: R, studio: Studio, id: string) => Promise<void>,
): Route {
  return studioRoute(method, path, summary, async (req, res, studio, id) => {
    const row = await lookup.load(studio, id);
    if (!row) throw new HttpError(404, `no ${lookup.what} "${id}"`);
    await handler(req, res, row, studio, id);
  });
}

const listQuery = z.object({ family: z.enum(STUDIO_FAMILIES).optional(), status: z.enum(VERSION_STATUSES).optional() }).strict();
const query = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').searchParams;

const collectionCreate = studioRoute(
  'POST',
  '/api/studio/collections',
  'studio key → 201 {collection, accepted, rejected}: MIDI files as multipart "files"; each file checked alone (400 with every reason when none is usable, 413 over the total cap)',
  async (req, res, studio) => {
    const key = keyOf(req);
    const { parts, fields } = await readUpload(req);
    const r = await studio.upload(parts, fields, key);
    if (!r.collection) {
      sendJson(res, 400, {
        error: `none of the ${parts.length} file(s) can be used`,
        code: 'no_valid_files',
        issues: r.rejected.map((x) => `${x.name}: ${x.reason}`),
        rejected: r.rejected,
      });
      return;
    }
    sendJson(res, 201, r);
  },
);

const collectionGet = rowRoute(
  'GET',
  '/api/studio/collections/<id>',
  'open → {collection}: an upload and its accepted files',
  COLLECTION,
  async (_req, res, row) => {
    sendJson(res, 200, { collection: collectionView(row) });
  },
);

const collectionDelete = studioRoute(
  'DELETE',
  '/api/studio/collections/<id>',
  "uploader's studio key → {deleted}: the collection and its files",
  async (req, res, studio, id) => {
    await studio.deleteCollection(id, keyOf(req));
    sendJson(res, 200, { deleted: true });
  },
);

const trainingCreate = studioRoute(
  'POST',
  '/api/studio/trainings',
  'studio key → 202 {training, version}: train a model family on the JSB train split or an upload (lib/ai/studio.ts trainRequestSchema)',
  async (req, res, studio) => {
    const key = keyOf(req);
    const body = parseBody(trainRequestSchema, await readJson(req));
    const r = await studio.createTraining(body, key);
    sendJson(res, 202, r, { location: `/api/studio/trainings/${r.training.id}` });
  },
);

const trainingsList = studioRoute('GET', '/api/studio/trainings', 'open → {trainings} newest first (?limit=N, at most 100)', async (req, res, studio) => {
  const limit = Math.min(100, Math.max(1, Number(query(req).get('limit') ?? 50) || 50));
  sendJson(res, 200, { trainings: (await studio.store.listTrainings(limit)).map(trainingView) });
});

const afterOf = (req: IncomingMessage): number => {
  const v = Number(query(req).get('after') ?? -1);
  return Number.isFinite(v) ? v : -1;
};

const trainingGet = rowRoute(
  'GET',
  '/api/studio/trainings/<id>',
  'open → {training, points}: status, step, ETA points of the curve (?after=STEP for the newer ones only)',
  TRAINING,
  async (req, res, row, studio, id) => {
    sendJson(res, 200, { training: trainingView(row), points: await studio.store.points(id, afterOf(req)) });
  },
);

const FINAL = new Set(['done', 'failed', 'cancelled']);

const trainingEvents = rowRoute(
  'GET',
  '/api/studio/trainings/<id>/events',
  'open → Server-Sent Events: snapshot {training, points}, then progress (a point), status {training}, end {training}',
  TRAINING,
  async (req, res, row, studio, id) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    let closed = false;
    let watch: ProgressWatch<VersionRow> | null = null;
    req.on('close', () => {
      closed = true;
      watch?.close();
    });
    watch = await progressPolls(studio.store).watch(id);
    try {
      // Deleted since it was loaded: the snapshot as loaded, then the end.
      let gone = !watch.row;
      let training = trainingView(watch.row ?? row);
      send('snapshot', { training, points: watch.points });
      const statusKey = (t: typeof training) => `${t.status}:${t.step}:${t.checkpointStep}:${t.error}`;
      let prevKey = statusKey(training);
      while (!gone && !closed && !FINAL.has(training.status)) {
        const tick = await watch.next();
        if (!tick || closed) break;
        if (!tick.row) {
          gone = true;
          break;
        }
        // New points, and the validation value of a point already sent.
        for (const p of tick.fresh) send('progress', p);
        training = trainingView(tick.row);
        if (statusKey(training) !== prevKey) {
          prevKey = statusKey(training);
          send('status', { training });
        }
      }
      if (!closed && gone) send('end', { training: { ...training, status: 'cancelled', error: 'the version was deleted' } });
      else if (!closed && FINAL.has(training.status)) send('end', { training });
    } finally {
      watch.close();
    }
    res.end();
  },
);

const trainingCancel = studioRoute(
  'POST',
  '/api/studio/trainings/<id>/cancel',
  "creator's studio key → {training}: cancelled, its training process stopped; resumable from its last checkpoint",
  async (req, res, studio, id) => {
    sendJson(res, 200, { training: await studio.cancel(id, keyOf(req)) });
  },
);

const trainingResume = studioRoute(
  'POST',
  '/api/studio/trainings/<id>/resume',
  "creator's studio key → 202 {training}: queued again, continues from its last checkpoint (409 when not resumable)",
  async (req, res, studio, id) => {
    sendJson(res, 202, { training: await studio.resume(id, keyOf(req)) });
  },
);

// Not a studioRoute: the query is checked before the studio is asked for (400 before 503).
const versionsListRoute = route(
  'GET',
  '/api/studio/versions',
  'open → {versions}: the model registry, built-ins first (?family=gan|arcnn|transformer&status=ready)',
  async (req, res, ctx) => {
    const q = Object.fromEntries(query(req).entries());
    const r = listQuery.safeParse(q);
    if (!r.success) throw new HttpError(400, `bad query: ${issueLines(r.error).join('; ')}`, 'invalid_request', issueLines(r.error));
    sendJson(res, 200, { versions: (await studioOf(ctx).store.listVersions(r.data)).map(versionView) });
  },
);

const versionGetRoute = rowRoute(
  'GET',
  '/api/studio/versions/<id>',
  'open → {version, card}: a model version and its model card (markdown)',
  VERSION,
  async (_req, res, row, studio) => {
    sendJson(res, 200, { version: versionView(row), card: await studio.card(row) });
  },
);

const versionDelete = studioRoute(
  'DELETE',
  '/api/studio/versions/<id>',
  "creator's studio key → {deleted}: the version and its weights on disk (built-ins: 403)",
  async (req, res, studio, id) => {
    await studio.deleteVersion(id, keyOf(req));
    sendJson(res, 200, { deleted: true });
  },
);

// The pins are the session's: its link is checked before the studio is asked for (401/403 before 503).
const pinsGet = route(
  'GET',
  '/api/sessions/<id>/model-pins',
  'any link → {pins}: the version each model family runs with in this session (null: built-in)',
  async (req, res, ctx, id) => {
    await ctx.access.require(req, id, 'view');
    sendJson(res, 200, { pins: await studioOf(ctx).store.pins(id) });
  },
);

const pinsPut = route(
  'PUT',
  '/api/sessions/<id>/model-pins',
  'edit → {pins}: pin a ready version for its family ({family, versionId}; null unpins)',
  async (req, res, ctx, id) => {
    await ctx.access.require(req, id, 'edit');
    const studio = studioOf(ctx);
    const b = parseBody(pinRequestSchema, await readJson(req));
    if (b.versionId !== null) {
      const row = await studio.store.version(b.versionId);
      if (!row) throw new HttpError(400, `no model version "${b.versionId}"`, 'invalid_request', ['versionId: no such version']);
      if (row.family !== b.family)
        throw new HttpError(400, `version "${b.versionId}" is a ${row.family} version, not ${b.family}`, 'invalid_request', ['versionId: another family']);
      if (row.status !== 'ready')
        throw new HttpError(400, `version "${b.versionId}" is not ready (${row.status})`, 'invalid_request', ['versionId: not ready']);
    }
    await studio.store.pin(id, b.family, b.versionId === null || b.versionId.startsWith('builtin-') ? null : b.versionId);
    sendJson(res, 200, { pins: await studio.store.pins(id) });
  },
);

export const STUDIO_ROUTES: Route[] = [
  collectionCreate,
  collectionGet,
  collectionDelete,
  trainingCreate,
  trainingsList,
  trainingGet,
  trainingEvents,
  trainingCancel,
  trainingResume,
  versionsListRoute,
  versionGetRoute,
  versionDelete,
  pinsGet,
  pinsPut,
];
