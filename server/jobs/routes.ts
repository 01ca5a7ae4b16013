// HTTP face of the job service, framework-free so the server's router mounts it with one call:
//   POST   /api/sessions/<id>/ai                   -> 202 {requestId, jobIds} (issue 13: the whole
//                                                     request checked by the AI contract first)
//   POST   /api/sessions/<id>/ai/<requestId>/cancel -> 200 {cancelled: [jobId…]} every candidate still waiting/running
//   POST   /api/sessions/<id>/jobs                 -> 202 {jobId}
//   GET    /api/sessions/<id>/jobs                 -> 200 {jobs: [...]} newest first (?limit=N, ≤ 200)
//   GET    /api/sessions/<id>/jobs/<jobId>         -> 200 status, progress, timings, error, result ids
//   DELETE /api/sessions/<id>/jobs/<jobId>         -> 200 the job after cancelling (also POST .../cancel)
// Every refusal is JSON {error, code, issues} (server/http/json.ts) with a 4xx status; the server keeps running.
// Access: the link token as Authorization: Bearer (reading needs any link; asking and cancelling
// need an edit link: a viewer gets 403). Identity: the participant token the server issued
// (POST /api/sessions/<id>/participants) as X-Tutti-Participant; the requester and the rate limit
// key on the id derived from it, never on an id the body claims. (A result is a suggestion in the
// document: accepting and undoing it happen there, lib/score/suggestions.ts; no route undoes it.)
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../http/json';
import { participantIdOf } from '../auth/tokens';
import type { JobsApi } from './api';
import { JobRequestError } from './schema';
import { jobView } from './store';

/** Checks the request's link token for the session (SessionAccess.require); throws HttpError 401/403/404. */
export interface JobAccess {
  require(req: IncomingMessage, sessionId: string, need: 'view' | 'edit'): Promise<unknown>;
}

export const PARTICIPANT_HEADER = 'x-tutti-participant';

/** The verified participant id of the request, null without the header; a malformed token is refused. */
function participantOf(req: IncomingMessage, sessionId: string): string | null {
  const raw = req.headers[PARTICIPANT_HEADER];
  if (raw === undefined) return null;
  const id = typeof raw === 'string' ? participantIdOf(sessionId, raw.trim()) : null;
  if (!id) throw new JobRequestError(`${PARTICIPANT_HEADER} is not a participant token issued by this server`, 400, [], 'bad_participant');
  return id;
}

const ROUTE = /^\/api\/sessions\/([A-Za-z0-9_-]{1,64})\/jobs(?:\/([A-Za-z0-9_-]{1,64})(?:\/(cancel))?)?\/?$/;
const AI_ROUTE = /^\/api\/sessions\/([A-Za-z0-9_-]{1,64})\/ai(?:\/([A-Za-z0-9_-]{1,64})\/(cancel))?\/?$/;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new JobRequestError(`request body over ${maxBytes} bytes`, 413, [], 'too_large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new JobRequestError(`request body over ${maxBytes} bytes`, 413, [], 'too_large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new JobRequestError('request body is not valid JSON', 400, [], 'bad_json');
  }
}

/** Handles the request if it is a jobs route and returns true; otherwise returns false untouched. */
export async function handleJobsRoute(req: IncomingMessage, res: ServerResponse, service: JobsApi, maxBodyBytes = 16 * 1024, access?: JobAccess): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const ai = AI_ROUTE.exec(url.pathname);
  if (ai) {
    await handleAi(req, res, service, maxBodyBytes, access, ai[1]!, ai[2]);
    return true;
  }
  const m = ROUTE.exec(url.pathname);
  if (!m) return false;
  const [, sessionId, jobId, action] = m as unknown as [string, string, string | undefined, string | undefined];
  const method = req.method ?? 'GET';
  try {
    await access?.require(req, sessionId, method === 'GET' || method === 'HEAD' ? 'view' : 'edit');
    if (!jobId && method === 'POST') {
      const participantId = participantOf(req, sessionId);
      const body = await readJson(req, maxBodyBytes);
      const { jobId: id, requestId } = await service.submit(sessionId, body, { address: req.socket.remoteAddress ?? 'unknown', participantId });
      send(res, 202, { jobId: id, requestId, url: `/api/sessions/${sessionId}/jobs/${id}` }, { location: `/api/sessions/${sessionId}/jobs/${id}` });
    } else if (!jobId && method === 'GET') {
      const limit = Number(url.searchParams.get('limit') ?? 50) || 50;
      send(res, 200, { jobs: (await service.list(sessionId, limit)).map(jobView) });
    } else if (jobId && !action && method === 'GET') {
      const rec = await service.get(sessionId, jobId);
      if (!rec) send(res, 404, { error: `no job "${jobId}" in this session`, code: 'not_found', issues: [] });
      else send(res, 200, jobView(rec));
    } else if (jobId && ((!action && method === 'DELETE') || (action === 'cancel' && method === 'POST'))) {
      send(res, 200, jobView(await service.cancel(sessionId, jobId)));
    } else {
      send(res, 405, { error: `${method} is not supported on ${url.pathname}`, code: 'method_not_allowed', issues: [] });
    }
  } catch (e) {
    sendError(res, e);
  }
  return true;
}

async function handleAi(req: IncomingMessage, res: ServerResponse, service: JobsApi, maxBodyBytes: number, access: JobAccess | undefined, sessionId: string, requestId: string | undefined): Promise<void> {
  const method = req.method ?? 'GET';
  try {
    await access?.require(req, sessionId, 'edit');
    if (method !== 'POST') return send(res, 405, { error: `${method} is not supported here`, code: 'method_not_allowed', issues: [] });
    if (requestId) return send(res, 200, await service.cancelRequest(sessionId, requestId));
    const participantId = participantOf(req, sessionId);
    const body = await readJson(req, maxBodyBytes);
    const r = await service.submitAi(sessionId, body, { address: req.socket.remoteAddress ?? 'unknown', participantId });
    send(res, 202, r);
  } catch (e) {
    sendError(res, e);
  }
}

function sendError(res: ServerResponse, e: unknown): void {
  {
    if (e instanceof HttpError) {
      send(res, e.status, { error: e.message, code: e.code, issues: e.issues });
    } else if (e instanceof JobRequestError) {
      const retry = (e as { retryAfterMs?: number }).retryAfterMs;
      send(res, e.status, { error: e.message, code: e.code, issues: [...e.issues] }, retry ? { 'retry-after': String(Math.ceil(retry / 1000)) } : {});
    } else {
      send(res, 500, { error: `internal error: ${(e as Error).message}`, code: 'internal', issues: [] });
    }
  }
}
