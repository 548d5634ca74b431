/**
 * Server-side apply and managedFields bookkeeping (kube-api.md §8). Pure: the server passes the
 * stored object and the request body and persists what comes back; uid, resourceVersion,
 * creationTimestamp and generation are the server's business.
 */
import { type FieldSet, type Path, difference, intersection, pathKey, printPath, sortedPaths, union } from './fieldsv1.ts';
import { type Entry, dropMissing, encodeEntries, parseEntries, printManager, sameIdentity, scopeSet } from './ssa-entries.ts';
import { Topology, TopologyError, applySet, allNodes, clone, deepEqual, diff, isObj, merge, removePath } from './ssa-topology.ts';
import { ApiError, type FieldCause, type KindDef, type KubeObject } from './types.ts';

export interface ApplyOptions { manager: string; force: boolean; kind: KindDef; subresource: 'main' | 'status'; now: string }

const gv = (k: KindDef): string => (k.group ? `${k.group}/${k.version}` : k.version);
const qualified = (k: KindDef): string => (k.group ? `${k.kind}.${k.group}` : k.kind);

function checkApplied(applied: KubeObject, kind: KindDef, live: KubeObject | undefined): void {
  if (!isObj(applied)) throw new ApiError(400, 'BadRequest', 'error decoding patch: the applied configuration must be an object');
  if (applied.apiVersion !== gv(kind) || applied.kind !== kind.kind) {
    throw new ApiError(400, 'BadRequest', `invalid object type: ${String(applied.apiVersion ?? '')}, Kind=${String(applied.kind ?? '')}`);
  }
  if (!isObj(applied.metadata)) {
    throw new ApiError(400, 'BadRequest', `error decoding patch: metadata of the applied ${qualified(kind)} must be an object`);
  }
  const mf = applied.metadata.managedFields;
  // A copy of the stored entries is the server's own doing (e.g. a status write built from the
  // stored object), not the client's: only foreign managedFields are rejected.
  if (mf !== undefined && mf !== null && !(live && deepEqual(mf, live.metadata.managedFields))) {
    throw new ApiError(400, 'BadRequest', 'metadata.managedFields must be nil');
  }
  if (!applied.metadata.name) {
    const message = 'Required value: name or generateName is required';
    throw new ApiError(422, 'Invalid', `${qualified(kind)} "" is invalid: metadata.name: ${message}`, {
      kind: kind.kind, group: kind.group, name: '', causes: [{ reason: 'FieldValueRequired', message, field: 'metadata.name' }],
    });
  }
}

/** The part of the applied configuration a write to `subresource` may change (§8.8). */
function scopedConfig(applied: KubeObject, opts: ApplyOptions): KubeObject {
  const c = clone(applied);
  delete c.metadata.managedFields;
  if (opts.subresource === 'status') {
    const meta = { name: c.metadata.name, ...(c.metadata.namespace ? { namespace: c.metadata.namespace } : {}) };
    return { apiVersion: c.apiVersion, kind: c.kind, metadata: meta, ...(c.status !== undefined ? { status: c.status } : {}) };
  }
  if (opts.kind.statusSubresource) delete c.status;
  return c;
}

