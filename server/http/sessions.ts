// POST /api/sessions → 201 {id, url}; GET /api/sessions/<id> → session info or 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { createSession, describeSession } from '../sessions';
import type { RouteContext } from './router';
import { HttpError, readJson, sendJson } from './json';

const createBody = z.object({ title: z.string().trim().min(1).max(200).optional() }).strict().optional();

export async function postSession(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> {
  const parsed = createBody.safeParse(await readJson(req));
  if (!parsed.success) throw new HttpError(400, `invalid body: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  const s = await createSession(ctx.rooms.store, parsed.data?.title);
  sendJson(res, 201, { id: s.id, url: `/s/${s.id}` });
}

export async function getSession(_req: IncomingMessage, res: ServerResponse, ctx: RouteContext, id: string): Promise<void> {
  const info = await describeSession(ctx.rooms.store, ctx.rooms, id);
  if (!info) throw new HttpError(404, `unknown session ${id}`);
  sendJson(res, 200, info);
}
