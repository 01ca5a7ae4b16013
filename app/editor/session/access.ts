// What this browser may do in a session, and the tokens that prove it (README "Sharing").
// A link is /s/<id>#token=<token>: the token sits in the fragment, which browsers never send to
// a server (no access logs, no Referer), and the page hands it to the websocket (`token` URL
// parameter) and the API (Authorization: Bearer). The creator's owner token lives in this
// browser's localStorage only. The server decides the role; this module asks it and remembers the
// answer for offline starts (the server drops a viewer's writes whatever the page believes).
export type Role = 'owner' | 'edit' | 'view';

export interface Access {
  /** What the websocket and API calls present (null: a session from before share links). */
  token: string | null;
  /** The role of `token`. */
  role: Role;
  /** The owner token, when this browser created the session (rotate links, delete). */
  ownerToken: string | null;
  editUrl?: string;
  viewUrl?: string;
  /** The server refused the token (wrong, rotated) or the session (unknown, deleted). */
  refused?: string;
}

const ownerKey = (id: string) => `tutti:owner:${id}`;
const linkKey = (id: string) => `tutti:link:${id}`;
const roleKey = (id: string) => `tutti:role:${id}`;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const store = {
  get(key: string): string | null {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key: string, value: string | null): void {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch {
      /* private mode: the page still works, it just forgets */
    }
  },
};

/** The token in this page's fragment (#token=…), if any. */
export function tokenFromLocation(loc: Location = window.location): string | null {
  const t = new URLSearchParams(loc.hash.replace(/^#/, '')).get('token');
  return t && TOKEN.test(t) ? t : null;
}

/** Called by the landing page right after creating a session. */
export function rememberOwnerToken(sessionId: string, ownerToken: string): void {
  store.set(ownerKey(sessionId), ownerToken);
}

export function forgetSession(sessionId: string): void {
  for (const k of [ownerKey(sessionId), linkKey(sessionId), roleKey(sessionId)]) store.set(k, null);
}

export const bearer = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

interface LinksReply {
  role: Role;
  legacy: boolean;
  editUrl?: string;
  viewUrl?: string;
  error?: string;
}

async function getLinks(sessionId: string, token: string | null): Promise<{ status: number; body: LinksReply }> {
  const res = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/links`, { headers: bearer(token), cache: 'no-store' });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as LinksReply };
}

/**
 * The access of this page. This browser's owner token first (the owner connects as the owner, so
 * rotating the edit link never cuts off the owner's own page), else the fragment's token, else the
 * link this browser last used here. Offline: the last role the server gave (the editor still opens
 * from IndexedDB).
 */
export async function resolveAccess(sessionId: string): Promise<Access> {
  const ownerToken = store.get(ownerKey(sessionId));
  const linkToken = tokenFromLocation() ?? store.get(linkKey(sessionId));
  try {
    if (ownerToken) {
      const mine = await getLinks(sessionId, ownerToken);
      if (mine.status === 200 && mine.body.role === 'owner') {
        store.set(roleKey(sessionId), 'owner');
        return { token: ownerToken, role: 'owner', ownerToken, editUrl: mine.body.editUrl, viewUrl: mine.body.viewUrl };
      }
      if (mine.status === 404) forgetSession(sessionId);
    }
    const reply = await getLinks(sessionId, linkToken);
    if (reply.status === 401 || reply.status === 404) return { token: linkToken, role: 'view', ownerToken: null, refused: reply.body.error ?? `the server answered ${reply.status}` };
    if (reply.status === 200) {
      if (linkToken && !reply.body.legacy) store.set(linkKey(sessionId), linkToken);
      store.set(roleKey(sessionId), reply.body.role);
      return { token: linkToken, role: reply.body.role, ownerToken: null, editUrl: reply.body.editUrl, viewUrl: reply.body.viewUrl };
    }
  } catch {
    /* offline: below */
  }
  const known = store.get(roleKey(sessionId)) as Role | null;
  const token = known === 'owner' && ownerToken ? ownerToken : linkToken;
  return { token, role: known ?? 'edit', ownerToken: known === 'owner' ? ownerToken : null };
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new Error('the server is unreachable');
  }
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `the server answered ${res.status}`);
  return body;
}

/** Replaces the edit or view link; everyone connected with the old one is disconnected. */
export async function rotateLink(sessionId: string, ownerToken: string, role: 'edit' | 'view'): Promise<{ token: string; url: string }> {
  return call(`/api/sessions/${encodeURIComponent(sessionId)}/links/${role}/rotate`, { method: 'POST', headers: bearer(ownerToken) });
}

export async function deleteSession(sessionId: string, ownerToken: string): Promise<void> {
  const res = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}`, { method: 'DELETE', headers: bearer(ownerToken) }).catch(() => null);
  if (!res) throw new Error('the server is unreachable');
  if (res.status !== 204) throw new Error(((await res.json().catch(() => ({}))) as { error?: string }).error ?? `the server answered ${res.status}`);
  forgetSession(sessionId);
}
