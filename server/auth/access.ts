// Who may do what in a session, decided from the capability token a request carries:
//   owner  everything an editor may, plus rotate links and delete the session;
//   edit   draw, ask the AI, accept suggestions;
//   view   see and hear live, export; no writes.
// Sessions created before share links existed have no token hashes: anyone with the id edits
// (their old /s/<id> links keep working). The database holds only hashes of tokens, the rotation
// counters, and the view token sealed under the edit token (see tokens.ts).
import type { IncomingMessage } from 'node:http';
import type { PrismaClient } from '../db/generated/client';
import { HttpError } from '../http/json';
import { bearerToken, deriveLinkToken, hashToken, newToken, seal, tokenMatches, unseal, type LinkRole, type Role } from './tokens';

export type { LinkRole, Role } from './tokens';

export interface LinkTokens {
  ownerToken: string;
  editToken: string;
  viewToken: string;
}

/** The columns a new session is created with. */
export interface LinkColumns {
  ownerTokenHash: string;
  editTokenHash: string;
  viewTokenHash: string;
  viewTokenSealed: string;
}

export type Access =
  | { kind: 'granted'; role: Role; /** a session from before share links (no token needed) */ legacy: boolean }
  | { kind: 'unknown' }
  | { kind: 'denied'; reason: string };

const RANK: Record<Role, number> = { view: 0, edit: 1, owner: 2 };
/** Whether `role` may do what `need` may. */
export const allows = (role: Role, need: Role): boolean => RANK[role] >= RANK[need];

/** Fresh tokens for a new session, and what to store for them. */
export function mintLinks(sessionId: string): { tokens: LinkTokens; columns: LinkColumns } {
  const ownerToken = newToken();
  const editToken = deriveLinkToken(ownerToken, sessionId, 'edit', 0);
  const viewToken = deriveLinkToken(ownerToken, sessionId, 'view', 0);
  return {
    tokens: { ownerToken, editToken, viewToken },
    columns: { ownerTokenHash: hashToken(ownerToken), editTokenHash: hashToken(editToken), viewTokenHash: hashToken(viewToken), viewTokenSealed: seal(editToken, viewToken) },
  };
}

/** The browser address of a link: the token rides in the fragment, so it never reaches server logs or a Referer. */
export const linkUrl = (origin: string, sessionId: string, token: string | null): string => `${origin}/s/${sessionId}${token ? `#token=${token}` : ''}`;

const SELECT = { ownerTokenHash: true, editTokenHash: true, viewTokenHash: true, editLinkGen: true, viewLinkGen: true, viewTokenSealed: true } as const;

type LinkRow = { ownerTokenHash: string | null; editTokenHash: string | null; viewTokenHash: string | null; editLinkGen: number; viewLinkGen: number; viewTokenSealed: string | null };

/** Sessions whose link hashes are kept in memory (a reconnect storm would otherwise be one query per socket). */
const CACHE_MAX = 10_000;

export class SessionAccess {
  private readonly cache = new Map<string, { row: LinkRow; until: number }>();
  /** Bumped by forget: a read that started before a rotation must not cache what it read. */
  private epoch = 0;

  /**
   * `cacheMs`: how long a session's hashes are reused for token checks. Rotation and deletion
   * drop the entry at once (forget), here and, through the scale-out relay, on every instance;
   * the time limit only bounds staleness if such a message were lost.
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly cacheMs = 10_000,
  ) {}

  /** Drops what is cached about a session (its links changed or it is gone). */
  forget(sessionId: string): void {
    this.epoch++;
    this.cache.delete(sessionId);
  }

  private async linkRow(sessionId: string): Promise<LinkRow | null> {
    const hit = this.cache.get(sessionId);
    if (hit && hit.until > Date.now()) return hit.row;
    const epoch = this.epoch;
    const row = await this.prisma.session.findUnique({ where: { id: sessionId }, select: SELECT });
    if (!row) {
      this.cache.delete(sessionId); // never cache "unknown": the session may be created on another instance
      return null;
    }
    if (epoch !== this.epoch) return row; // links changed meanwhile: use it once, do not keep it
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(sessionId, { row, until: Date.now() + this.cacheMs });
    return row;
  }

