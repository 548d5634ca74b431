/**
 * runMutating/ValidatingAdmission against a real HTTPS webhook server (node:https, throw-away CA
 * passed as caBundle) — kube-api.md §11.4–11.7.
 */
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdmissionAttributes, type AdmissionEnv, runMutatingAdmission, runValidatingAdmission } from '../../../infra/local/emulator/admission.ts';
import { makeServerTls } from '../../../infra/local/emulator/tls.ts';
import { ApiError, type KindDef, type KubeObject } from '../../../infra/local/emulator/types.ts';

const networks = {
  group: 'core.apinet.ironcore.dev', version: 'v1alpha1', kind: 'Network', resource: 'networks', singular: 'network',
  namespaced: true, statusSubresource: true, nameRule: 'subdomain',
} as KindDef;

let server: Server;
let base = '';
let caBundle = '';
let deadPort = 0;
const seen: Record<string, unknown>[] = [];

type Review = { request: { uid: string; object: KubeObject | null; dryRun: boolean } };
const answer = (uid: string, r: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, ...r } });
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');

beforeAll(async () => {
  const tls = await makeServerTls();
  caBundle = Buffer.from(tls.caPem).toString('base64');
  server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const review = JSON.parse(body) as Review;
      const { uid } = review.request;
      seen.push({ path: req.url, ...review.request });
      const path = new URL(req.url!, 'https://x').pathname;
      res.setHeader('content-type', 'application/json');
      if (path === '/label') {
        const hasLabels = !!review.request.object?.metadata.labels;
        const patch = hasLabels
          ? [{ op: 'add', path: '/metadata/labels/mutated', value: 'yes' }]
          : [{ op: 'add', path: '/metadata/labels', value: { mutated: 'yes' } }];
        res.end(answer(uid, { allowed: true, patchType: 'JSONPatch', patch: b64(patch), warnings: ['labelled'] }));
      } else if (path === '/finalizer') {
        res.end(answer(uid, { allowed: true, patchType: 'JSONPatch', patch: b64([{ op: 'add', path: '/metadata/finalizers', value: ['example.com/f'] }]) }));
      } else if (path === '/allow') {
        res.end(answer(uid, { allowed: true }));
      } else if (path === '/deny') {
        res.end(answer(uid, { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'spec.id is immutable' } }));
      } else if (path === '/bad-uid') {
        res.end(answer('not-the-uid', { allowed: true }));
      } else if (path === '/slow') {
        setTimeout(() => res.end(answer(uid, { allowed: true })), 2500);
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  // A port nobody listens on: the "webhook down" case.
  const probe = createNetServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const hook = (name: string, url: string, more: Record<string, unknown> = {}) => ({
  name, clientConfig: { url, caBundle }, sideEffects: 'None', admissionReviewVersions: ['v1'],
  rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['core.apinet.ironcore.dev'], apiVersions: ['*'], resources: ['networks'] }],
  ...more,
});
const config = (kind: string, name: string, hooks: unknown[]): KubeObject =>
  ({ apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name }, webhooks: hooks });
const env = (mutating: unknown[][], validating: unknown[][] = []): AdmissionEnv => ({
  mutating: mutating.map((h, i) => config('MutatingWebhookConfiguration', `m${i}`, h)),
  validating: validating.map((h, i) => config('ValidatingWebhookConfiguration', `v${i}`, h)),
  namespaceLabels: () => ({}),
});
const net = (): KubeObject => ({ apiVersion: 'core.apinet.ironcore.dev/v1alpha1', kind: 'Network', metadata: { name: 'n1', namespace: 'default' }, spec: {} });
const attrs = (over: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({
  kind: networks, operation: 'CREATE', namespace: 'default', name: 'n1', object: net(), dryRun: false,
  userInfo: { username: 'apinetlet', groups: ['system:authenticated'] }, ...over,
});

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the admission to fail');
}

