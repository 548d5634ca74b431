/**
 * The deployable bundles as Lambda runs them: `infra/build.mjs` builds dist/ once into a temp
 * folder outside the repository (no node_modules to fall back on), then each test starts a fresh
 * `node` that imports one bundle with a deployed function's environment and calls its `handler`
 * with a realistic event. The clusters are the project's emulators, the queues a real fauxqs.
 * Run again on Node 22 (the nodejs22.x runtime) when NODE22 names its binary.
 */
import { realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { startEmulator, type Emulator } from '../../infra/local/emulator/index.ts';
import { startLocalSqs, type LocalSqs } from '../../infra/local/stack/queues.ts';
import { apinet, apiVersionOf, core, ironcore, PRIMARY_KINDS, type PrimaryKind, type ResourceInfo } from '../../shared/api/resources.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../shared/kube/index.ts';
import type { KubeObject } from '../../shared/kube/types.ts';
import { toSqsEvent } from '../../shared/queue/delivery.ts';
import { createSqsEnqueuer } from '../../shared/queue/enqueue.ts';
import { createSqsClient } from '../../shared/queue/sqs.ts';
import { queueUrlVariable } from '../../shared/config.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const NS = 'apinet';
const TOKEN = 'bundle-test-token';
const NODE22 = process.env.NODE22?.trim() || undefined;

/** Imports a bundle, invokes `handler` once per event (one warm container), prints the results after a marker. */
const RUNNER = `
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventsFile] = process.argv.slice(2);
const print = (o) => process.stdout.write('\\n@@RESULT@@' + JSON.stringify(o) + '\\n');
let mod;
try { mod = await import(pathToFileURL(bundle).href); }
catch (err) { print({ importError: { name: err?.name, message: String(err?.message ?? err) } }); process.exit(1); }
const results = [];
for (const [i, event] of JSON.parse(readFileSync(eventsFile, 'utf8')).entries()) {
  const deadline = Date.now() + 30000;
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME;
  const context = { functionName: name, functionVersion: '$LATEST', memoryLimitInMB: '256', awsRequestId: 'req-' + i,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:' + name, logGroupName: '/aws/lambda/' + name,
    logStreamName: 'stream', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => deadline - Date.now(),
    done() {}, fail() {}, succeed() {} };
  try { results.push({ value: await mod.handler(event, context) }); }
  catch (err) { results.push({ error: String(err?.stack ?? err) }); }
}
print({ results });
process.exit(0); // Lambda freezes the sandbox; open keep-alive sockets must not keep us waiting
`;

let dir = '';
let ironcoreEmu: Emulator;
let apinetEmu: Emulator;
let sqs: LocalSqs;
let sqsClient: SQSClient;
let ironcoreClient: KubeClient;
let apinetClient: KubeClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apinetlet-bundles-'));
  const built = run(process.execPath, [join(root, 'infra/build.mjs')], { env: { ...process.env, OUTDIR: join(dir, 'dist') } });
  [ironcoreEmu, apinetEmu, sqs] = await Promise.all([
    startEmulator({ flavour: 'ironcore' }),
    startEmulator({ flavour: 'apinet', namespaces: ['default', NS] }),
    startLocalSqs({ serverlessYmlPath: join(root, 'serverless.yml') }),
  ]);
  await built;
  await writeFile(join(dir, 'runner.mjs'), RUNNER);
  sqsClient = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  ironcoreClient = createKubeClient(loadKubeConfig(ironcoreEmu.kubeconfig(), 'ironcore kubeconfig'));
  apinetClient = createKubeClient(loadKubeConfig(apinetEmu.kubeconfig(), 'apinet kubeconfig'));
}, 60_000);

