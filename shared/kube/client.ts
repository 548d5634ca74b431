import type { KubeConfig } from './kubeconfig.ts';
import { apiVersionOf, resourcePath, type ResourceInfo } from '../api/resources.ts';
import type { RequestContext } from './errors.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import { kubeConfigTransport, withBudget, type BudgetOptions, type HttpRequest, type Transport } from './transport.ts';
import type { JsonPatchOp, KubeList, KubeObject } from './types.ts';

export interface ListOptions {
  /** Omit for all namespaces (or a cluster-scoped kind). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ApplyOptions {
  fieldManager: string;
  /** Take ownership of conflicting fields (ARCHITECTURE.md 3: apinetlet always applies with force). Default true. */
  force?: boolean;
  subresource?: 'status';
  /** `dryRun=All`: the server validates, defaults and allocates, answers the result, stores nothing (plan). */
  dryRun?: boolean;
}

export interface PatchOptions {
  subresource?: 'status';
  fieldManager?: string;
  /** `dryRun=All` (see ApplyOptions.dryRun). */
  dryRun?: boolean;
}

export interface MergePatchOptions extends PatchOptions {
  /** Optimistic concurrency: the patch carries `metadata.resourceVersion`, a stale one → ConflictError. */
  resourceVersion?: string;
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /** `dryRun=All` (see ApplyOptions.dryRun). */
  dryRun?: boolean;
}

/** `gone`: removed now. `deleting`: finalizers pending; `object` is the object with its deletionTimestamp. */
export type DeleteResult<T extends KubeObject = KubeObject> = { state: 'gone' } | { state: 'deleting'; object: T };