describe('admission webhooks over HTTPS', () => {
  it('mutating: JSONPatch responses are applied in order, warnings passed up', async () => {
    const warnings: string[] = [];
    const out = await runMutatingAdmission(attrs({ warnings }),
      env([[hook('label.example.com', `${base}/label`), hook('fin.example.com', `${base}/finalizer`)]]));
    expect(out?.metadata.labels).toEqual({ mutated: 'yes' });
    expect(out?.metadata.finalizers).toEqual(['example.com/f']);
    expect(warnings).toEqual(['labelled']);
  });

  it('mutating: a patch answered for a DELETE fails the request with 500', async () => {
    const del = hook('label.example.com', `${base}/label`, { rules: [{ operations: ['DELETE'], apiGroups: ['*'], apiVersions: ['*'], resources: ['networks'] }] });
    const err = await rejection(runMutatingAdmission(attrs({ operation: 'DELETE', object: undefined, oldObject: net() }), env([[del]])));
    expect([err.code, err.message]).toEqual([500,
      'Internal error occurred: admission webhook "label.example.com" attempted to modify the object, which is not supported for this operation']);
    expect(seen.at(-1)!.object).toBeNull();
  });

  it('mutating: an allowing webhook without patch leaves the object unchanged (undefined)', async () => {
    expect(await runMutatingAdmission(attrs(), env([[hook('allow.example.com', `${base}/allow`)]]))).toBeUndefined();
  });

  it('validating: denial becomes the real server message with code and reason', async () => {
    const err = await rejection(runValidatingAdmission(attrs(), env([], [[hook('allow.example.com', `${base}/allow`), hook('vnetwork.example.com', `${base}/deny`)]])));
    expect([err.code, err.reason, err.message]).toEqual([403, 'Forbidden', 'admission webhook "vnetwork.example.com" denied the request: spec.id is immutable']);
  });

  it('non-matching rules: the webhook is not called', async () => {
    const before = seen.length;
    await runValidatingAdmission(attrs({ operation: 'DELETE', object: undefined, oldObject: net() }), env([], [[hook('deny.example.com', `${base}/deny`)]]));
    expect(seen.length).toBe(before);
  });

  it('failurePolicy Fail with the webhook down → 500 naming the webhook and the URL', async () => {
    const url = `https://127.0.0.1:${deadPort}/validate`;
    const err = await rejection(runValidatingAdmission(attrs(), env([], [[hook('vnetwork.example.com', url)]])));
    expect(err.code).toBe(500);
    expect(err.reason).toBe('InternalError');
    expect(err.message).toBe(`Internal error occurred: failed calling webhook "vnetwork.example.com": failed to call webhook: Post "${url}?timeout=10s": dial tcp 127.0.0.1:${deadPort}: connect: connection refused`);
  });

  it('failurePolicy Ignore with the webhook down → the request continues', async () => {
    const url = `https://127.0.0.1:${deadPort}/validate`;
    await expect(runValidatingAdmission(attrs(), env([], [[hook('v.example.com', url, { failurePolicy: 'Ignore' })]]))).resolves.toBeUndefined();
    const out = await runMutatingAdmission(attrs(), env([[hook('m.example.com', url, { failurePolicy: 'Ignore' }), hook('label.example.com', `${base}/label`)]]));
    expect(out?.metadata.labels).toEqual({ mutated: 'yes' });
  });

  it('timeoutSeconds: a slow webhook fails the call (Fail) or is skipped (Ignore)', async () => {
    const started = Date.now();
    const err = await rejection(runValidatingAdmission(attrs(), env([], [[hook('slow.example.com', `${base}/slow`, { timeoutSeconds: 1 })]])));
    expect(Date.now() - started).toBeLessThan(2400);
    expect(err.code).toBe(500);
    expect(err.message).toContain('failed calling webhook "slow.example.com": failed to call webhook: Post "');
    expect(err.message).toContain('?timeout=1s": context deadline exceeded');
    await expect(runValidatingAdmission(attrs(), env([], [[hook('slow.example.com', `${base}/slow`, { timeoutSeconds: 1, failurePolicy: 'Ignore' })]]))).resolves.toBeUndefined();
  });

  it('an invalid response (uid not echoed) is a failed call', async () => {
    const err = await rejection(runMutatingAdmission(attrs(), env([[hook('bad.example.com', `${base}/bad-uid`)]])));
    expect(err.message).toMatch(/^Internal error occurred: failed calling webhook "bad.example.com": received invalid webhook response: expected response.uid="[0-9a-f-]+", got "not-the-uid"$/);
  });

  it('a TLS server not signed by caBundle is a failed call', async () => {
    const other = Buffer.from((await makeServerTls()).caPem).toString('base64');
    const h = { ...hook('tls.example.com', `${base}/allow`), clientConfig: { url: `${base}/allow`, caBundle: other } };
    expect((await rejection(runValidatingAdmission(attrs(), env([], [[h]])))).code).toBe(500);
  });

  it('11.7: dry run reaches only side-effect-free webhooks and says so otherwise', async () => {
    await runValidatingAdmission(attrs({ dryRun: true }), env([], [[hook('allow.example.com', `${base}/allow`, { sideEffects: 'NoneOnDryRun' })]]));
    expect(seen.at(-1)!.dryRun).toBe(true);
    const err = await rejection(runValidatingAdmission(attrs({ dryRun: true }),
      env([], [[hook('se.example.com', `${base}/allow`, { sideEffects: 'Some', failurePolicy: 'Ignore' })]])));
    expect([err.code, err.message]).toEqual([400, 'admission webhook "se.example.com" does not support dry run']);
  });

  it('service references are refused with a message saying to use clientConfig.url', async () => {
    const h = { ...hook('svc.example.com', ''), clientConfig: { service: { namespace: 'x', name: 'y' } } };
    const err = await rejection(runValidatingAdmission(attrs(), env([], [[h]])));
    expect(err.message).toContain('clientConfig.service is not supported by the emulator');
  });
});
