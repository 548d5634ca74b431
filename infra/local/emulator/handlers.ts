/**
 * The resource verbs over HTTP: get, list, watch, create, update, patch, delete,
 * deletecollection, each on the main resource or `/status` (kube-api.md §1.1, §3–§10).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KindDef, KubeObject } from './types.ts';
import type { Registry, Subresource, WriteContext } from './registry.ts';
import { boolParam, decodeObjectBody, parseJson, parseYaml, readBody, sendJson } from './http.ts';
import { encodeContinue, matches, paginate, parseFieldSelector, parseLabelSelector, type Selectors } from './list.ts';
import { applyJsonPatch, mergePatch, patchTypeOf } from './patch.ts';
import { deleteObject, type DeleteOptions } from './delete.ts';
import { serveWatch } from './watch.ts';
import { badRequest, conflict, continueTooOld, field, invalidOptions, listTooOld, tooLargeResourceVersion } from './status.ts';
import { listParams, parseRv, planList, validateListOptions } from './list-options.ts';
import { dropUnknownMetaFields, unknownMetaFields } from './meta.ts';
import { ApiError } from './types.ts';

export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  kind: KindDef;
  namespace?: string;
  name?: string;
  sub?: Subresource;
  user: WriteContext['user'];
  bookmarkIntervalMs: number;
  /** How long a read at a resourceVersion newer than the store waits before 504 (~3 s real, §4.5). */
  tooLargeRvWaitMs: number;
}

const apiVersionOf = (k: KindDef) => (k.group ? `${k.group}/${k.version}` : k.version);

function selectorsOf(r: ResourceRequest): Selectors {
  const fields = parseFieldSelector(r.query.get('fieldSelector'), r.kind);
  if (r.name !== undefined) {
    const contradicting = fields.find((f) => f.field === 'metadata.name' && f.op === 'eq' && f.value !== r.name);
    if (contradicting) throw badRequest(`fieldSelector metadata.name doesn't match requested name`);
    fields.push({ field: 'metadata.name', op: 'eq', value: r.name });
  }
  return { labels: parseLabelSelector(r.query.get('labelSelector')), fields };
}

/** §4.5: a read "not older than X" for X beyond the store waits for it, then answers 504. */
async function awaitRv(registry: Registry, r: ResourceRequest, rv: number | undefined): Promise<void> {
  if (rv === undefined || rv <= registry.store.currentRv()) return;
  if (!(await registry.store.waitForRv(rv, r.tooLargeRvWaitMs))) throw tooLargeResourceVersion(rv, registry.store.currentRv());
}

export async function handleGet(registry: Registry, r: ResourceRequest): Promise<void> {
  const rv = r.query.get('resourceVersion') ?? '';
  if (rv && rv !== '0') await awaitRv(registry, r, parseRv(rv));
  const obj = registry.store.get(r.kind, r.namespace, r.name!);
  if (!obj) throw notFoundFor(r);
  sendJson(r.res, 200, obj);
}

function notFoundFor(r: ResourceRequest): ApiError {
  const name = r.name!;
  const q = r.kind.group ? `${r.kind.resource}.${r.kind.group}` : r.kind.resource;
  return new ApiError(404, 'NotFound', `${q} "${name}" not found`, { name, ...(r.kind.group ? { group: r.kind.group } : {}), kind: r.kind.resource });
}

export async function handleList(registry: Registry, r: ResourceRequest): Promise<void> {
  const sel = selectorsOf(r);
  const p = listParams(r.query);
  validateListOptions(p, false);
  const plan = planList(p);
  await awaitRv(registry, r, plan.minRv);
  const filter = (o: KubeObject) => matches(sel, r.kind, o);
  let listRv: number;
  let all: KubeObject[];
  if (plan.at === 'exact') {
    // §4.2/§4.5: continued pages and Exact lists come from the snapshot at the version, not the current state.
    const snapshot = registry.store.stateAt(r.kind, plan.rv, r.namespace, filter);
    if (!snapshot) throw plan.start !== undefined ? continueTooOld(encodeContinue(-1, plan.start)) : listTooOld();
    [listRv, all] = [plan.rv, snapshot];
  } else {
    [listRv, all] = [registry.store.currentRv(), registry.store.list(r.kind, r.namespace, filter)];
  }
  const page = paginate(all, { limit: p.limit, start: plan.start, rv: listRv, selected: sel.labels.length > 0 || sel.fields.length > 0 });
  const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
  if (page.continue) metadata.continue = page.continue;
  if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
  sendJson(r.res, 200, { apiVersion: apiVersionOf(r.kind), kind: `${r.kind.kind}List`, metadata, items: page.items.map(withoutTypeMeta) });
}

/**
 * A list's items without `apiVersion` and `kind`, as kube-apiserver and the aggregated ironcore and
 * apinet servers send them (the list's own kind says what they are; only CRD lists repeat it).
 */
function withoutTypeMeta(o: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest as KubeObject;
}

