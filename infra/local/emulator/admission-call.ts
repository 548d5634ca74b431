/**
 * The HTTPS POST of an AdmissionReview to a webhook (kube-api.md §11.4). Only `clientConfig.url`
 * is supported; the emulator has no in-cluster services to resolve a `service` reference.
 */
import { request } from 'node:https';
import type { Webhook } from './admission-match.ts';

/** A failed call (§11.6); `detail` is the text after `failed calling webhook "<name>": `. */
export class WebhookCallError extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

/** timeoutSeconds: default 10, clamped to 1–30 (§11.2). */
export function webhookTimeout(h: Webhook): number {
  const t = typeof h.timeoutSeconds === 'number' ? Math.trunc(h.timeoutSeconds) : 10;
  return Math.min(30, Math.max(1, t));
}

function transportText(err: NodeJS.ErrnoException, host: string): string {
  // Go's wording for the common case, so the message looks like the real server's (§11.6).
  if (err.code === 'ECONNREFUSED') return `dial tcp ${host}: connect: connection refused`;
  return err.message;
}

/** POSTs `body` and returns the decoded JSON answer; throws WebhookCallError on any failure. */
export async function callWebhook(h: Webhook, body: unknown): Promise<unknown> {
  const cc = h.clientConfig ?? {};
  if (!cc.url) {
    const what = cc.service ? 'clientConfig.service is not supported by the emulator' : 'no clientConfig.url';
    throw new WebhookCallError(`failed to call webhook: ${what}; configure clientConfig.url (https://…) instead`);
  }
  if (!cc.url.startsWith('https://')) throw new WebhookCallError(`failed to call webhook: clientConfig.url ${JSON.stringify(cc.url)} must use https`);
  const timeout = webhookTimeout(h);
  const url = new URL(cc.url);
  url.searchParams.set('timeout', `${timeout}s`);
  const shown = `Post "${url.toString()}"`;
  const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined;
  const payload = JSON.stringify(body);

  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(payload) },
      ...(ca ? { ca } : {}),
      signal: AbortSignal.timeout(timeout * 1000),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => reject(e));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const aborted = e.name === 'AbortError' || e.name === 'TimeoutError';
      reject(new WebhookCallError(`failed to call webhook: ${shown}: ${aborted ? 'context deadline exceeded' : transportText(e, url.host)}`));
    });
    req.end(payload);
  }).catch((e: unknown) => {
    if (e instanceof WebhookCallError) throw e;
    throw new WebhookCallError(`failed to call webhook: ${shown}: ${(e as Error).message}`);
  });
  if (status !== 200) {
    throw new WebhookCallError(`failed to call webhook: an error on the server (${JSON.stringify(text.slice(0, 200))}) has prevented the request from succeeding (status ${status})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new WebhookCallError('received invalid webhook response: the response body is not JSON');
  }
}
