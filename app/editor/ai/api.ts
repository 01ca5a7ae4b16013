// The AI panel's calls to the server (server/jobs/routes.ts). Errors come back as the server's own
// message and issues, so the panel can show exactly why a request was refused (a 4xx leaves no
// trace in anyone's job list: the server validates the whole request before queueing).
import type { AiRequestBody } from '@/lib/ai/contract';

export class JobApiError extends Error {
  constructor(
    message: string,
    readonly status = 0,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
  }
}

async function call(url: string, init: RequestInit, auth: Record<string, string>): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...auth } });
  } catch {
    throw new JobApiError('the server is unreachable; try again when you are back online');
  }
  const body = (await res.json().catch(() => ({}))) as { error?: string; issues?: string[] };
  if (!res.ok) throw new JobApiError(body.error ?? `request failed (${res.status})`, res.status, Array.isArray(body.issues) ? body.issues : []);
  return body;
}

const base = (sessionId: string) => `/api/sessions/${encodeURIComponent(sessionId)}`;

/** One AI request (1–4 candidates, or compare models). `auth`: link token + participant token. */
export async function requestAi(sessionId: string, body: AiRequestBody, auth: Record<string, string>): Promise<{ requestId: string; jobIds: string[] }> {
  return (await call(`${base(sessionId)}/ai`, { method: 'POST', body: JSON.stringify(body) }, auth)) as { requestId: string; jobIds: string[] };
}

export async function cancelJob(sessionId: string, jobId: string, auth: Record<string, string>): Promise<void> {
  await call(`${base(sessionId)}/jobs/${encodeURIComponent(jobId)}`, { method: 'DELETE' }, auth);
}

/** Cancels every job of a request that has not finished (anyone in the session may). */
export async function cancelRequest(sessionId: string, requestId: string, auth: Record<string, string>): Promise<void> {
  await call(`${base(sessionId)}/ai/${encodeURIComponent(requestId)}/cancel`, { method: 'POST' }, auth);
}