export function handleWatch(registry: Registry, r: ResourceRequest): void {
  const sel = selectorsOf(r);
  const p = listParams(r.query);
  validateListOptions(p, true);
  const rv = p.resourceVersion;
  if (rv && rv !== '0') parseRv(rv);
  const t = r.query.get('timeoutSeconds');
  serveWatch(
    r.res,
    registry.store,
    {
      kind: r.kind,
      namespace: r.namespace,
      selectors: sel,
      resourceVersion: r.query.get('resourceVersion') ?? undefined,
      sendInitialEvents: p.sendInitialEvents,
      tooLargeRvWaitMs: r.tooLargeRvWaitMs,
      allowBookmarks: boolParam(r.query, 'allowWatchBookmarks'),
      timeoutSeconds: t ? Number(t) : undefined,
      bookmarkIntervalMs: r.bookmarkIntervalMs,
    },
    (cleanup) => {
      r.res.on('close', cleanup);
      r.req.on('close', cleanup);
    },
  );
}

/** Common write options: dryRun (§10), fieldManager (§7.5), fieldValidation (§7.6). */
function writeContext(r: ResourceRequest, optionsKind: string): WriteContext & { fieldValidation: string; warnings: string[] } {
  const dry = r.query.getAll('dryRun');
  if (dry.some((d) => d !== 'All')) throw invalidOptions(optionsKind, [field.notSupported('dryRun', dry, ['All'])]);
  const fm = r.query.get('fieldManager') ?? '';
  if (fm.length > 128) throw invalidOptions(optionsKind, [field.tooLong('fieldManager', 'may not exceed 128 characters')]);
  const ua = String(r.req.headers['user-agent'] ?? '');
  const manager = fm || ua.split('/')[0] || 'unknown';
  const fieldValidation = r.query.get('fieldValidation') || 'Warn';
  return {
    dryRun: dry.length > 0,
    manager,
    user: r.user,
    options: { kind: optionsKind, apiVersion: 'meta.k8s.io/v1', ...(fm ? { fieldManager: fm } : {}), ...(dry.length ? { dryRun: dry } : {}) },
    fieldValidation,
    warnings: [],
  };
}

/** Checks a POST/PUT body against the URL (400s of kube-api.md §2.3) and applies fieldValidation. */
function checkBody(r: ResourceRequest, raw: unknown, ctx: { fieldValidation: string; warnings: string[] }): KubeObject {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('the request body must be a JSON object');
  const obj = raw as KubeObject;
  const expected = apiVersionOf(r.kind);
  if (!obj.kind) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(raw)}'`);
  if (obj.apiVersion !== expected) throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`);
  if (obj.kind !== r.kind.kind) throw badRequest(`${obj.kind} in version "${r.kind.version}" cannot be handled as a ${r.kind.kind}: the kind in the data does not match the expected kind`);
  obj.metadata ??= {};
  if (typeof obj.metadata !== 'object') throw badRequest(`${r.kind.kind} in version "${r.kind.version}" cannot be handled as a ${r.kind.kind}: metadata must be an object`);
  if (r.namespace !== undefined && obj.metadata.namespace !== undefined && obj.metadata.namespace !== '' && obj.metadata.namespace !== r.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const unknown = unknownMetaFields(obj);
  if (unknown.length && ctx.fieldValidation === 'Strict') {
    throw badRequest(`${r.kind.kind} in version "${r.kind.version}" cannot be handled as a ${r.kind.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`);
  }
  if (unknown.length && ctx.fieldValidation !== 'Ignore') ctx.warnings.push(...unknown.map((u) => `unknown field "${u}"`));
  dropUnknownMetaFields(obj);
  return obj;
}

export async function handleCreate(registry: Registry, r: ResourceRequest): Promise<void> {
  const ctx = writeContext(r, 'CreateOptions');
  const obj = checkBody(r, decodeObjectBody(r.req, await readBody(r.req)), ctx);
  const created = await registry.create(r.kind, r.namespace, obj, ctx);
  sendJson(r.res, 201, created, ctx.warnings);
}

export async function handleUpdate(registry: Registry, r: ResourceRequest): Promise<void> {
  const ctx = writeContext(r, 'UpdateOptions');
  const obj = checkBody(r, decodeObjectBody(r.req, await readBody(r.req)), ctx);
  if (obj.metadata.name !== r.name) throw badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${r.name})`);
  const updated = await registry.update(r.kind, r.namespace, r.name!, () => obj, r.sub ?? 'main', ctx, { requireRv: true });
  sendJson(r.res, 200, updated, ctx.warnings);
}

