// JSON replies and request bodies for the server's routes, and the one error shape every HTTP
// API refusal has: {error, code, issues} — a sentence, a stable machine code, and one line per
// problem with the request (empty when there is nothing more to say).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

export interface ErrorBody {
  error: string;
  code: string;
  issues: string[];
}

const CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'too_large',
  429: 'rate_limited',
  500: 'internal',
  503: 'unavailable',
  504: 'timeout',
};

/** The default code of a status when the thrower gives none. */
export const codeOf = (status: number): string => CODES[status] ?? (status >= 500 ? 'internal' : 'refused');

/** A refusal a route throws; the router answers it as {error, code, issues}. */
export class HttpError extends Error {
  readonly code: string;
  constructor(
    readonly status: number,
    message: string,
    code?: string,
    readonly issues: string[] = [],
  ) {
    super(message);
    this.code = code ?? codeOf(status);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(data), 'cache-control': 'no-store', ...headers });
  res.end(data);
}

export function errorBody(error: string, code: string, issues: readonly string[] = []): ErrorBody {
  return { error, code, issues: [...issues] };
}

/** Answers a refusal in the one error shape. */
export function sendError(res: ServerResponse, status: number, error: string, code = codeOf(status), issues: readonly string[] = [], headers: Record<string, string> = {}): void {
  sendJson(res, status, errorBody(error, code, issues), headers);
}

/** One readable line per zod issue: `field.path: message`. */
export const issueLines = (e: z.ZodError): string[] => e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);

/** `schema` applied to a request body; a mismatch is a 400 listing every problem. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown, what = 'body'): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, `invalid ${what}: ${issueLines(r.error).join('; ')}`, 'invalid_request', issueLines(r.error));
  return r.data;
}

/** Reads a JSON body of at most `limit` bytes; an empty body reads as undefined. */
export async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `request body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not valid JSON', 'bad_json');
  }
}
