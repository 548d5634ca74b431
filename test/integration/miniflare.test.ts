import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { fileURLToPath } from 'node:url';

/**
 * The admission app is web-standard: bundled for a neutral platform and run inside workerd it
 * answers a real AdmissionReview (STYLE.md, Hono adapters). The worker entry is written here
 * in-memory: `export default { fetch }` with an in-memory enqueuer exposed at GET /__queue.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'edge-token';

const entry = `
import { createAdmissionApp } from './shared/admission/app.ts';
const messages = [];
const app = createAdmissionApp({ enqueue: { enqueue: async (m) => { messages.push(...m); } }, token: ${JSON.stringify(TOKEN)} });
export default {
  async fetch(request) {
    if (new URL(request.url).pathname === '/__queue') return Response.json(messages);
    return app.fetch(request);
  },
};
`;

let mf: Miniflare;
let bundle = '';

beforeAll(async () => {
  const out = await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: 'worker.ts', loader: 'ts' },
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser', 'import'],
    write: false,
    logLevel: 'silent',
  });
  bundle = out.outputFiles[0]!.text;
  mf = new Miniflare({ modules: true, script: bundle, compatibilityDate: '2025-01-01' });
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
});

function admissionReview(operation: 'CREATE' | 'UPDATE', object: Record<string, unknown>) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'c0ffee00-0000-4000-8000-000000000001',
      kind: { group: 'networking.ironcore.dev', version: 'v1alpha1', kind: 'Network' },
      resource: { group: 'networking.ironcore.dev', version: 'v1alpha1', resource: 'networks' },
      name: 'net', namespace: 'default', operation,
      userInfo: { username: 'system:admin', groups: ['system:authenticated'] },
      // The old object differs (a label): an UPDATE that changes nothing is not enqueued.
      object, oldObject: operation === 'UPDATE' ? { ...object, metadata: { ...(object.metadata as object), labels: { before: 'update' } } } : null, dryRun: false,
    },
  };
}

const network = { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'Network', metadata: { name: 'net', namespace: 'default', uid: 'n-uid', resourceVersion: '5' }, spec: {} };

describe('admission app inside workerd (miniflare)', () => {
  it('bundles without Node built-ins or @kubernetes/client-node', () => {
    expect(bundle).not.toMatch(/from\s*["']node:/);
    expect(bundle).not.toContain('@kubernetes/client-node');
  });

  it('R-GEN-01: /mutate answers a real AdmissionReview with the finalizer patch', async () => {
    const res = await mf.dispatchFetch('http://webhook.local/mutate', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(admissionReview('CREATE', network)),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.response.uid).toBe('c0ffee00-0000-4000-8000-000000000001');
    expect(body.response.patchType).toBe('JSONPatch');
    expect(JSON.parse(atob(body.response.patch))).toEqual([
      { op: 'add', path: '/metadata/finalizers', value: ['apinet.ironcore.dev/network'] },
    ]);
  });

  it('/validate (secret path) allows and enqueues; a wrong token gets 401', async () => {
    const res = await mf.dispatchFetch(`http://webhook.local/t/${TOKEN}/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admissionReview('UPDATE', network)),
    });
    expect(((await res.json()) as any).response).toEqual({ uid: 'c0ffee00-0000-4000-8000-000000000001', allowed: true });
    const queued = (await (await mf.dispatchFetch('http://webhook.local/__queue')).json()) as any[];
    expect(queued).toEqual([
      { v: 1, kind: 'Network', namespace: 'default', name: 'net', source: 'admission', uid: 'n-uid', op: 'UPDATE', resourceVersion: '5' },
    ]);
    const denied = await mf.dispatchFetch('http://webhook.local/validate', {
      method: 'POST',
      headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' },
      body: JSON.stringify(admissionReview('UPDATE', network)),
    });
    expect(denied.status).toBe(401);
    await denied.arrayBuffer();
  });
});