afterAll(async () => {
  sqsClient?.destroy();
  await Promise.allSettled([ironcoreEmu?.stop(), apinetEmu?.stop(), sqs?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What a deployed function's sandbox holds (serverless.yml provider.environment plus Lambda's own variables). */
function lambdaEnv(fn: string, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH, LANG: 'en_US.UTF-8', TZ: ':UTC', LAMBDA_TASK_ROOT: join(dir, 'dist'),
    AWS_LAMBDA_FUNCTION_NAME: `apinetlet-test-${fn}`, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: 'fake',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    APINET_NAMESPACE: NS, APINETLET_WATCH_FILTER: '', APINETLET_NODE_AFFINITY_AWARE: 'false',
    APINETLET_DISABLE_NETWORK_PEERING: 'false', NAT_AUTOSCALING: 'true',
    IRONCORE_KUBECONFIG: b64(ironcoreEmu.kubeconfig()), APINET_KUBECONFIG: b64(apinetEmu.kubeconfig()),
    WEBHOOK_TOKEN: TOKEN, SQS_ENDPOINT: sqs.endpoint,
    POWERTOOLS_SERVICE_NAME: 'apinetlet', POWERTOOLS_METRICS_NAMESPACE: 'apinetlet',
    ...Object.fromEntries(PRIMARY_KINDS.map((k) => [queueUrlVariable(k), sqs.queues[k]])),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

type Invocation = { importError?: { name: string; message: string }; results?: Array<{ value?: any; error?: string }> };

let seq = 0;
/** Starts `node <runner> <bundle>` as a fresh sandbox and invokes the handler with each event in turn. */
async function invoke(node: string, bundle: string, events: unknown[], env: Record<string, string>): Promise<Invocation> {
  const eventsFile = join(dir, `events-${++seq}.json`);
  await writeFile(eventsFile, JSON.stringify(events));
  const out = await run(node, [join(dir, 'runner.mjs'), join(dir, 'dist', `${bundle}.mjs`), eventsFile], { env, cwd: join(dir, 'dist'), maxBuffer: 16 << 20 })
    .catch((err: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: err.stdout ?? '', stderr: `${err.stderr ?? ''} (exit ${err.code})` }));
  const line = out.stdout.split('\n').find((l) => l.startsWith('@@RESULT@@'));
  if (!line) throw new Error(`${bundle}: the runner printed no result\nstdout: ${out.stdout}\nstderr: ${out.stderr}`);
  return JSON.parse(line.slice('@@RESULT@@'.length)) as Invocation;
}

/** The handler results of a successful invocation; names the error otherwise. */
function valuesOf(bundle: string, inv: Invocation): any[] {
  if (inv.importError) throw new Error(`${bundle}: import failed: ${inv.importError.message}`);
  return inv.results!.map((r, i) => {
    if (r.error !== undefined) throw new Error(`${bundle}: handler call ${i} threw: ${r.error}`);
    return r.value;
  });
}

/** API Gateway HTTP API payload 2.0, as the admission/watch routes receive it. */
function httpEvent(path: string, body: unknown, opts: { token?: string; base64?: boolean } = {}) {
  const text = JSON.stringify(body);
  const now = new Date();
  return {
    version: '2.0', routeKey: `POST ${path}`, rawPath: path, rawQueryString: 'timeout=10s',
    queryStringParameters: { timeout: '10s' },
    headers: {
      accept: 'application/json, */*', authorization: `Bearer ${opts.token ?? TOKEN}`, 'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)), host: 'abc123.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'kube-apiserver-admission', 'x-forwarded-for': '10.0.0.1', 'x-forwarded-port': '443', 'x-forwarded-proto': 'https',
    },
    requestContext: {
      accountId: '000000000000', apiId: 'abc123', domainName: 'abc123.execute-api.us-east-1.amazonaws.com', domainPrefix: 'abc123',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'kube-apiserver-admission' },
      requestId: `r${++seq}`, routeKey: `POST ${path}`, stage: '$default', time: now.toUTCString(), timeEpoch: now.getTime(),
    },
    body: opts.base64 ? Buffer.from(text).toString('base64') : text,
    isBase64Encoded: !!opts.base64,
  };
}

/** The JSON body of an API Gateway proxy result. */
const bodyOf = (res: { body: string; isBase64Encoded?: boolean }) =>
  JSON.parse(res.isBase64Encoded ? Buffer.from(res.body, 'base64').toString('utf8') : res.body);

function review(uid: string, res: ResourceInfo, operation: 'CREATE' | 'UPDATE', object: KubeObject, extra: Record<string, unknown> = {}) {
  const [group, version] = apiVersionOf(res).includes('/') ? apiVersionOf(res).split('/') : ['', apiVersionOf(res)];
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid, kind: { group, version, kind: object.kind }, resource: { group, version, resource: res.plural },
      requestKind: { group, version, kind: object.kind }, requestResource: { group, version, resource: res.plural },
      name: object.metadata.name, namespace: object.metadata.namespace, operation,
      userInfo: { username: 'system:serviceaccount:kube-system:tester', groups: ['system:authenticated'] },
      object, oldObject: operation === 'UPDATE' ? object : null, dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions' }, ...extra,
    },
  };
}

