// Calls of the "how it works" views: POST /api/models/<model>/explain (server/http/models-explain.ts)
// and the track list of a session a visitor pastes a link of.
import type { ArcnnExplain, ExplainModel, ExplainRequest, ExplainResponse, ExplainSource, GanExplain, TransformerExplain } from '@/lib/ai/explain';

export interface SessionRef {
  sessionId: string;
  token: string | null;
}

type ByModel = { arcnn: ArcnnExplain; gan: GanExplain; transformer: TransformerExplain };

const bearer = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

async function errorOf(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: string } | null;
  return body?.error ?? `HTTP ${res.status}`;
}

export async function explain<M extends ExplainModel>(model: M, source: ExplainSource, token: string | null, extra: Omit<ExplainRequest, 'source'> = {}, signal?: AbortSignal): Promise<ByModel[M]> {
  const res = await fetch(`/api/models/${model}/explain`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify({ source, ...extra }),
    signal,
  });
  if (!res.ok) throw new Error(await errorOf(res));
  return (await res.json()) as ExplainResponse as ByModel[M];
}

export interface SessionTracks {
  title: string;
  tracks: { id: string; name: string; role: string; instrument: string; notes: number }[];
}

export async function sessionTracks(ref: SessionRef): Promise<SessionTracks> {
  const res = await fetch(`/api/models/explain/sessions/${encodeURIComponent(ref.sessionId)}/tracks`, { headers: bearer(ref.token), cache: 'no-store' });
  if (!res.ok) throw new Error(await errorOf(res));
  return (await res.json()) as SessionTracks;
}

/** A session link as the share menu gives it (…/s/<id>#token=<token>), or a bare session id. */
export function parseSessionLink(text: string): SessionRef | null {
  const s = text.trim();
  const m = /(?:^|\/s\/)([A-Za-z0-9_-]{1,64})(?:[/?#]|$)/.exec(s);
  if (!m) return null;
  const hash = s.includes('#') ? s.slice(s.indexOf('#') + 1) : '';
  const token = new URLSearchParams(hash).get('token');
  return { sessionId: m[1]!, token: token && /^[A-Za-z0-9_-]{43}$/.test(token) ? token : null };
}