function conflictError(conflicts: { entry: Entry; path: Path }[]): ApiError {
  const causes: FieldCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.entry)}`, field: printPath(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0]!.entry)}: ${printPath(conflicts[0]!.path)}`;
  } else {
    const byManager = new Map<string, Path[]>();
    for (const c of conflicts) byManager.set(printManager(c.entry), [...(byManager.get(printManager(c.entry)) ?? []), c.path]);
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${m}:`, ...byManager.get(m)!.map((p) => `- ${printPath(p)}`));
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/** Whether some path of `owned` lies strictly below `p` (removing `p` would remove it). */
function hasOwnedDescendant(p: string, owned: FieldSet): boolean {
  const prefix = p.slice(0, -1) + ',';
  for (const k of owned) if (k.startsWith(prefix)) return true;
  return false;
}

/** Server-side apply of `applied` by `opts.manager` onto `live` (§8.4). */
export function serverSideApply(live: KubeObject | undefined, applied: KubeObject, opts: ApplyOptions): KubeObject {
  checkApplied(applied, opts.kind, live);
  const topo = new Topology(opts.kind);
  if (opts.subresource === 'status' && !live) {
    throw new ApiError(404, 'NotFound', `${opts.kind.resource}${opts.kind.group ? `.${opts.kind.group}` : ''} "${applied.metadata.name}" not found`, {
      name: applied.metadata.name, group: opts.kind.group, kind: opts.kind.resource,
    });
  }
  const config = scopedConfig(applied, opts);
  const sub = opts.subresource === 'status' ? 'status' : undefined;

  let newSet: FieldSet;
  try {
    newSet = scopeSet(applySet(config, topo), opts.subresource, opts.kind.statusSubresource);
  } catch (e) {
    if (!(e instanceof TopologyError)) throw e;
    const key = `${applied.metadata.namespace ? `${applied.metadata.namespace}/` : ''}${applied.metadata.name}`;
    throw new ApiError(500, 'InternalError', `failed to create typed patch object (${key}; ${gv(opts.kind)}, Kind=${opts.kind.kind}): ${e.message}`);
  }

  const entries = parseEntries(live?.metadata.managedFields);
  if (live && entries.length === 0) {
    // §8.3 before-first-apply: an untracked object's existing fields get an owner first.
    const present = scopeSet(allNodes(stripMF(live), topo, [], '', new Set()), 'main', false);
    entries.push({ manager: 'before-first-apply', operation: 'Update', apiVersion: gv(opts.kind), time: opts.now, set: present });
  }
  let me = entries.find((e) => sameIdentity(e, opts.manager, 'Apply', '', sub));
  const others = entries.filter((e) => e !== me);

  const base = live ? stripMF(live) : { apiVersion: config.apiVersion, kind: config.kind, metadata: {} };
  const merged = merge(base, config, topo) as KubeObject;

  // Prune (§8.4 step 3): what this manager stopped applying and nobody else owns.
  const othersOwned = union(...others.map((e) => e.set));
  const keepBelow = union(othersOwned, newSet);
  const toRemove = difference(difference(me?.set ?? new Set(), newSet), othersOwned);
  for (const p of sortedPaths(toRemove)) {
    if (!hasOwnedDescendant(pathKey(p), keepBelow)) removePath(merged, p, topo);
  }

  // Conflicts (§8.4 step 4): fields of other managers the result adds or changes.
  const d = live ? diff(base, merged, topo) : undefined;
  const changed = d ? union(d.added, d.modified) : new Set<string>();
  const conflicts: { entry: Entry; path: Path }[] = [];
  for (const e of others) {
    for (const p of sortedPaths(intersection(e.set, changed))) conflicts.push({ entry: e, path: p });
  }
  if (conflicts.length > 0 && !opts.force) throw conflictError(conflicts);
  for (const c of conflicts) c.entry.set.delete(pathKey(c.path));

  const objectChanged = !d || d.added.size + d.modified.size + d.removed.size > 0;
  if (!me) {
    me = { manager: opts.manager, operation: 'Apply', apiVersion: applied.apiVersion, time: opts.now, set: newSet, ...(sub ? { subresource: sub } : {}) };
    entries.push(me);
  } else {
    const setChanged = me.set.size !== newSet.size || difference(newSet, me.set).size > 0;
    if (objectChanged || setChanged) me.time = opts.now;
    me.set = newSet;
    me.apiVersion = applied.apiVersion;
  }
  dropMissing(entries, merged, topo);
  return withEntries(merged, entries);
}

function stripMF(o: KubeObject): KubeObject {
  const c = clone(o);
  delete c.metadata.managedFields;
  return c;
}

function withEntries(obj: KubeObject, entries: Entry[]): KubeObject {
  const mf = encodeEntries(entries);
  if (mf) obj.metadata.managedFields = mf;
  else delete obj.metadata.managedFields;
  return obj;
}

function isReset(mf: unknown): boolean {
  return Array.isArray(mf) && (mf.length === 0 || (mf.length === 1 && isObj(mf[0]) && Object.keys(mf[0]).length === 0));
}

/**
 * managedFields bookkeeping for create/update/merge/JSON patch writes (§8.6): the manager's Update
 * entry gains every field the write added or changed, other managers lose them. A body with
 * `managedFields: []` or `[{}]` resets tracking (§8.10); a body without managedFields keeps the stored ones.
 */
export function recordUpdate(
  old: KubeObject | undefined,
  updated: KubeObject,
  opts: { manager: string; kind: KindDef; subresource: 'main' | 'status'; now: string },
): KubeObject {
  const topo = new Topology(opts.kind);
  const sent = updated.metadata.managedFields;
  const reset = isReset(sent);
  const entries = reset ? [] : parseEntries(Array.isArray(sent) ? sent : old?.metadata.managedFields);
  const result = stripMF(updated);
  // §8.3: a non-apply write to an untracked object does not start tracking (a create always does).
  if (old && entries.length === 0 && !reset) return result;

  const before = old ? stripMF(old) : undefined;
  const d = diff(before, result, topo);
  const changed = scopeSet(union(d.added, d.modified), opts.subresource, opts.kind.statusSubresource);
  const sub = opts.subresource === 'status' ? 'status' : undefined;
  if (changed.size > 0) {
    for (const e of entries) for (const k of changed) e.set.delete(k);
    let me = entries.find((e) => sameIdentity(e, opts.manager, 'Update', gv(opts.kind), sub));
    if (!me) {
      me = { manager: opts.manager, operation: 'Update', apiVersion: gv(opts.kind), time: opts.now, set: new Set(), ...(sub ? { subresource: sub } : {}) };
      entries.push(me);
    }
    me.set = union(me.set, changed);
    me.time = opts.now;
  }
  dropMissing(entries, result, topo);
  return withEntries(result, entries);
}
