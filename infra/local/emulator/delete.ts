/**
 * DELETE (kube-api.md §6): preconditions, finalizers → deletionTimestamp, propagation
 * finalizers (orphan, foregroundDeletion), immediate removal, admission with `object: null`.
 */
import type { KindDef, KubeObject } from './types.ts';
import type { Registry, WriteContext } from './registry.ts';
import { deleteSuccessBody, field, invalidOptions, notFound, qualifiedKind } from './status.ts';
import { ApiError } from './types.ts';
import { nowTimestamp } from './meta.ts';

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: Propagation;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
}

export interface DeleteOutcome {
  /** The Status of an immediate removal, or the object as it is now (deleting). */
  body: Record<string, unknown> | KubeObject;
  removed: boolean;
}

const PROPAGATIONS = ['Foreground', 'Background', 'Orphan'];

/** §6.1: DeleteOptions validation (422 `DeleteOptions.meta.k8s.io ""`). */
export function validateDeleteOptions(o: DeleteOptions): void {
  if (o.propagationPolicy !== undefined && !PROPAGATIONS.includes(o.propagationPolicy)) {
    throw invalidOptions('DeleteOptions', [field.notSupported('propagationPolicy', o.propagationPolicy, PROPAGATIONS)]);
  }
  if (o.propagationPolicy !== undefined && o.orphanDependents !== undefined) {
    throw invalidOptions('DeleteOptions', [field.invalid('propagationPolicy', o.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set')]);
  }
}

function checkPreconditions(kind: KindDef, obj: KubeObject, p: DeleteOptions['preconditions']): void {
  const name = obj.metadata.name!;
  const q = qualifiedKind(kind);
  const details = { name, ...(kind.group ? { group: kind.group } : {}), kind: kind.kind };
  if (p?.uid && p.uid !== obj.metadata.uid) {
    throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${q} "${name}": the UID in the precondition (${p.uid}) does not match the UID in record (${obj.metadata.uid}). The object might have been deleted and then recreated`, details);
  }
  if (p?.resourceVersion && p.resourceVersion !== obj.metadata.resourceVersion) {
    throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${q} "${name}": the ResourceVersion in the precondition (${p.resourceVersion}) does not match the ResourceVersion in record (${obj.metadata.resourceVersion}). The object might have been modified`, details);
  }
}

/** DELETE of one object through the API (admission included). */
export async function deleteObject(registry: Registry, kind: KindDef, namespace: string | undefined, name: string, opts: DeleteOptions, ctx: WriteContext): Promise<DeleteOutcome> {
  validateDeleteOptions(opts);
  const obj = registry.store.get(kind, namespace, name);
  if (!obj) throw notFound(kind, name);
  checkPreconditions(kind, obj, opts.preconditions);
  const attrs = { kind, operation: 'DELETE' as const, namespace: obj.metadata.namespace, name, oldObject: obj };
  const mutated = await registry.mutate(ctx, attrs);
  if (mutated) throw new ApiError(500, 'InternalError', 'Internal error occurred: admission webhook attempted to modify the object, which is not supported for this operation');
  await registry.validateAdmission(ctx, attrs);
  return deleteNow(registry, kind, namespace, name, opts, ctx);
}

/** The synchronous part, shared with the garbage collector and the hooks' StoreAccess. */
export function deleteNow(registry: Registry, kind: KindDef, namespace: string | undefined, name: string, opts: DeleteOptions, ctx: WriteContext): DeleteOutcome {
  const obj = registry.store.get(kind, namespace, name);
  if (!obj) throw notFound(kind, name);
  const finalizers = obj.metadata.finalizers ?? [];
  // §6.5: an existing propagation finalizer is the default; CRs default to Background.
  const policy: Propagation =
    opts.propagationPolicy ??
    (opts.orphanDependents === true ? 'Orphan' : finalizers.includes('orphan') ? 'Orphan' : finalizers.includes('foregroundDeletion') ? 'Foreground' : 'Background');
  const gcFinalizer = policy === 'Orphan' ? 'orphan' : policy === 'Foreground' ? 'foregroundDeletion' : undefined;
  // Namespaces always terminate gracefully: their content goes first (the namespace controller's part).
  const graceful = kind === registry.kinds.namespace;

  if (!obj.metadata.deletionTimestamp && finalizers.length === 0 && !gcFinalizer && !graceful) {
    if (ctx.dryRun) return { body: deleteSuccessBody(kind, name, obj.metadata.uid), removed: false };
    const gone = registry.store.remove(kind, namespace, name);
    registry.notifyWrite();
    if (gone) kind.hooks?.afterDelete?.(gone, registry.hookContext(ctx, 'main', 'DELETE'));
    return { body: deleteSuccessBody(kind, name, obj.metadata.uid), removed: true };
  }

  const next = structuredClone(obj);
  let fin = (next.metadata.finalizers ?? []).filter((f) => !(gcFinalizer && (f === 'orphan' || f === 'foregroundDeletion')));
  if (gcFinalizer) fin = [...fin, gcFinalizer];
  const changedFinalizers = JSON.stringify(fin) !== JSON.stringify(finalizers);
  if (obj.metadata.deletionTimestamp && !changedFinalizers) return { body: obj, removed: false };
  if (fin.length) next.metadata.finalizers = fin;
  else delete next.metadata.finalizers;
  if (!next.metadata.deletionTimestamp) {
    next.metadata.deletionTimestamp = nowTimestamp();
    next.metadata.deletionGracePeriodSeconds = 0;
    if ((next.metadata.generation ?? 0) > 0) next.metadata.generation = next.metadata.generation! + 1;
    if (graceful) next.status = { ...((next.status as object) ?? {}), phase: 'Terminating' };
  }
  if (ctx.dryRun) return { body: next, removed: false };
  const stored = registry.store.put(kind, next);
  registry.notifyWrite();
  return { body: stored, removed: false };
}
