/**
 * Plan mode of the reconcile environment (`npm run plan`, issue 13 part 5): the SAME kind
 * reconcilers and shell (runtime.ts runReconcile) run against clients whose writes are sent with
 * `dryRun=All` and recorded instead of stored. The apinet server therefore fills in what it
 * allocates (VNI, IP address, defaults) exactly as for a real apply, and the ironcore patches the
 * core derives from that answer are the ones a reconcile would send. Nothing is stored in either
 * cluster; Events are not recorded (they are not part of the plan).
 */
import type { ResourceInfo } from '../api/resources.ts';
import { isNotFound, type KubeClient } from '../kube/index.ts';
import type { KubeObject } from '../kube/types.ts';
import type { PrimaryKind } from '../api/resources.ts';
import type { ReconcileContext } from '../queue/consumer.ts';
import type { ReconcileResult } from '../queue/result.ts';
import { runReconcile, type KindReconciler, type ReconcileEnv } from './runtime.ts';

export type PlannedVerb = 'apply' | 'create' | 'merge-patch' | 'json-patch' | 'delete';

/** One write a reconcile would make. */
export interface PlannedWrite {
  cluster: 'ironcore' | 'apinet';
  verb: PlannedVerb;
  kind: string;
  namespace?: string;
  name: string;
  subresource?: 'status';
  /** What would be sent: the applied object, the patch, or the delete options. */
  body: unknown;
  /** The object as it is stored now (undefined: it does not exist). */
  before?: KubeObject;
  /** The server's dry-run answer: the object as it would be stored (undefined for a delete that removes it). */
  after?: KubeObject;
}

/**
 * A client whose reads pass through and whose writes are dry-run and appended to `writes`.
 * With `dryRun: false` the writes are stored as usual and still recorded: what a real reconcile
 * wrote, in the same shape as its plan (the tests compare the two).
 */
export function planClient(inner: KubeClient, cluster: PlannedWrite['cluster'], writes: PlannedWrite[], overrides: KubeObject[] = [], mode: { dryRun?: boolean } = {}): KubeClient {
  const dryRun = mode.dryRun ?? true;
  const override = (res: ResourceInfo, ns: string | undefined, name: string) =>
    overrides.find((o) => o.kind === res.kind && (o.metadata.namespace ?? undefined) === (ns ?? undefined) && o.metadata.name === name);
  const record = async <T>(w: Omit<PlannedWrite, 'cluster' | 'before' | 'after'>, res: ResourceInfo, run: () => Promise<T>): Promise<T> => {
    const before = await inner.get(res, w.namespace, w.name);
    const out = await run();
    const after = out && typeof out === 'object' && 'object' in (out as object) ? (out as unknown as { object: KubeObject }).object : (out as unknown as KubeObject | undefined);
    writes.push({ cluster, ...w, before, after: after && (after as { kind?: string }).kind !== 'Status' && 'metadata' in after ? after : undefined });
    return out;
  };
  /**
   * A patch of a plan input that is not stored yet (the file names a new object): the server
   * answers 404 even to a dry run, so the patch is recorded and answered locally from the input
   * (merge patch applied; a JSON patch, i.e. the finalizer, leaves the input as it is).
   */
  const notStoredYet = async <T>(res: ResourceInfo, ns: string | undefined, name: string, local: (o: KubeObject) => KubeObject, remote: () => Promise<T>): Promise<T> => {
    try {
      return await remote();
    } catch (err) {
      const input = override(res, ns, name);
      if (!input || !isNotFound(err)) throw err;
      return local(input) as T;
    }
  };
  const client: KubeClient = {
    server: inner.server,
    get: async (res, ns, name) => (override(res, ns, name) as never) ?? inner.get(res, ns, name),
    list: (res, opts) => inner.list(res, opts),
    listAll: (res, opts) => inner.listAll(res, opts),
    apiCallTotals: () => inner.apiCallTotals(),
    takeApiCallCounts: () => inner.takeApiCallCounts(),
    apply: async (res, obj, opts) => (await client.applyReporting(res, obj, opts)).object as never,
    applyReporting: (res, obj, opts) =>
      record({ verb: 'apply', kind: res.kind, namespace: obj.metadata.namespace, name: obj.metadata.name!, subresource: opts.subresource, body: obj }, res, () =>
        inner.applyReporting(res, obj, { ...opts, dryRun }),
      ),
    create: (res, obj, opts) =>
      record({ verb: 'create', kind: res.kind, namespace: obj.metadata.namespace, name: obj.metadata.name ?? '', body: obj }, res, () =>
        inner.create(res, obj, { ...opts, dryRun }),
      ),
    mergePatch: (res, ns, name, patch, opts = {}) =>
      record({ verb: 'merge-patch', kind: res.kind, namespace: ns, name, subresource: opts.subresource, body: patch }, res, () =>
        notStoredYet(res, ns, name, (o) => mergeLocally(o, patch), () => inner.mergePatch(res, ns, name, patch, { ...opts, dryRun })),
      ),
    jsonPatch: (res, ns, name, ops, opts = {}) =>
      record({ verb: 'json-patch', kind: res.kind, namespace: ns, name, subresource: opts.subresource, body: ops }, res, () =>
        notStoredYet(res, ns, name, (o) => o, () => inner.jsonPatch(res, ns, name, ops, { ...opts, dryRun })),
      ),
    delete: (res, ns, name, opts = {}) =>
      record({ verb: 'delete', kind: res.kind, namespace: ns, name, body: opts }, res, async () => {
        const r = await inner.delete(res, ns, name, { ...opts, dryRun });
        return r.state === 'deleting' ? (r.object as never) : (r as never);
      }).then((r) => (r && (r as KubeObject).metadata ? { state: 'deleting' as const, object: r as never } : { state: 'gone' as const })),
  };
  return client;
}

