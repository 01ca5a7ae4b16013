// The AI routes (issue 13). Their handlers live with the job service (server/jobs/routes.ts, which
// also checks the link token and the participant); the table lists each here so the README and
// the router know every path, and hands the request to that one handler.
import { HttpError } from '../json';
import type { Handler, Route } from '../route';

const toJobs: Handler = async (req, res, ctx) => {
  if (!ctx.jobs) throw new HttpError(503, 'AI jobs are not available on this server');
  // The jobs handler is stricter about ids than the table (1-64 of A-Z a-z 0-9 _ -).
  if (!(await ctx.jobs.handle(req, res))) throw new HttpError(404, 'no such session or job');
};

const ai = (method: Route['method'], path: string, summary: string): Route => ({ method, path, summary, handler: toJobs });

export const AI_JOB_ROUTES: Route[] = [
  ai('POST', '/api/sessions/<id>/ai', 'edit → 202 {requestId, jobIds}: 1-4 candidates of one model, or one per model ("compare"); the whole request is checked by the AI contract first'),
  ai('POST', '/api/sessions/<id>/ai/<requestId>/cancel', 'edit → 200 {cancelled}: every candidate of the request still waiting or running'),
  ai('POST', '/api/sessions/<id>/jobs', 'edit → 202 {jobId}: the older single-job body, read through the same contract'),
  ai('GET', '/api/sessions/<id>/jobs', 'any link → {jobs} newest first (?limit=N, at most 200)'),
  ai('GET', '/api/sessions/<id>/jobs/<jobId>', 'any link → status (queued|running|done|failed|cancelled), progress, timings, error'),
  ai('DELETE', '/api/sessions/<id>/jobs/<jobId>', 'edit → 200 the job after cancelling it'),
  ai('POST', '/api/sessions/<id>/jobs/<jobId>/cancel', 'edit → 200 the job after cancelling it (as DELETE)'),
];