/** Receives everything visible on a kind's queue and deletes it (each test leaves the queue empty). */
async function takeAll(kind: PrimaryKind, keep = false): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const out = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl: sqs.queues[kind], MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    const got = out.Messages ?? [];
    if (got.length === 0) break;
    all.push(...got);
  }
  if (!keep) await deleteMessages(kind, all);
  return all;
}

async function deleteMessages(kind: PrimaryKind, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const Entries = messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle }));
    await sqsClient.send(new DeleteMessageBatchCommand({ QueueUrl: sqs.queues[kind], Entries }));
  }
}

const keyOf = (m: Message) => {
  const b = JSON.parse(m.Body ?? '{}');
  return `${b.kind} ${b.namespace}/${b.name} ${b.source}`;
};

async function ironcoreObject(res: ResourceInfo, ns: string, name: string, spec: Record<string, unknown>): Promise<KubeObject> {
  await ironcoreClient.apply(core.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { fieldManager: 'test' });
  return ironcoreClient.apply(res, { apiVersion: apiVersionOf(res), kind: res.kind, metadata: { name, namespace: ns }, spec }, { fieldManager: 'test' });
}

// When this runtime IS the NODE22 binary (CI's Node 22 run), the first variant already covers it.
const node22IsThisRuntime = NODE22 !== undefined && realpathSync(NODE22) === realpathSync(process.execPath);
const variants = [
  { tag: 'a', label: `node ${process.version} (this runtime)`, node: process.execPath, skip: undefined as string | undefined },
  {
    tag: 'b',
    label: 'node 22 (NODE22, the nodejs22.x runtime)',
    node: NODE22 ?? '',
    skip: !NODE22
      ? 'NODE22 is not set: point it at a Node 22 binary to run this variant'
      : node22IsThisRuntime
        ? 'NODE22 is this runtime, tested by the first variant'
        : undefined,
  },
];