export interface KubeClient {
  /** The API server URL (for log lines). */
  readonly server: string;
  /** GET one object; `undefined` when the server answers 404 (every other failure throws a typed error). */
  get<T extends KubeObject = KubeObject>(res: ResourceInfo, namespace: string | undefined, name: string): Promise<T | undefined>;
  /** One page of a LIST. */
  list<T extends KubeObject = KubeObject>(res: ResourceInfo, opts?: ListOptions): Promise<KubeList<T>>;
  /** Every item of a LIST, fetched page by page (`limit`, default 500) so memory stays flat. */
  listAll<T extends KubeObject = KubeObject>(res: ResourceInfo, opts?: Omit<ListOptions, 'continue'>): AsyncIterable<T>;
  /** Server-side apply of the whole desired object (namespace and name from its metadata). */
  apply<T extends KubeObject = KubeObject>(res: ResourceInfo, obj: KubeObject, opts: ApplyOptions): Promise<T>;
  /** {@link apply}, also saying whether the server created the object (201) rather than updated it (200). */
  applyReporting<T extends KubeObject = KubeObject>(res: ResourceInfo, obj: KubeObject, opts: ApplyOptions): Promise<{ object: T; created: boolean }>;
  /** POST a new object (namespace from its metadata); an existing one throws AlreadyExistsError. */
  create<T extends KubeObject = KubeObject>(res: ResourceInfo, obj: KubeObject, opts?: { fieldManager?: string; dryRun?: boolean }): Promise<T>;
  /** JSON merge patch (RFC 7386). */
  mergePatch<T extends KubeObject = KubeObject>(
    res: ResourceInfo,
    namespace: string | undefined,
    name: string,
    patch: Record<string, unknown>,
    opts?: MergePatchOptions,
  ): Promise<T>;
  /** JSON patch (RFC 6902); a failing `test` op answers 422 → InvalidError. */
  jsonPatch<T extends KubeObject = KubeObject>(
    res: ResourceInfo,
    namespace: string | undefined,
    name: string,
    ops: JsonPatchOp[],
    opts?: PatchOptions,
  ): Promise<T>;
  /** DELETE; a missing object throws NotFoundError, a failed precondition ConflictError. */
  delete<T extends KubeObject = KubeObject>(res: ResourceInfo, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<DeleteResult<T>>;
  /** API calls made since the last call, per `<verb> <kind>` (for the apiCalls metric); resets the counts. */
  takeApiCallCounts(): Record<string, number>;
  /** API calls made since the client was created, per `<verb> <kind>`; never reset (for deltas). */
  apiCallTotals(): Record<string, number>;
}

export interface KubeClientOptions {
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
  /** For tests: replaces the HTTP layer. */
  transport?: Transport;
  /** Client-side request budget and 429 waits (issue 12, transport.ts withBudget); none by default. */
  budget?: BudgetOptions;
}

export function createKubeClient(kc: KubeConfig, options: KubeClientOptions = {}): KubeClient {
  const server = kc.getCurrentCluster()?.server ?? '';
  const base = options.transport ?? kubeConfigTransport(kc, options.timeoutMs ?? 15_000);
  const transport = options.budget ? withBudget(base, options.budget) : base;
  const counts = new Map<string, number>();
  const totals = new Map<string, number>();

  const exchange = async <R>(req: HttpRequest, ctx: RequestContext): Promise<{ code: number; body: R }> => {
    const counter = `${ctx.verb} ${ctx.kind}`;
    counts.set(counter, (counts.get(counter) ?? 0) + 1);
    totals.set(counter, (totals.get(counter) ?? 0) + 1);
    const { code, body } = await transport(req, ctx);
    return { code, body: (body ? JSON.parse(body) : undefined) as R };
  };
  const call = async <R>(req: HttpRequest, ctx: RequestContext): Promise<R> => (await exchange<R>(req, ctx)).body;
  const keyOf = (res: ResourceInfo, namespace: string | undefined, name: string) =>
    res.namespaced && namespace ? `${namespace}/${name}` : name;
  const ctxOf = (verb: string, res: ResourceInfo, namespace: string | undefined, name: string): RequestContext => ({
    verb,
    kind: res.kind,
    key: keyOf(res, namespace, name),
  });
  const listPath = (res: ResourceInfo, opts: ListOptions) =>
    resourcePath(res, opts.namespace) +
    query({ labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit, continue: opts.continue });

  const client: KubeClient = {
    server,
    async get<T extends KubeObject>(res: ResourceInfo, namespace: string | undefined, name: string) {
      try {
        return await call<T>({ method: 'GET', path: resourcePath(res, namespace, name) }, ctxOf('get', res, namespace, name));
      } catch (err) {
        // A 404 of a namespaced GET also covers a missing namespace: either way the object is absent.
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
    },
    async list<T extends KubeObject>(res: ResourceInfo, opts: ListOptions = {}) {
      const list = await call<KubeList<T>>({ method: 'GET', path: listPath(res, opts) }, ctxOf('list', res, opts.namespace, '*'));
      // The servers send list items without apiVersion and kind (only CRD lists repeat them); put
      // them back, so a listed object compares like a fetched one (the drift checks, the cores).
      const apiVersion = apiVersionOf(res);
      if (list.items) list.items = list.items.map((o) => (o.apiVersion && o.kind ? o : ({ ...o, apiVersion: o.apiVersion ?? apiVersion, kind: o.kind ?? res.kind } as T)));
      return list;
    },
    async *listAll<T extends KubeObject>(res: ResourceInfo, opts: Omit<ListOptions, 'continue'> = {}) {
      let cont: string | undefined;
      do {
        const page: KubeList<T> = await client.list<T>(res, { ...opts, limit: opts.limit ?? 500, continue: cont });
        yield* page.items ?? [];
        cont = page.metadata?.continue || undefined;
      } while (cont);
    },
    async apply<T extends KubeObject>(res: ResourceInfo, obj: KubeObject, opts: ApplyOptions) {
      return (await client.applyReporting<T>(res, obj, opts)).object;
    },
    async applyReporting<T extends KubeObject>(res: ResourceInfo, obj: KubeObject, opts: ApplyOptions) {
      const { namespace, name } = obj.metadata;
      if (!name) throw new Error(`apply ${res.kind}: the object has no metadata.name; set it`);
      const body = { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(res), kind: obj.kind ?? res.kind };
      const answer = await exchange<T>(
        {
          method: 'PATCH',
          path: resourcePath(res, namespace, name, opts.subresource) + query({ fieldManager: opts.fieldManager, force: opts.force ?? true, dryRun: dry(opts) }),
          // JSON is YAML: the apply content type accepts a JSON body.
          contentType: 'application/apply-patch+yaml',
          body: JSON.stringify(body),
        },
        ctxOf('apply', res, namespace, name),
      );
      return { object: answer.body, created: answer.code === 201 };
    },
    create<T extends KubeObject>(res: ResourceInfo, obj: KubeObject, opts: { fieldManager?: string; dryRun?: boolean } = {}) {
      const namespace = obj.metadata.namespace;
      const body = { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(res), kind: obj.kind ?? res.kind };
      return call<T>(
        { method: 'POST', path: resourcePath(res, namespace) + query({ fieldManager: opts.fieldManager, dryRun: dry(opts) }), body: JSON.stringify(body) },
        ctxOf('create', res, namespace, obj.metadata.name ?? ''),
      );
    },
    mergePatch<T extends KubeObject>(
      res: ResourceInfo,
      namespace: string | undefined,
      name: string,
      patch: Record<string, unknown>,
      opts: MergePatchOptions = {},
    ) {
      const withPrecondition =
        opts.resourceVersion === undefined
          ? patch
          : { ...patch, metadata: { ...((patch.metadata as object | undefined) ?? {}), resourceVersion: opts.resourceVersion } };
      return call<T>(
        {
          method: 'PATCH',
          path: resourcePath(res, namespace, name, opts.subresource) + query({ fieldManager: opts.fieldManager, dryRun: dry(opts) }),
          contentType: 'application/merge-patch+json',
          body: JSON.stringify(withPrecondition),
        },
        ctxOf(opts.subresource ? 'patch-status' : 'patch', res, namespace, name),
      );
    },
    jsonPatch<T extends KubeObject>(res: ResourceInfo, namespace: string | undefined, name: string, ops: JsonPatchOp[], opts: PatchOptions = {}) {
      return call<T>(
        {
          method: 'PATCH',
          path: resourcePath(res, namespace, name, opts.subresource) + query({ fieldManager: opts.fieldManager, dryRun: dry(opts) }),
          contentType: 'application/json-patch+json',
          body: JSON.stringify(ops),
        },
        ctxOf(opts.subresource ? 'patch-status' : 'patch', res, namespace, name),
      );
    },
    async delete<T extends KubeObject>(res: ResourceInfo, namespace: string | undefined, name: string, opts: DeleteOptions = {}) {
      const body = { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', propagationPolicy: opts.propagationPolicy, preconditions: opts.preconditions };
      const answer = await call<KubeObject | { kind: 'Status' }>(
        { method: 'DELETE', path: resourcePath(res, namespace, name) + query({ dryRun: dry(opts) }), body: JSON.stringify(body) },
        ctxOf('delete', res, namespace, name),
      );
      // CRs removed at once answer a Success Status; with finalizers (or Foreground/Orphan) the updated object.
      if (!answer || answer.kind === 'Status') return { state: 'gone' };
      return { state: 'deleting', object: answer as T };
    },
    apiCallTotals() {
      return Object.fromEntries(totals);
    },
    takeApiCallCounts() {
      const out = Object.fromEntries(counts);
      counts.clear();
      return out;
    },
  };
  return client;
}

/** The `dryRun` query value of a write's options. */
function dry(opts: { dryRun?: boolean }): string | undefined {
  return opts.dryRun ? 'All' : undefined;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const clients = new Map<string, KubeClient>();

/**
 * One client per cluster per cold start: cached by the kubeconfig source (path, YAML, base64 or
 * '' for the default), so warm invocations reuse the client and its keep-alive connections.
 */
export function getKubeClient(source: string | undefined, what = 'kubeconfig', options?: KubeClientOptions): KubeClient {
  const cacheKey = source?.trim() ?? '';
  let client = clients.get(cacheKey);
  if (!client) {
    client = createKubeClient(loadKubeConfig(source, what), options);
    clients.set(cacheKey, client);
  }
  return client;
}
