/** The emulator calls the webhooks of the configurations stored in it (kube-api.md §11). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { startEmulator, type Emulator } from '../../../infra/local/emulator/index.ts';
import { makeServerTls } from '../../../infra/local/emulator/tls.ts';
import { GROUP, VERSION, raw, testFlavour, widget, widgetsPath } from './helpers.ts';

let emu: Emulator;
let hook: https.Server;
const seen: any[] = [];

beforeAll(async () => {
  emu = await startEmulator({ flavour: testFlavour() });
  const tls = await makeServerTls();
  hook = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const review = JSON.parse(body);
      const rq = review.request;
      seen.push({ path: req.url, ...rq });
      let response: Record<string, unknown> = { uid: rq.uid, allowed: true };
      if (req.url?.startsWith('/mutate') && rq.operation === 'CREATE') {
        const patch = [{ op: 'add', path: '/metadata/labels', value: { mutated: 'yes' } }];
        response = { ...response, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') };
      }
      if (req.url?.startsWith('/validate') && rq.object?.spec?.size === 13) {
        response = { uid: rq.uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: 'size 13 is unlucky' } };
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  const port = (hook.address() as AddressInfo).port;
  const caBundle = Buffer.from(tls.caPem).toString('base64');
  const webhook = (name: string, path: string, resources: string[]) => ({
    name,
    clientConfig: { url: `https://127.0.0.1:${port}${path}`, caBundle },
    rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [GROUP], apiVersions: [VERSION], resources }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    timeoutSeconds: 5,
  });
  const m = await raw(emu, 'POST', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', {
    body: JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'm' }, webhooks: [webhook('m.test.dev', '/mutate', ['widgets'])] }),
  });
  expect(m.status).toBe(201);
  const v = await raw(emu, 'POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
    body: JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'v' }, webhooks: [webhook('v.test.dev', '/validate', ['widgets', 'widgets/status'])] }),
  });
  expect(v.status).toBe(201);
});
afterAll(async () => {
  await emu?.stop();
  hook?.closeAllConnections();
  await new Promise((r) => hook?.close(r));
});

describe('admission', () => {
  it('a mutating webhook patch is applied on CREATE', async () => {
    const r = await raw(emu, 'POST', widgetsPath(), { body: JSON.stringify(widget('adm-1', { size: 1 })) });
    expect(r.status).toBe(201);
    expect(r.json().metadata.labels).toEqual({ mutated: 'yes' });
    const call = seen.find((s) => s.path.startsWith('/validate') && s.name === 'adm-1');
    expect(call).toMatchObject({ operation: 'CREATE', namespace: 'default', dryRun: false });
    expect(call.object.metadata.uid).toBeTruthy();
  });

  it('a validating denial is answered with the webhook status and nothing is stored, also for /status', async () => {
    const r = await raw(emu, 'POST', widgetsPath(), { body: JSON.stringify(widget('adm-2', { size: 13 })) });
    expect(r.status).toBe(403);
    expect(r.json().message).toBe('admission webhook "v.test.dev" denied the request: size 13 is unlucky');
    expect((await raw(emu, 'GET', widgetsPath('default', 'adm-2'))).status).toBe(404);
    const created = await raw(emu, 'POST', widgetsPath(), { body: JSON.stringify(widget('adm-3', { size: 1 })) });
    expect(created.status).toBe(201);
    const st = await raw(emu, 'PATCH', widgetsPath('default', 'adm-3', 'status'), { contentType: 'application/merge-patch+json', body: '{"status":{"ok":true}}' });
    expect(st.status).toBe(200);
    expect(seen.find((s) => s.path.startsWith('/validate') && s.name === 'adm-3' && s.subResource === 'status')).toMatchObject({ operation: 'UPDATE' });
  });
});
