// The versions API as the editor calls it (server/http/routes/version*.ts), with the page's link token.
import type { Score } from '@/lib/score';
import { scoreFromState, type RestoreRange } from '@/lib/score/versions';
import type { Editor } from '../editor';

export interface VersionInfo {
  id: string;
  kind: 'auto' | 'named';
  name: string | null;
  createdAt: string;
  authors: string[];
  noteCount: number;
  bytes: number;
}

export interface ForkOrigin {
  sessionId: string;
  title: string | null;
  versionId: string | null;
  versionLabel: string | null;
}

export interface CreatedFork {
  id: string;
  title: string;
  editUrl: string;
  ownerToken: string;
}

async function call<T>(ed: Editor, path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/sessions/${encodeURIComponent(ed.sessionId)}${path}`, {
      ...init,
      cache: 'no-store',
      headers: { ...ed.authHeaders(), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
  } catch {
    throw new Error('the server is unreachable');
  }
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `the server answered ${res.status}`);
  return body;
}

export const listVersions = (ed: Editor) => call<{ versions: VersionInfo[]; forkedFrom: ForkOrigin | null; unsaved: boolean }>(ed, '/versions');

export const saveVersion = (ed: Editor, name: string, author?: string) =>
  call<{ version: VersionInfo }>(ed, '/versions', { method: 'POST', body: JSON.stringify({ name, ...(author ? { author } : {}) }) });

/**
 * A version's score. The browser fetches the stored bytes and decodes them itself (the server only
 * reads them from the database); the JSON form is the fallback where DecompressionStream is missing.
 */
export async function fetchVersion(ed: Editor, versionId: string): Promise<{ version: VersionInfo; score: Score }> {
  const path = `/versions/${encodeURIComponent(versionId)}`;
  if (typeof DecompressionStream === 'undefined') return call(ed, path);
  let res: Response;
  try {
    res = await fetch(`/api/sessions/${encodeURIComponent(ed.sessionId)}${path}?format=yjs`, { cache: 'no-store', headers: ed.authHeaders() });
  } catch {
    throw new Error('the server is unreachable');
  }
  if (!res.ok || !res.body) throw new Error(((await res.json().catch(() => ({}))) as { error?: string }).error ?? `the server answered ${res.status}`);
  const version = JSON.parse(decodeURIComponent(res.headers.get('x-tutti-version') ?? '%7B%7D')) as VersionInfo;
  const raw = new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('deflate-raw'))).arrayBuffer());
  return { version, score: scoreFromState(raw) };
}

/** Server-side restore (one server transaction; not undoable by this page). The panel restores locally instead. */
export const restoreOnServer = (ed: Editor, versionId: string, range?: RestoreRange) =>
  call<{ changed: number }>(ed, `/versions/${encodeURIComponent(versionId)}/restore`, { method: 'POST', body: JSON.stringify(range ?? {}) });

export const forkSession = (ed: Editor, versionId?: string) => call<CreatedFork>(ed, '/fork', { method: 'POST', body: JSON.stringify(versionId ? { versionId } : {}) });

/** "Verse idea" or "Auto · 14:32". */
export function versionLabel(v: Pick<VersionInfo, 'name' | 'createdAt' | 'kind'>): string {
  const when = new Date(v.createdAt).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return v.name ?? `${v.kind === 'auto' ? 'Checkpoint' : 'Version'} · ${when}`;
}