for (const v of variants) {
  describe.skipIf(v.skip !== undefined)(`bundles on ${v.label}${v.skip ? ` — skipped: ${v.skip}` : ''}`, () => {
    const tag = v.tag;

    it('runs on the runtime it is meant to test', async () => {
      const { stdout } = await run(v.node, ['--version']);
      expect(stdout.trim()).toMatch(v.node === process.execPath ? process.version : /^v22\./);
    });

    it('admission: /validate answers 200 with the uid and enqueues the key; /mutate adds the finalizer; a wrong token → 401', async () => {
      const vip = await ironcoreObject(ironcore.VirtualIP, `bun-adm-${tag}`, 'vip1', { type: 'Public', ipFamily: 'IPv4' });
      const fresh = { ...vip, metadata: { name: 'vip2', namespace: vip.metadata.namespace, uid: 'c0ffee00-0000-4000-8000-00000000000b' } };
      const [validated, mutated, unauthorized] = valuesOf('admission', await invoke(v.node, 'admission', [
        httpEvent('/validate', review('rev-validate', ironcore.VirtualIP, 'CREATE', vip)),
        httpEvent('/mutate', review('rev-mutate', ironcore.VirtualIP, 'CREATE', fresh), { base64: true }),
        httpEvent('/validate', review('rev-401', ironcore.VirtualIP, 'CREATE', vip), { token: 'wrong' }),
      ], lambdaEnv('admission')));
      expect(validated.statusCode).toBe(200);
      expect(bodyOf(validated).response).toMatchObject({ uid: 'rev-validate', allowed: true });
      expect(mutated.statusCode).toBe(200);
      const m = bodyOf(mutated).response;
      expect(m).toMatchObject({ uid: 'rev-mutate', allowed: true, patchType: 'JSONPatch' });
      expect(JSON.parse(Buffer.from(m.patch, 'base64').toString('utf8'))).toEqual([
        { op: 'add', path: '/metadata/finalizers', value: ['apinet.ironcore.dev/virtualip'] },
      ]);
      expect(unauthorized.statusCode).toBe(401);
      expect((await takeAll('VirtualIP')).map(keyOf)).toEqual([`VirtualIP bun-adm-${tag}/vip1 admission`]);
    });

    it('watch: an AdmissionReview of an apinet object with origin metadata is allowed and its ironcore key enqueued (R-GEN-05)', async () => {
      const ip = {
        apiVersion: apiVersionOf(apinet.IP), kind: 'IP',
        metadata: {
          name: `ip-${tag}`, namespace: NS, uid: `ip-uid-${tag}`, resourceVersion: '7',
          labels: { 'apinetlet.ironcore.dev/virtualip-uid': 'u1', 'apinetlet.ironcore.dev/virtualip-namespace': `bun-watch-${tag}` },
          annotations: { 'apinetlet.ironcore.dev/virtualip-name': 'vip1' },
        },
        spec: { type: 'Public', ipFamily: 'IPv4', ip: '10.0.0.9' },
      };
      const [res] = valuesOf('watch', await invoke(v.node, 'watch', [
        // The IPAM allocation of the address: an UPDATE whose old object had none (a no-op write maps to nothing).
        httpEvent('/events/apinet', review('rev-watch', apinet.IP, 'UPDATE', ip, {
          userInfo: { username: 'system:serviceaccount:apinet-system:apinet-controller' },
          oldObject: { ...ip, metadata: { ...ip.metadata, resourceVersion: '6' }, spec: { type: 'Public', ipFamily: 'IPv4' } },
        })),
      ], lambdaEnv('watch')));
      expect(res.statusCode).toBe(200);
      expect(bodyOf(res).response).toEqual({ uid: 'rev-watch', allowed: true });
      expect((await takeAll('VirtualIP')).map(keyOf)).toEqual([`VirtualIP bun-watch-${tag}/vip1 watch`]);
    });

    for (const [kind, res, spec, projection] of [
      ['VirtualIP', ironcore.VirtualIP, { type: 'Public', ipFamily: 'IPv4' }, apinet.IP],
      ['Network', ironcore.Network, {}, apinet.Network],
    ] as const) {
      it(`reconcile/${kind.toLowerCase()}: an SQS event from fauxqs → no batch item failures; the apinet projection exists`, async () => {
        const ns = `bun-rec-${kind.toLowerCase()}-${tag}`;
        const obj = await ironcoreObject(res, ns, 'o1', spec);
        await takeAll(kind);
        await createSqsEnqueuer({ client: createSqsClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), queueUrls: sqs.queues }).enqueue([{ v: 1, kind, namespace: ns, name: 'o1', source: 'resync', run: `r-${tag}` }]);
        const messages = await takeAll(kind, true);
        expect(messages.map(keyOf)).toEqual([`${kind} ${ns}/o1 resync`]);
        const [out] = valuesOf(`reconcile/${kind.toLowerCase()}`, await invoke(v.node, `reconcile/${kind.toLowerCase()}`, [toSqsEvent(messages, sqs.queues[kind])], lambdaEnv(kind.toLowerCase())));
        expect(out).toEqual({ batchItemFailures: [] });
        await deleteMessages(kind, messages); // what Lambda's event source does with a successful batch
        const projected = await apinetClient.get(projection, NS, obj.metadata.uid!);
        expect(projected?.metadata.labels).toMatchObject({ [`apinetlet.ironcore.dev/${kind.toLowerCase()}-uid`]: obj.metadata.uid });
        const stored = await ironcoreClient.get(res, ns, 'o1');
        expect(stored?.metadata.finalizers).toContain(`apinet.ironcore.dev/${kind.toLowerCase()}`);
      });
    }

    it('resync: a scheduled event returns a summary and the keys are on the queues', async () => {
      const ns = `bun-resync-${tag}`;
      await ironcoreObject(ironcore.Network, ns, 'n1', {});
      await ironcoreObject(ironcore.VirtualIP, ns, 'v1', { type: 'Public', ipFamily: 'IPv4' });
      await Promise.all(PRIMARY_KINDS.map((k) => takeAll(k)));
      const event = {
        version: '0', id: `sched-${tag}-${Date.now()}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000',
        time: new Date().toISOString(), region: 'us-east-1', resources: ['arn:aws:events:us-east-1:000000000000:rule/apinetlet-resync'], detail: {},
      };
      const [summary] = valuesOf('resync', await invoke(v.node, 'resync', [event], lambdaEnv('resync')));
      expect(summary.errors).toEqual([]);
      expect(summary.run).toBe(event.id);
      const network = (await takeAll('Network')).map(keyOf);
      const vips = (await takeAll('VirtualIP')).map(keyOf);
      expect(network).toContain(`Network ${ns}/n1 resync`);
      expect(vips).toContain(`VirtualIP ${ns}/v1 resync`);
      expect(summary.enqueued.Network).toBe(network.length);
      expect(summary.enqueued.VirtualIP).toBe(vips.length);
      await Promise.all(PRIMARY_KINDS.map((k) => takeAll(k)));
    });

    it('a bundle with missing and malformed settings fails at import with ONE message naming every bad variable', async () => {
      const bad = lambdaEnv('admission', { APINET_NAMESPACE: 'Not_A_Namespace', WEBHOOK_TOKEN: undefined, QUEUE_URL_NETWORK: 'not a url', SQS_ENDPOINT: 'nope', NAT_AUTOSCALING: 'maybe' });
      const adm = await invoke(v.node, 'admission', [], bad);
      expect(adm.results).toBeUndefined();
      expect(adm.importError?.name).toBe('ConfigError');
      for (const variable of ['APINET_NAMESPACE', 'WEBHOOK_TOKEN', 'QUEUE_URL_NETWORK', 'SQS_ENDPOINT', 'NAT_AUTOSCALING']) {
        expect(adm.importError?.message).toContain(variable);
      }
      expect(adm.importError?.message).toMatch(/^invalid configuration \(5 problems\)/);
      const rec = await invoke(v.node, 'reconcile/virtualip', [], lambdaEnv('virtualip', { APINET_NAMESPACE: undefined, QUEUE_URL_VIRTUALIP: undefined }));
      expect(rec.importError?.name).toBe('ConfigError');
      expect(rec.importError?.message).toContain('APINET_NAMESPACE');
      expect(rec.importError?.message).toContain('QUEUE_URL_VIRTUALIP');
    });
  });
}

// Bundle budgets (issue 13, minified, 1 KB = 1000 bytes): what a cold start has to load. The
// webhooks carry only zod, hono and the fetch-based SQS/SSM client; no bundle carries the AWS SDK
// or @kubernetes/client-node (shared/aws, shared/kube/kubeconfig.ts).
describe('bundle budgets', () => {
  const budgets: Array<[string, number]> = [
    ['admission.mjs', 250_000],
    ['watch.mjs', 400_000],
    ['resync.mjs', 1_000_000],
    ...PRIMARY_KINDS.map((k): [string, number] => [`reconcile/${k.toLowerCase()}.mjs`, 1_000_000]),
  ];
  it.each(budgets)('%s is within %i bytes', async (file, budget) => {
    const { size } = await stat(join(dir, 'dist', file));
    expect(size).toBeLessThanOrEqual(budget);
  });

  it('no bundle carries the AWS SDK or @kubernetes/client-node', async () => {
    for (const [file] of budgets) {
      const text = await readFile(join(dir, 'dist', file), 'utf8');
      expect(text, file).not.toMatch(/@aws-sdk\/|@smithy\/|KubernetesObjectApi|ws does not work in the browser/);
    }
  });
});
