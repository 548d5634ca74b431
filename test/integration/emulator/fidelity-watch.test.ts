/**
 * WATCH and OpenAPI fidelity over HTTPS: a resourceVersion newer than the store (kube-api.md §5.3),
 * streaming lists with `sendInitialEvents` and their validation (§5.7), and `/openapi/v2` (§1.6, §0).
 */
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../infra/local/emulator/index.ts';
import { GROUP, VERSION, raw, testFlavour, widget, widgetsPath } from './helpers.ts';

const WAIT_MS = 300;
let emu: Emulator;

interface Streamed {
  status: number;
  events: { type: string; object: any }[];
  /** true when the server ended the stream, false when the test stopped reading. */
  ended: boolean;
  elapsedMs: number;
}

/** Reads a watch stream line by line until the server ends it or `enough` says stop. */
function watch(path: string, enough: (events: Streamed['events']) => boolean = () => false, onOpen?: () => void): Promise<Streamed> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = https.get(new URL(path, emu.url), { ca: emu.caPem, headers: { Authorization: `Bearer ${emu.token}` } }, (res) => {
      const events: Streamed['events'] = [];
      let buf = '';
      let done = false;
      const finish = (ended: boolean) => {
        if (done) return;
        done = true;
        resolve({ status: res.statusCode ?? 0, events, ended, elapsedMs: Date.now() - t0 });
        req.destroy();
      };
      res.on('data', (c: Buffer) => {
        buf += c.toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          if (buf.slice(0, i).trim()) events.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
        }
        if (enough(events)) finish(false);
      });
      res.on('end', () => {
        if (buf.trim()) events.push(JSON.parse(buf));
        finish(true);
      });
      onOpen?.();
    });
    req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
    setTimeout(() => req.destroy(new Error(`watch ${path} still open after 5 s`)), 5000).unref();
  });
}

async function create(name: string, ns = 'default') {
  const r = await raw(emu, 'POST', widgetsPath(ns), { body: JSON.stringify(widget(name)) });
  expect(r.status, r.text).toBe(201);
  return r.json();
}

const currentRv = async () => Number((await raw(emu, 'GET', widgetsPath())).json().metadata.resourceVersion);

beforeAll(async () => {
  emu = await startEmulator({ flavour: testFlavour(), tooLargeRvWaitMs: WAIT_MS, namespaces: ['default', 'stream'] });
});
afterAll(async () => {
  await emu?.stop();
});

