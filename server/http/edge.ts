// What every response and upgrade passes through at the edge: the Origin check (a foreign page
// must not be able to write to, or open the websocket of, a session whose id it learnt), the
// public origin that links are built with, and the security headers (CSP with a per-request
// nonce for pages, which Next reads back from the request's content-security-policy header).
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface EdgeConfig {
  /** e.g. https://tutti.example.org: links carry it, and it is an allowed Origin. */
  publicUrl?: string;
  /** More allowed origins (TUTTI_ALLOWED_ORIGINS). */
  allowedOrigins?: readonly string[];
  /** Next dev mode needs 'unsafe-eval' for React's debugging aids. */
  dev?: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const originOf = (url: string): string | null => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/** The origins a browser page of ours can have; empty = same host as the request. */
export function configuredOrigins(cfg: EdgeConfig): string[] {
  return [cfg.publicUrl, ...(cfg.allowedOrigins ?? [])].map((u) => (u ? originOf(u) : null)).filter((o): o is string => !!o);
}

/**
 * Whether the request's Origin may act here. No Origin header (curl, tests, server-to-server
 * tools; browsers always send one on cross-origin requests and websocket upgrades): allowed.
 * With PUBLIC_URL / TUTTI_ALLOWED_ORIGINS set: only those. Unset: only the request's own host.
 */
export function originAllowed(req: IncomingMessage, cfg: EdgeConfig): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const allowed = configuredOrigins(cfg);
  if (allowed.length > 0) return allowed.includes(originOf(origin) ?? '');
  const host = req.headers.host;
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
}

/** A state-changing request from a foreign origin (GET/HEAD/OPTIONS never change anything here). */
export const crossOriginWrite = (req: IncomingMessage, cfg: EdgeConfig): boolean => !SAFE_METHODS.has(req.method ?? 'GET') && !originAllowed(req, cfg);

/** Where links point: PUBLIC_URL when configured, else the host the request came to. */
export function publicOrigin(req: IncomingMessage, cfg: EdgeConfig): string {
  const configured = cfg.publicUrl ? originOf(cfg.publicUrl) : null;
  return configured ?? `http://${req.headers.host ?? 'localhost'}`;
}

/** Headers on every response (API, pages, assets). No X-Powered-By anywhere (next.config.js too). */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  // API answers are data, never documents: nothing may load from or frame them.
  res.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  res.removeHeader('x-powered-by');
}

/** The CSP of an HTML page with this nonce. */
export function pageCsp(nonce: string, req: IncomingMessage, cfg: EdgeConfig): string {
  const hosts = new Set<string>();
  if (req.headers.host) hosts.add(req.headers.host);
  for (const o of configuredOrigins(cfg)) hosts.add(new URL(o).host);
  const ws = [...hosts].flatMap((h) => [`ws://${h}`, `wss://${h}`]).join(' ');
  return [
    "default-src 'self'",
    // Next's inline bootstrap scripts carry the nonce; its chunks load from 'self'; Tone.js loads its
    // AudioWorklet from a blob: URL.
    `script-src 'self' 'nonce-${nonce}' blob:${cfg.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob: data:",
    "font-src 'self' data:",
    `connect-src 'self' blob: data: ${ws}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Prepares a request Next will render: a fresh nonce in the response's CSP and in the request's
 * content-security-policy header, where Next looks for it to put on its own scripts.
 */
export function preparePage(req: IncomingMessage, res: ServerResponse, cfg: EdgeConfig): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const csp = pageCsp(nonce, req, cfg);
  req.headers['content-security-policy'] = csp;
  res.setHeader('content-security-policy', csp);
  return nonce;
}
