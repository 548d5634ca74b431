/**
 * LIST fidelity over HTTPS (kube-api.md §4.2, §4.5, §2.3): continued pages come from the first
 * page's snapshot, expired snapshots answer 410 with a resume token, `resourceVersionMatch`
 * Exact/NotOlderThan, the legacy "version + limit = exact" rule, 504 for versions the store has
 * not reached, and the 422 validation of the option combination.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../infra/local/emulator/index.ts';
import { raw, testFlavour, widget, widgetsPath } from './helpers.ts';

const WAIT_MS = 300;
let emu: Emulator;

async function create(e: Emulator, ns: string, name: string, spec: Record<string, unknown> = {}) {
  const r = await raw(e, 'POST', widgetsPath(ns), { body: JSON.stringify(widget(name, spec)) });
  expect(r.status, r.text).toBe(201);
  return r.json();
}

async function setColor(e: Emulator, ns: string, name: string, color: string) {
  const r = await raw(e, 'PATCH', widgetsPath(ns, name), { body: JSON.stringify({ spec: { color } }), contentType: 'application/merge-patch+json' });
  expect(r.status, r.text).toBe(200);
  return r.json();
}

const names = (list: { items: { metadata: { name: string } }[] }) => list.items.map((i) => i.metadata.name);

beforeAll(async () => {
  emu = await startEmulator({ flavour: testFlavour(), tooLargeRvWaitMs: WAIT_MS, namespaces: ['default', 'snap', 'exact'] });
});
afterAll(async () => {
  await emu?.stop();
});

describe('LIST paging from one snapshot (§4.2)', () => {
  it('continued pages show the first page\'s state and version, not later writes', async () => {
    for (const n of ['a1', 'a2', 'a3', 'a4', 'a5']) await create(emu, 'snap', n, { color: 'red' });
    const first = await raw(emu, 'GET', `${widgetsPath('snap')}?limit=2`);
    expect(first.status).toBe(200);
    const p1 = first.json();
    expect(names(p1)).toEqual(['a1', 'a2']);
    expect(p1.metadata.remainingItemCount).toBe(3);
    // Writes after the first page: a later page must not see any of them.
    await setColor(emu, 'snap', 'a3', 'blue');
    expect((await raw(emu, 'DELETE', widgetsPath('snap', 'a4'))).status).toBe(200);
    await create(emu, 'snap', 'a35');
    const p2 = (await raw(emu, 'GET', `${widgetsPath('snap')}?limit=2&continue=${p1.metadata.continue}`)).json();
    expect(names(p2)).toEqual(['a3', 'a4']);
    expect(p2.items[0].spec.color).toBe('red');
    expect(p2.metadata.resourceVersion).toBe(p1.metadata.resourceVersion);
    expect(p2.metadata.remainingItemCount).toBe(1);
    const p3 = (await raw(emu, 'GET', `${widgetsPath('snap')}?limit=2&continue=${p2.metadata.continue}`)).json();
    expect(names(p3)).toEqual(['a5']);
    expect(p3.metadata.continue).toBeUndefined();
    expect(p3.metadata.resourceVersion).toBe(p1.metadata.resourceVersion);
  });

  it('a continue token whose snapshot left the history answers 410 with a token resuming at the latest version', async () => {
    const e = await startEmulator({ flavour: testFlavour(), watchWindow: 5 });
    try {
      for (const n of ['b1', 'b2', 'b3']) await create(e, 'default', n);
      const p1 = (await raw(e, 'GET', `${widgetsPath()}?limit=1`)).json();
      for (let i = 0; i < 6; i++) await setColor(e, 'default', 'b3', `c${i}`);
      const gone = await raw(e, 'GET', `${widgetsPath()}?limit=1&continue=${p1.metadata.continue}`);
      expect(gone.status).toBe(410);
      const status = gone.json();
      expect(status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
      expect(status.message).toMatch(/^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token in this response/);
      // The resume token continues after the same key, at the current version (an inconsistent list).
      const resumed = (await raw(e, 'GET', `${widgetsPath()}?limit=1&continue=${status.metadata.continue}`)).json();
      expect(names(resumed)).toEqual(['b2']);
      const current = (await raw(e, 'GET', widgetsPath())).json();
      expect(resumed.metadata.resourceVersion).toBe(current.metadata.resourceVersion);
      const last = (await raw(e, 'GET', `${widgetsPath()}?limit=1&continue=${resumed.metadata.continue}`)).json();
      expect(last.items[0].spec.color).toBe('c5');
    } finally {
      await e.stop();
    }
  });

  it('a token without a version is a 400 naming the encoded resourceVersion', async () => {
    const token = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 0, start: 'default/x' })).toString('base64url');
    const r = await raw(emu, 'GET', `${widgetsPath()}?limit=1&continue=${token}`);
    expect(r.status).toBe(400);
    expect(r.json().message).toBe('invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  });
});

describe('resourceVersion / resourceVersionMatch on LIST (§4.5)', () => {
  let before: string;
  beforeAll(async () => {
    await create(emu, 'exact', 'e1', { color: 'red' });
    before = (await raw(emu, 'GET', widgetsPath('exact'))).json().metadata.resourceVersion;
    await setColor(emu, 'exact', 'e1', 'green');
    await create(emu, 'exact', 'e2');
  });

  it('Exact serves the snapshot at the version', async () => {
    const r = (await raw(emu, 'GET', `${widgetsPath('exact')}?resourceVersion=${before}&resourceVersionMatch=Exact`)).json();
    expect(r.metadata.resourceVersion).toBe(before);
    expect(names(r)).toEqual(['e1']);
    expect(r.items[0].spec.color).toBe('red');
  });

  it('a version with limit and no match is exact too (legacy rule), and its pages stay at that version', async () => {
    const r = (await raw(emu, 'GET', `${widgetsPath('exact')}?resourceVersion=${before}&limit=5`)).json();
    expect(r.metadata.resourceVersion).toBe(before);
    expect(r.items.map((i: { spec: { color?: string } }) => i.spec.color)).toEqual(['red']);
  });

  it('NotOlderThan (and a bare version) serve the current state', async () => {
    for (const q of [`resourceVersion=${before}&resourceVersionMatch=NotOlderThan`, `resourceVersion=${before}`]) {
      const r = (await raw(emu, 'GET', `${widgetsPath('exact')}?${q}`)).json();
      expect(names(r)).toEqual(['e1', 'e2']);
      expect(Number(r.metadata.resourceVersion)).toBeGreaterThan(Number(before));
    }
  });

  it('Exact at a version older than the history answers 410 with the documented text', async () => {
    const e = await startEmulator({ flavour: testFlavour(), watchWindow: 3 });
    try {
      const rv = (await raw(e, 'GET', widgetsPath())).json().metadata.resourceVersion;
      for (const n of ['x1', 'x2', 'x3', 'x4']) await create(e, 'default', n);
      const r = await raw(e, 'GET', `${widgetsPath()}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
      expect(r.status).toBe(410);
      expect(r.json()).toMatchObject({ reason: 'Expired', code: 410, message: 'The resourceVersion for the provided list is too old.' });
    } finally {
      await e.stop();
    }
  });

  it('a version newer than the store waits, then answers 504 Timeout "Too large resource version"', async () => {
    const current = Number((await raw(emu, 'GET', widgetsPath('exact'))).json().metadata.resourceVersion);
    const t0 = Date.now();
    const r = await raw(emu, 'GET', `${widgetsPath('exact')}?resourceVersion=${current + 50}&resourceVersionMatch=NotOlderThan`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(WAIT_MS - 20);
    expect(r.status).toBe(504);
    expect(r.headers['retry-after']).toBe('1');
    expect(r.json()).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: `Timeout: Too large resource version: ${current + 50}, current: ${current}`, reason: 'Timeout',
      details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 }, code: 504,
    });
    const get = await raw(emu, 'GET', `${widgetsPath('exact', 'e1')}?resourceVersion=${current + 50}`);
    expect(get.status).toBe(504);
  });

  it('a version the store reaches during the wait is served', async () => {
    const current = Number((await raw(emu, 'GET', widgetsPath('exact'))).json().metadata.resourceVersion);
    const pending = raw(emu, 'GET', `${widgetsPath('exact')}?resourceVersion=${current + 1}`);
    await new Promise((r) => setTimeout(r, 50));
    await create(emu, 'exact', 'e3');
    const r = await pending;
    expect(r.status).toBe(200);
    expect(names(r.json())).toContain('e3');
  });

  it.each([
    ['resourceVersion=0&resourceVersionMatch=Exact', 'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'],
    ['resourceVersionMatch=NotOlderThan', 'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
    ['resourceVersion=1&resourceVersionMatch=Newest', 'resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""'],
    ['sendInitialEvents=true', 'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list'],
  ])('422 ListOptions for %s', async (q, text) => {
    const r = await raw(emu, 'GET', `${widgetsPath()}?${q}`);
    expect(r.status).toBe(422);
    expect(r.json()).toMatchObject({ reason: 'Invalid', message: `ListOptions.meta.k8s.io "" is invalid: ${text}`, details: { group: 'meta.k8s.io', kind: 'ListOptions', name: '' } });
  });

  it('several violations are reported together', async () => {
    const r = await raw(emu, 'GET', `${widgetsPath()}?resourceVersionMatch=Exact&sendInitialEvents=false`);
    expect(r.status).toBe(422);
    expect(r.json().details.causes.map((c: { field: string }) => c.field)).toEqual(['resourceVersionMatch', 'sendInitialEvents']);
  });
});