describe('WATCH at a resourceVersion newer than the store (§5.3)', () => {
  it('waits, then sends 200 + one ERROR 504 "Too large resource version" and ends the stream', async () => {
    const rv = await currentRv();
    const s = await watch(`${widgetsPath()}?watch=true&resourceVersion=${rv + 10}`);
    expect(s.status).toBe(200);
    expect(s.ended).toBe(true);
    expect(s.elapsedMs).toBeGreaterThanOrEqual(WAIT_MS - 20);
    expect(s.events).toEqual([
      {
        type: 'ERROR',
        object: {
          kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Timeout: Too large resource version: ${rv + 10}, current: ${rv}`,
          reason: 'Timeout', details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 }, code: 504,
        },
      },
    ]);
  });

  it('starts normally when the store reaches the version during the wait, sending only later changes', async () => {
    const rv = await currentRv();
    const s = await watch(`${widgetsPath()}?watch=true&resourceVersion=${rv + 1}`, (ev) => ev.length >= 1, () => {
      void (async () => {
        await create('late-1'); // reaches rv+1: not after it, so not sent
        await create('late-2');
      })();
    });
    expect(s.events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'late-2']]);
  });

  it('a non-numeric resourceVersion is a 400', async () => {
    const r = await raw(emu, 'GET', `${widgetsPath()}?watch=true&resourceVersion=abc`);
    expect(r.status).toBe(400);
    expect(r.json().message).toBe('invalid resource version: abc');
  });
});

describe('streaming lists: sendInitialEvents (§5.7)', () => {
  it('ADDED for every object, then the initial-events-end bookmark at the snapshot version, then changes', async () => {
    await create('s1', 'stream');
    await create('s2', 'stream');
    const rv = String(await currentRv());
    const q = 'watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true';
    const s = await watch(`${widgetsPath('stream')}?${q}`, (ev) => ev.some((e) => e.object.metadata?.name === 's3'), () => {
      setTimeout(() => void create('s3', 'stream'), 100);
    });
    const initial = s.events.slice(0, 3);
    expect(initial.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 's1'], ['ADDED', 's2'], ['BOOKMARK', undefined]]);
    expect(initial[2].object).toEqual({
      apiVersion: `${GROUP}/${VERSION}`, kind: 'Widget', metadata: { resourceVersion: rv, annotations: { 'k8s.io/initial-events-end': 'true' } },
    });
    expect(s.events.filter((e) => e.type !== 'BOOKMARK').at(-1)).toMatchObject({ type: 'ADDED', object: { metadata: { name: 's3' } } });
  });

  it('sendInitialEvents=false without a version sends no synthetic events', async () => {
    const s = await watch(`${widgetsPath('stream')}?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`, (ev) => ev.length >= 1, () => {
      setTimeout(() => void create('s4', 'stream'), 100);
    });
    expect(s.events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 's4']]);
  });

  it.each([
    ['sendInitialEvents=true', 'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'],
    ['resourceVersion=1&resourceVersionMatch=NotOlderThan', 'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'],
    [
      'sendInitialEvents=true&resourceVersionMatch=Exact&resourceVersion=1',
      '[resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]',
    ],
  ])('422 ListOptions for watch with %s', async (q, text) => {
    const r = await raw(emu, 'GET', `${widgetsPath()}?watch=true&${q}`);
    expect(r.status).toBe(422);
    expect(r.json()).toMatchObject({ reason: 'Invalid', message: `ListOptions.meta.k8s.io "" is invalid: ${text}` });
  });
});

describe('/openapi/v2 (§1.6)', () => {
  it('serves Swagger 2.0 JSON with a GVK-tagged patch operation listing fieldValidation for every served kind', async () => {
    const r = await raw(emu, 'GET', '/openapi/v2', { headers: { Accept: 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    const doc = r.json();
    expect(doc.swagger).toBe('2.0');
    expect(doc.info).toEqual({ title: 'Kubernetes', version: expect.stringMatching(/^v1\.\d+\.\d+$/) });
    const discovery = (await raw(emu, 'GET', `/apis/${GROUP}/${VERSION}`)).json();
    const served = discovery.resources.filter((x: { name: string }) => !x.name.includes('/')).map((x: { kind: string }) => x.kind);
    const ops = Object.values(doc.paths as Record<string, Record<string, any>>).flatMap((p) => Object.values(p)).filter((o) => o?.['x-kubernetes-group-version-kind']);
    for (const kind of [...served, 'Namespace']) {
      const group = kind === 'Namespace' ? '' : GROUP;
      const patch = ops.find((o) => o['x-kubernetes-action'] === 'patch' && o['x-kubernetes-group-version-kind'].kind === kind);
      expect(patch, kind).toBeDefined();
      expect(patch['x-kubernetes-group-version-kind']).toEqual({ group, version: 'v1', kind });
      expect(patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
      expect(Object.keys(patch.responses)).toContain('200');
      const defs = Object.values(doc.definitions as Record<string, any>).filter((d) => d['x-kubernetes-group-version-kind'][0].kind === kind);
      expect(defs[0]['x-kubernetes-group-version-kind'], kind).toEqual([{ group, version: 'v1', kind }]);
    }
    // Swagger 2.0: every {param} of a path template is declared as a path parameter.
    for (const [path, item] of Object.entries(doc.paths as Record<string, { parameters?: { name: string; in: string }[] }>)) {
      const declared = (item.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      expect(declared, path).toEqual([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
    }
  });

  it('answers 406 when only the protobuf encoding is acceptable', async () => {
    const r = await raw(emu, 'GET', '/openapi/v2', { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(r.status).toBe(406);
    expect(r.json()).toMatchObject({ kind: 'Status', reason: 'NotAcceptable', code: 406 });
  });

  it('needs the bearer token like every other API path', async () => {
    expect((await raw(emu, 'GET', '/openapi/v2', { token: null })).status).toBe(401);
  });
});
