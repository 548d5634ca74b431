import type { Context, Hono, MiddlewareHandler } from 'hono';

/**
 * HTTP edge shared by the admission and watch apps: caller authentication and the body limit.
 * Web-standard APIs only, so the same code runs on Lambda, Node and workerd.
 */

/** Larger than any object the API server stores (etcd's 1.5 MiB default) times two for oldObject. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Constant-time equality over the UTF-8 bytes: the loop always runs over the longer input and
 * never exits early, so timing does not reveal how much of a guessed token was right.
 * (node:crypto's timingSafeEqual is not available in workerd.)
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  const n = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < n; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

const SECRET_PATH = /^\/t\/([^/]+)(\/.*)?$/;

/** The token the caller presented: `Authorization: Bearer <t>`, else the secret path segment `/t/<t>/…`. */
export function presentedToken(authorization: string | undefined, pathname: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (bearer) return bearer[1];
  const inPath = SECRET_PATH.exec(pathname);
  if (!inPath?.[1]) return undefined;
  try {
    return decodeURIComponent(inPath[1]);
  } catch {
    return undefined;
  }
}

/**
 * The accepted tokens, asked per request (cached by the source: Powertools Parameters' maxAge).
 * During a rotation it holds the old and the new token (README "Secrets").
 */
export type TokenSource = () => Promise<readonly string[]>;

/**
 * 401 unless the caller proves it knows a token. An empty configured token admits nobody. A string
 * is one token; a TokenSource that fails answers 503 with its message (which names the parameter,
 * never a value), so the API server retries instead of taking a 401.
 */
export function requireToken(token: string | TokenSource): MiddlewareHandler {
  return async (c, next) => {
    let accepted: readonly string[];
    try {
      accepted = typeof token === 'string' ? [token] : await token();
    } catch (err) {
      console.error(JSON.stringify({ level: 'ERROR', message: 'webhook token unavailable', error: (err as Error).message }));
      return c.json({ error: `webhook token unavailable: ${(err as Error).message}` }, 503);
    }
    const presented = presentedToken(c.req.header('authorization'), new URL(c.req.url).pathname);
    // Every accepted token is compared (no early exit), so timing does not tell which one matched.
    let ok = false;
    for (const t of accepted) ok = (t !== '' && presented !== undefined && constantTimeEqual(presented, t)) || ok;
    if (!ok) {
      return c.json(
        { error: 'Unauthorized: present the webhook token as "Authorization: Bearer <token>" or as /t/<token>/ path prefix' },
        401,
      );
    }
    await next();
  };
}

/** Registers a POST route both at `path` and under the secret path prefix `/t/:token`. */
export function postWithSecretPath(app: Hono, path: string, handler: (c: Context) => Promise<Response>): void {
  app.post(path, handler);
  app.post(`/t/:token${path}`, handler);
}

export type BodyResult = { ok: true; text: string } | { ok: false; status: 413 | 400; reason: string };

/**
 * Reads the body up to `limit` bytes. Content-Length is checked first (cheap refusal) and the
 * actual bytes are counted too, since the header may be absent (chunked) or lie.
 */
export async function readLimitedBody(req: Request, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const tooLarge = { ok: false, status: 413, reason: `request body exceeds ${limit} bytes` } as const;
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return tooLarge;
  if (!req.body) return { ok: true, text: '' };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return tooLarge;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, status: 400, reason: 'request body is not valid UTF-8' };
  }
}

/** Parses JSON text; the reason is what a 400 answer says. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reason: `request body is not JSON: ${(err as Error).message}` };
  }
}
