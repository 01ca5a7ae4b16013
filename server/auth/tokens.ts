// The secrets behind share links and participant identity, and nothing else: minting, hashing,
// constant-time comparison, and the derivations. Every token is 256 random (or HMAC) bits in
// base64url, so a plain SHA-256 is a safe thing to store: there is nothing to brute-force.
//   owner token   random; kept in the creator's browser; its hash is stored.
//   edit / view   HMAC(owner token, role + rotation counter): the owner can always recompute the
//                 current links (on any device), the server only stores their hashes.
//   participant   random, issued by the server; the public participant id is a hash of it, so a
//                 copied id proves nothing, and the server needs no table to verify one.
import crypto from 'node:crypto';

export type LinkRole = 'edit' | 'view';
export type Role = 'owner' | LinkRole;

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const b64url = (b: Buffer): string => b.toString('base64url');

export const newToken = (): string => b64url(crypto.randomBytes(32));

export const hashToken = (token: string): string => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

/** Whether `token` hashes to `hash`, in time independent of where they differ. */
export function tokenMatches(token: string, hash: string | null | undefined): boolean {
  if (!hash || !TOKEN_PATTERN.test(token)) return false;
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(hash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** The edit or view token of a session at a rotation counter, derived from its owner token. */
export function deriveLinkToken(ownerToken: string, sessionId: string, role: LinkRole, gen: number): string {
  return b64url(crypto.createHmac('sha256', ownerToken).update(`tutti-link:${role}:${sessionId}:${gen}`).digest());
}

const sealKey = (token: string): Buffer => crypto.createHash('sha256').update(`tutti-seal:${token}`).digest();

/** Encrypts `secret` so only a holder of `keyToken` can read it back (AES-256-GCM). */
export function seal(keyToken: string, secret: string): string {
  const iv = crypto.randomBytes(12);
  const c = crypto.createCipheriv('aes-256-gcm', sealKey(keyToken), iv);
  const body = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
  return b64url(Buffer.concat([iv, body, c.getAuthTag()]));
}

/** The sealed secret, or null when `keyToken` is not the one it was sealed with (or it is damaged). */
export function unseal(keyToken: string, sealed: string): string | null {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 12 + 16) return null;
    const d = crypto.createDecipheriv('aes-256-gcm', sealKey(keyToken), raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** The public id of a participant token in a session (what job records show as the requester). */
export function participantIdOf(sessionId: string, participantToken: string): string | null {
  if (!TOKEN_PATTERN.test(participantToken)) return null;
  return b64url(crypto.createHash('sha256').update(`tutti-participant:${sessionId}:${participantToken}`).digest()).slice(0, 22);
}

/** Reads `Authorization: Bearer <token>`; undefined when absent or another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
