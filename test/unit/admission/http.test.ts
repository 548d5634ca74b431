import { describe, expect, it } from 'vitest';
import { createAdmissionApp } from '../../../shared/admission/app.ts';
import { constantTimeEqual, presentedToken } from '../../../shared/admission/http.ts';
import { MemoryQueue, TOKEN, ironcoreObject, post, review } from './fixtures.ts';

const validReview = () => review('Network', { operation: 'CREATE', object: ironcoreObject('Network') });

function app(token = TOKEN, maxBodyBytes?: number) {
  const queue = new MemoryQueue();
  return { queue, app: createAdmissionApp({ enqueue: queue, token, maxBodyBytes }) };
}

describe('authentication', () => {
  it('401 without a token, with a wrong token, and with a token prefix', async () => {
    const { app: a, queue } = app();
    for (const authorization of ['', 'Bearer wrong', `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`]) {
      const res = await a.fetch(post('/validate', validReview(), { authorization }));
      expect(res.status, authorization).toBe(401);
    }
    expect(queue.messages).toEqual([]);
  });

  it('accepts the token as a secret path segment', async () => {
    const { app: a, queue } = app();
    const res = await a.fetch(post(`/t/${TOKEN}/validate`, validReview(), { authorization: '' }));
    expect(res.status).toBe(200);
    expect(queue.messages).toHaveLength(1);
    const wrong = await a.fetch(post('/t/nope/validate', validReview(), { authorization: '' }));
    expect(wrong.status).toBe(401);
  });

  it('an empty configured token admits nobody', async () => {
    const { app: a } = app('');
    expect((await a.fetch(post('/validate', validReview(), { authorization: 'Bearer ' }))).status).toBe(401);
    expect((await a.fetch(post('//validate', validReview(), { authorization: '' }))).status).toBe(401);
  });

  it('GET /healthz needs no token', async () => {
    const res = await app().app.fetch(new Request('http://webhook.test/healthz'));
    expect(res.status).toBe(200);
  });

  it('constantTimeEqual compares whole byte strings', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('ä', 'a')).toBe(false);
    expect(presentedToken('bearer x', '/validate')).toBe('x');
    expect(presentedToken(undefined, '/t/a%2Fb/validate')).toBe('a/b');
  });
});

describe('body limits and bad input', () => {
  it('413 when Content-Length declares more than the limit', async () => {
    const res = await app().app.fetch(post('/validate', '{}', { 'content-length': String(4 * 1024 * 1024) }));
    expect(res.status).toBe(413);
  });

  it('413 when the actual body is larger than the limit (no Content-Length)', async () => {
    const { app: a, queue } = app(TOKEN, 1024);
    const big = validReview();
    big.request.object.metadata.annotations = { filler: 'x'.repeat(4096) };
    const bytes = new TextEncoder().encode(JSON.stringify(big));
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const req = new Request('http://webhook.test/validate', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect((await a.fetch(req)).status).toBe(413);
    expect(queue.messages).toEqual([]);
  });

  it('400 with the reason for non-JSON and for JSON that is not an AdmissionReview v1', async () => {
    const { app: a } = app();
    const notJson = await a.fetch(post('/validate', 'not json'));
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as any).error).toMatch(/not JSON/);

    const v1beta1 = validReview();
    v1beta1.apiVersion = 'admission.k8s.io/v1beta1';
    const wrongVersion = await a.fetch(post('/mutate', v1beta1));
    expect(wrongVersion.status).toBe(400);
    expect(((await wrongVersion.json()) as any).error).toContain('apiVersion');

    const noUid = validReview();
    delete noUid.request.uid;
    const missingUid = await a.fetch(post('/validate', noUid));
    expect(missingUid.status).toBe(400);
    expect(((await missingUid.json()) as any).error).toContain('request.uid');
  });

  it('answers other kinds allowed without enqueueing (misconfigured webhook rules)', async () => {
    const { app: a, queue } = app();
    const rev = validReview();
    rev.request.kind = { group: 'ipam.ironcore.dev', version: 'v1alpha1', kind: 'Prefix' };
    const res = await a.fetch(post('/validate', rev));
    expect(((await res.json()) as any).response).toEqual({ uid: rev.request.uid, allowed: true });
    expect(queue.messages).toEqual([]);
  });
});