export async function handlePatch(registry: Registry, r: ResourceRequest): Promise<void> {
  const type = patchTypeOf(r.req.headers['content-type']);
  const ctx = writeContext(r, 'PatchOptions');
  const force = r.query.has('force') ? boolParam(r.query, 'force') : undefined;
  if (type !== 'apply' && force) throw invalidOptions('PatchOptions', [field.forbidden('force', 'may not be specified for non-apply patch')]);
  const body = await readBody(r.req);
  const sub = r.sub ?? 'main';
  if (type === 'apply') {
    if (!r.query.get('fieldManager')) throw invalidOptions('PatchOptions', [field.required('fieldManager', 'is required for apply patch')]);
    const applied = parseYaml(body, 'error decoding patch') as KubeObject;
    if (!applied || typeof applied !== 'object' || Array.isArray(applied)) throw badRequest('error decoding patch: the applied configuration must be an object');
    if (applied.apiVersion !== apiVersionOf(r.kind) || applied.kind !== r.kind.kind) {
      throw badRequest(`invalid object type: ${applied.apiVersion ?? ''}, Kind=${applied.kind ?? ''}`);
    }
    applied.metadata ??= {};
    if (applied.metadata.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
    if (applied.metadata.name === undefined) applied.metadata.name = r.name;
    if (r.kind.namespaced && applied.metadata.namespace === undefined) applied.metadata.namespace = r.namespace;
    const live = registry.store.get(r.kind, r.namespace, r.name!);
    if (!live && sub === 'main') {
      // §7.7: apply creates.
      if (applied.metadata.uid) throw conflict(r.kind, r.name!, `uid mismatch: the provided object specified uid ${applied.metadata.uid}, and no existing object was found`);
      const created = await registry.create(r.kind, r.namespace, applied, { ...ctx, options: { ...(ctx.options as object), kind: 'CreateOptions' } }, { force: !!force });
      sendJson(r.res, 201, created, ctx.warnings);
      return;
    }
    const updated = await registry.update(r.kind, r.namespace, r.name!, () => structuredClone(applied), sub, ctx, { requireRv: false, apply: { force: !!force } });
    sendJson(r.res, 200, updated, ctx.warnings);
    return;
  }
  const patch = parseJson(body);
  if (type === 'merge' && (patch === null || typeof patch !== 'object' || Array.isArray(patch))) throw badRequest('error decoding patch: a merge patch must be a JSON object');
  const explicitRv = (doc: unknown) => (doc as KubeObject | undefined)?.metadata?.resourceVersion;
  const updated = await registry.update(
    r.kind,
    r.namespace,
    r.name!,
    (old) => {
      const next = (type === 'merge' ? mergePatch(old, patch) : applyJsonPatch(old, patch)) as KubeObject;
      if (!next || typeof next !== 'object' || !next.metadata) throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
      // §7.2: a resourceVersion the patch sets is a precondition; otherwise the latest state is patched.
      if (explicitRv(next) === old.metadata.resourceVersion && !patchSetsRv(type, patch)) delete next.metadata.resourceVersion;
      for (const u of unknownMetaFields(next)) if (ctx.fieldValidation !== 'Ignore') ctx.warnings.push(`unknown field "${u}"`);
      dropUnknownMetaFields(next);
      return next;
    },
    sub,
    ctx,
    { requireRv: false },
  );
  sendJson(r.res, 200, updated, ctx.warnings);
}

function patchSetsRv(type: 'merge' | 'json', patch: unknown): boolean {
  if (type === 'merge') return (patch as KubeObject).metadata?.resourceVersion !== undefined;
  return (patch as { path?: string }[]).some((op) => op.path === '/metadata/resourceVersion');
}

async function deleteOptionsOf(r: ResourceRequest): Promise<DeleteOptions & { dryRun?: string[] }> {
  const body = await readBody(r.req);
  const fromBody = body.length ? (parseJson(body) as DeleteOptions & { dryRun?: string[] }) : {};
  const pp = r.query.get('propagationPolicy');
  return { ...(pp ? { propagationPolicy: pp as DeleteOptions['propagationPolicy'] } : {}), ...fromBody };
}

export async function handleDelete(registry: Registry, r: ResourceRequest): Promise<void> {
  const opts = await deleteOptionsOf(r);
  if (opts.dryRun?.length) for (const d of opts.dryRun) r.query.append('dryRun', d);
  const ctx = writeContext(r, 'DeleteOptions');
  const out = await deleteObject(registry, r.kind, r.namespace, r.name!, opts, ctx);
  sendJson(r.res, 200, out.body);
}

export async function handleDeleteCollection(registry: Registry, r: ResourceRequest): Promise<void> {
  const opts = await deleteOptionsOf(r);
  if (opts.dryRun?.length) for (const d of opts.dryRun) r.query.append('dryRun', d);
  const ctx = writeContext(r, 'DeleteOptions');
  const sel = selectorsOf(r);
  const matched = registry.store.list(r.kind, r.namespace, (o) => matches(sel, r.kind, o));
  for (const o of matched) {
    try {
      await deleteObject(registry, r.kind, o.metadata.namespace, o.metadata.name!, opts, ctx);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }
  sendJson(r.res, 200, { apiVersion: apiVersionOf(r.kind), kind: `${r.kind.kind}List`, metadata: { resourceVersion: String(registry.store.currentRv()) }, items: matched.map(withoutTypeMeta) });
}