  /** What `token` (undefined = none presented) grants in the session. */
  async check(sessionId: string, token: string | undefined): Promise<Access> {
    const row = await this.linkRow(sessionId);
    if (!row) return { kind: 'unknown' };
    if (!row.ownerTokenHash && !row.editTokenHash && !row.viewTokenHash) return { kind: 'granted', role: 'edit', legacy: true };
    if (!token) return { kind: 'denied', reason: 'this session needs a link token (the edit or view link)' };
    if (tokenMatches(token, row.ownerTokenHash)) return { kind: 'granted', role: 'owner', legacy: false };
    if (tokenMatches(token, row.editTokenHash)) return { kind: 'granted', role: 'edit', legacy: false };
    if (tokenMatches(token, row.viewTokenHash)) return { kind: 'granted', role: 'view', legacy: false };
    return { kind: 'denied', reason: 'the link token is wrong or the link was rotated by the owner' };
  }

  /** The tokens `token`'s holder may hand out: the owner both, an editor both, a viewer the view link. */
  async links(sessionId: string, token: string, role: Role): Promise<Partial<Pick<LinkTokens, 'editToken' | 'viewToken'>>> {
    const row = await this.prisma.session.findUnique({ where: { id: sessionId }, select: SELECT });
    if (!row || !row.ownerTokenHash) return {};
    if (role === 'owner') return { editToken: deriveLinkToken(token, sessionId, 'edit', row.editLinkGen), viewToken: deriveLinkToken(token, sessionId, 'view', row.viewLinkGen) };
    if (role === 'edit') {
      const viewToken = row.viewTokenSealed ? unseal(token, row.viewTokenSealed) : null;
      return { editToken: token, ...(viewToken ? { viewToken } : {}) };
    }
    return { viewToken: token };
  }

  /**
   * Replaces the edit or view token (the owner's token is needed to derive the next one); the old
   * one stops working at once. Returns the new token. The caller closes live connections holding
   * the old one.
   */
  async rotate(sessionId: string, ownerToken: string, role: LinkRole): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const row = await this.prisma.session.findUnique({ where: { id: sessionId }, select: SELECT });
      if (!row || !tokenMatches(ownerToken, row.ownerTokenHash)) throw new HttpError(403, 'only the session owner can rotate links');
      const editLinkGen = row.editLinkGen + (role === 'edit' ? 1 : 0);
      const viewLinkGen = row.viewLinkGen + (role === 'view' ? 1 : 0);
      const editToken = deriveLinkToken(ownerToken, sessionId, 'edit', editLinkGen);
      const viewToken = deriveLinkToken(ownerToken, sessionId, 'view', viewLinkGen);
      // Compare-and-set on the counters: two rotations at once must not both think they won.
      const { count } = await this.prisma.session.updateMany({
        where: { id: sessionId, editLinkGen: row.editLinkGen, viewLinkGen: row.viewLinkGen },
        data: { editLinkGen, viewLinkGen, editTokenHash: hashToken(editToken), viewTokenHash: hashToken(viewToken), viewTokenSealed: seal(editToken, viewToken) },
      });
      if (count === 1) {
        this.forget(sessionId);
        return role === 'edit' ? editToken : viewToken;
      }
    }
    throw new HttpError(409, 'the links changed meanwhile; try again');
  }

  /** Deletes the session with its document, updates and jobs (cascade). False when it did not exist. */
  async delete(sessionId: string): Promise<boolean> {
    const { count } = await this.prisma.session.deleteMany({ where: { id: sessionId } });
    this.forget(sessionId);
    return count > 0;
  }

  /**
   * For HTTP routes: the role of the request's bearer token, at least `need`. 404 unknown session,
   * 401 missing or wrong token, 403 a valid token that may not do this.
   */
  async require(req: IncomingMessage, sessionId: string, need: Role): Promise<{ role: Role; token: string | undefined; legacy: boolean }> {
    const token = bearerToken(req.headers.authorization);
    const a = await this.check(sessionId, token);
    if (a.kind === 'unknown') throw new HttpError(404, `unknown session ${sessionId}`);
    if (a.kind === 'denied') throw new HttpError(401, `${a.reason}; send it as Authorization: Bearer <token>`);
    if (!allows(a.role, need)) throw new HttpError(403, need === 'owner' ? 'only the session owner can do this' : 'this is a view-only link: it cannot change the session');
    return { role: a.role, token, legacy: a.legacy };
  }
}