/** RFC 7386 JSON merge patch, applied locally. */
function mergeLocally<T>(target: T, patch: unknown): T {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch as T;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeLocally(out[k], v);
  }
  return out as T;
}

/**
 * The plan environment of `env`: same settings, dry-run recording clients, no Events.
 * `ironcoreObjects`: ironcore objects read as if stored (the plan's input, e.g. a server-side
 * dry-run apply of the file given to `npm run plan`).
 */
export function planEnv(env: ReconcileEnv, writes: PlannedWrite[], ironcoreObjects: KubeObject[] = []): ReconcileEnv {
  return {
    ...env,
    ironcore: planClient(env.ironcore, 'ironcore', writes, ironcoreObjects),
    apinet: planClient(env.apinet, 'apinet', writes),
    events: { disabled: true },
    pendingEvents: undefined,
  };
}

export interface PlanResult {
  kind: PrimaryKind;
  namespace: string;
  name: string;
  result: ReconcileResult;
  writes: PlannedWrite[];
}

/** Runs one kind's reconcile of one key in plan mode: what it would write, written nowhere. */
export async function planReconcile<T extends KubeObject>(
  reconciler: KindReconciler<T>,
  env: ReconcileEnv,
  key: { namespace: string; name: string },
  ctx: ReconcileContext,
  ironcoreObjects: KubeObject[] = [],
): Promise<PlanResult> {
  const writes: PlannedWrite[] = [];
  const result = await runReconcile(
    reconciler,
    planEnv(env, writes, ironcoreObjects),
    { v: 1, kind: reconciler.kind, namespace: key.namespace, name: key.name, source: 'resync', run: 'plan' } as never,
    // Not an early delivery: the object is read as stored, no admission-visibility retries.
    { ...ctx, receiveCount: Math.max(ctx.receiveCount, 100) },
  );
  return { kind: reconciler.kind, namespace: key.namespace, name: key.name, result, writes };
}
