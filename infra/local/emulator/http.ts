/** HTTP edge helpers: body reading with the 3 MiB limit, decoding, JSON/Status responses. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import yaml from 'js-yaml';
import type { ApiError } from './types.ts';
import { badRequest, statusBody, tooLarge, unsupportedMediaType } from './status.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    throw tooLarge(`limit is ${MAX_BODY_BYTES}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw tooLarge(`limit is ${MAX_BODY_BYTES}`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** POST/PUT bodies: JSON or YAML (kube-api.md §0); anything else 415. */
export function decodeObjectBody(req: IncomingMessage, body: Buffer): unknown {
  const mt = mediaType(req);
  if (mt === 'application/json' || mt === '') return parseJson(body);
  if (mt === 'application/yaml') return parseYaml(body);
  throw unsupportedMediaType(['application/json', 'application/yaml']);
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}

export function parseYaml(body: Buffer, prefix = 'error decoding YAML'): unknown {
  try {
    return yaml.load(body.toString('utf8'), { schema: yaml.JSON_SCHEMA });
  } catch (e) {
    throw badRequest(`${prefix}: ${(e as Error).message.split('\n')[0]}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const data = JSON.stringify(body);
  const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(data)) };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(data);
}

export function sendError(res: ServerResponse, err: ApiError, warnings: string[] = []): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err.details?.retryAfterSeconds) res.setHeader('Retry-After', String(err.details.retryAfterSeconds));
  sendJson(res, err.code, statusBody(err), warnings);
}

/** §0: `0`/`false` (any case) are false, anything else (even empty) true, absent false. */
export function boolParam(q: URLSearchParams, name: string): boolean {
  if (!q.has(name)) return false;
  const v = (q.get(name) ?? '').toLowerCase();
  return v !== '0' && v !== 'false';
}
