// The AI panel's calls to the job API (server/jobs/routes.ts). Errors come back as the server's
// own message so the panel can show exactly why a request was refused.
export interface JobBody {
  model: 'gan' | 'arcnn' | 'transformer';
  task: string;
  sourceTrackId: string;
  targetTrackIds?: string[];
  bars?: [number, number];
  params?: Record<string, number | boolean | string>;
  seed?: number;
  /** Shown to everyone; who asked is the participant token in the headers, not anything here. */
  requester: { name: string };
}

export class JobApiError extends Error {}

async function call(url: string, init: RequestInit, auth: Record<string, string>): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...auth } });
  } catch {
    throw new JobApiError('the server is unreachable; try again when you are back online');
  }
  const body = (await res.json().catch(() => ({}))) as { error?: string; issues?: string[] };
  if (!res.ok) throw new JobApiError(body.error ?? `request failed (${res.status})`);
  return body;
}

/** `auth`: the link token (Authorization) and the participant token (X-Tutti-Participant). */
export async function requestJob(sessionId: string, body: JobBody, auth: Record<string, string>): Promise<string> {
  const r = (await call(`/api/sessions/${encodeURIComponent(sessionId)}/jobs`, { method: 'POST', body: JSON.stringify(body) }, auth)) as { jobId: string };
  return r.jobId;
}

export async function cancelJob(sessionId: string, jobId: string, auth: Record<string, string>): Promise<void> {
  await call(`/api/sessions/${encodeURIComponent(sessionId)}/jobs/${encodeURIComponent(jobId)}`, { method: 'DELETE' }, auth);
}
