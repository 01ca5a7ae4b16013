// The pure parts of share links (server/auth/tokens.ts, server/http/edge.ts): hashing and constant-
// time matching, derivation per rotation, sealing, participant ids, the Origin rule and the CSP.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bearerToken, deriveLinkToken, hashToken, newToken, participantIdOf, seal, tokenMatches, unseal } from '@/server/auth/tokens';
import { allows, mintLinks } from '@/server/auth/access';
import { crossOriginWrite, originAllowed, pageCsp, publicOrigin } from '@/server/http/edge';

const req = (headers: Record<string, string>, method = 'POST') => ({ headers, method }) as unknown as IncomingMessage;

describe('share-link tokens', () => {
  it('mints 256-bit tokens and stores only their hashes', () => {
    const { tokens, columns } = mintLinks('session123');
    for (const t of Object.values(tokens)) expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(columns.editTokenHash).toBe(hashToken(tokens.editToken));
    expect(JSON.stringify(columns)).not.toContain(tokens.ownerToken);
    expect(JSON.stringify(columns)).not.toContain(tokens.editToken);
    expect(JSON.stringify(columns)).not.toContain(tokens.viewToken);
    expect(unseal(tokens.editToken, columns.viewTokenSealed)).toBe(tokens.viewToken); // an editor can hand out the view link
    expect(unseal(tokens.viewToken, columns.viewTokenSealed)).toBeNull(); // a viewer cannot learn anything from it
  });

  it('matches a token only against its own hash, and nothing malformed', () => {
    const t = newToken();
    expect(tokenMatches(t, hashToken(t))).toBe(true);
    expect(tokenMatches(newToken(), hashToken(t))).toBe(false);
    expect(tokenMatches(t, null)).toBe(false);
    expect(tokenMatches(`${t}x`, hashToken(`${t}x`))).toBe(false);
  });

  it('derives a new edit or view token per rotation, and the owner can always recompute it', () => {
    const owner = newToken();
    const e0 = deriveLinkToken(owner, 's', 'edit', 0);
    expect(deriveLinkToken(owner, 's', 'edit', 0)).toBe(e0);
    expect(deriveLinkToken(owner, 's', 'edit', 1)).not.toBe(e0);
    expect(deriveLinkToken(owner, 's', 'view', 0)).not.toBe(e0);
    expect(deriveLinkToken(owner, 'other', 'edit', 0)).not.toBe(e0);
    expect(deriveLinkToken(newToken(), 's', 'edit', 0)).not.toBe(e0);
  });

  it('seals for one key only and detects tampering', () => {
    const key = newToken();
    const sealed = seal(key, 'secret');
    expect(unseal(key, sealed)).toBe('secret');
    expect(seal(key, 'secret')).not.toBe(sealed); // fresh IV
    const flipped = Buffer.from(sealed, 'base64url');
    flipped[14] ^= 1;
    expect(unseal(key, flipped.toString('base64url'))).toBeNull();
    expect(unseal(key, 'short')).toBeNull();
  });

  it('a participant id is a one-way function of the token (a copied id is not a token)', () => {
    const t = newToken();
    const id = participantIdOf('s', t)!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(participantIdOf('s', t)).toBe(id);
    expect(participantIdOf('other', t)).not.toBe(id);
    expect(participantIdOf('s', id)).toBeNull(); // ids are not token-shaped
  });

  it('reads Bearer tokens and ranks roles', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    expect(allows('owner', 'edit') && allows('edit', 'view') && !allows('view', 'edit') && !allows('edit', 'owner')).toBe(true);
  });
});

describe('the edge', () => {
  it('allows no Origin, the same host when unconfigured, and only configured origins otherwise', () => {
    expect(originAllowed(req({ host: 'h:3000' }), {})).toBe(true);
    expect(originAllowed(req({ host: 'h:3000', origin: 'http://h:3000' }), {})).toBe(true);
    expect(originAllowed(req({ host: 'h:3000', origin: 'https://evil.example' }), {})).toBe(false);
    expect(originAllowed(req({ host: 'h:3000', origin: 'null' }), {})).toBe(false);
    const cfg = { publicUrl: 'https://tutti.example.org', allowedOrigins: ['http://localhost:3000'] };
    expect(originAllowed(req({ host: 'h:3000', origin: 'https://tutti.example.org' }), cfg)).toBe(true);
    expect(originAllowed(req({ host: 'h:3000', origin: 'http://localhost:3000' }), cfg)).toBe(true);
    expect(originAllowed(req({ host: 'h:3000', origin: 'http://h:3000' }), cfg)).toBe(false);
    expect(crossOriginWrite(req({ host: 'h', origin: 'https://evil.example' }, 'GET'), {})).toBe(false); // reads are not writes
    expect(crossOriginWrite(req({ host: 'h', origin: 'https://evil.example' }, 'DELETE'), {})).toBe(true);
  });

  it('builds links on PUBLIC_URL, else the request host', () => {
    expect(publicOrigin(req({ host: 'h:3000' }), {})).toBe('http://h:3000');
    expect(publicOrigin(req({ host: 'h:3000' }), { publicUrl: 'https://tutti.example.org/' })).toBe('https://tutti.example.org');
  });

  it('page CSP: the nonce, no inline or eval scripts outside dev, frame-ancestors none', () => {
    const csp = pageCsp('N0nce', req({ host: 'h:3000' }), {});
    expect(csp).toContain("script-src 'self' 'nonce-N0nce' blob:;");
    expect(csp).not.toMatch(/unsafe-inline'[^;]*;?\s*$|script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('ws://h:3000');
    expect(pageCsp('N', req({ host: 'h' }), { dev: true })).toMatch(/script-src[^;]*'unsafe-eval'/);
  });
});
