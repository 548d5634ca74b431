/**
 * The write pipeline of the generic registry (kube-api.md §3.5, §9, §11.1 and the hook order of
 * types.ts): decode → managedFields bookkeeping → mutating admission → strategy (system fields,
 * status reset, generation) → defaulting → validation (422) → validating admission →
 * beforeWrite → persist → afterWrite. Nothing is stored unless every step succeeded, and
 * `dryRun` runs every step except the write.
 */
import type { HookContext, KindDef, KubeObject } from './types.ts';
import { runMutatingAdmission, runValidatingAdmission, type AdmissionAttributes } from './admission.ts';
import { recordUpdate, serverSideApply } from './ssa.ts';
import type { Store } from './store.ts';
import {
  alreadyExists, conflict, field, invalid, namespaceNotFound, namespaceTerminating, notFound, OPTIMISTIC_LOCK, unclassified,
} from './status.ts';
import {
  bumpsGeneration, generateName, newUid, nowTimestamp, restoreSystemFields, sameStoredData, validateMetaUpdate, validateObjectMeta,
} from './meta.ts';
import { resetsStatusOnMainWrite, type Kinds } from './kinds.ts';

export type Subresource = 'main' | 'status';

/** Who is writing and how; internal writes (hooks, garbage collector) skip admission. */
export interface WriteContext {
  dryRun: boolean;
  manager: string;
  user: { username: string; uid?: string; groups: string[] };
  internal?: boolean;
  options?: unknown;
  /** Webhook warnings land here; the server answers them as `Warning: 299` headers. */
  warnings?: string[];
}

export class Registry {
  constructor(
    readonly store: Store,
    readonly kinds: Kinds,
    private readonly onWrite: () => void,
  ) {}

  /** Tells the garbage collector that something changed. */
  notifyWrite(): void {
    this.onWrite();
  }

  // ---- CREATE -------------------------------------------------------------------------------

  async create(kind: KindDef, namespace: string | undefined, body: KubeObject, ctx: WriteContext, viaApply?: { force: boolean }): Promise<KubeObject> {
    const now = nowTimestamp();
    let obj = structuredClone(body);
    const m = obj.metadata;
    if (obj.metadata.resourceVersion) throw unclassified('resourceVersion should not be set on objects to be created');
    // §3.1: client-sent system fields are wiped, not rejected.
    for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'] as const) delete m[k];
    if (kind.namespaced) m.namespace = namespace;
    else delete m.namespace;
    if (kind.namespaced) this.checkNamespaceOpen(kind, namespace!, m.name ?? m.generateName ?? '');
    if (resetsStatusOnMainWrite(kind)) delete obj.status;
    obj = viaApply
      ? serverSideApply(undefined, obj, { manager: ctx.manager, force: viaApply.force, kind, subresource: 'main', now })
      : recordUpdate(undefined, obj, { manager: ctx.manager, kind, subresource: 'main', now });
    obj = (await this.mutate(ctx, { kind, operation: 'CREATE', namespace, name: obj.metadata.name ?? '', object: obj })) ?? obj;
    const prepared = this.prepareCreate(kind, namespace, obj, ctx, now);
    await this.validateAdmission(ctx, { kind, operation: 'CREATE', namespace, name: prepared.metadata.name!, object: prepared });
    return this.commitCreate(kind, prepared, ctx, !!body.metadata.generateName && !body.metadata.name);
  }

  /** The synchronous create path the hooks' StoreAccess uses (no admission). */
  createInternal(kind: KindDef, obj: KubeObject, ctx: WriteContext): KubeObject {
    const namespace = kind.namespaced ? obj.metadata.namespace : undefined;
    const prepared = this.prepareCreate(kind, namespace, structuredClone(obj), ctx, nowTimestamp());
    return this.commitCreate(kind, prepared, ctx, !obj.metadata.name);
  }

  private prepareCreate(kind: KindDef, namespace: string | undefined, obj: KubeObject, ctx: WriteContext, now: string): KubeObject {
    const m = obj.metadata;
    if (kind.namespaced) m.namespace = namespace;
    else delete m.namespace;
    m.uid = newUid();
    m.creationTimestamp = now;
    if (!m.name && m.generateName) m.name = generateName(m.generateName);
    if (kind.generation) m.generation = 1;
    else delete m.generation;
    // §9: a CR create through the main resource drops status; the server itself (hooks) may set it.
    if (resetsStatusOnMainWrite(kind) && !ctx.internal) delete obj.status;
    const hctx = this.hookContext(ctx, 'main', 'CREATE');
    kind.hooks?.default?.(obj, hctx);
    const causes = [...validateObjectMeta(obj, kind), ...(kind.hooks?.validate?.(obj, undefined, hctx) ?? [])];
    if (causes.length) throw invalid(kind, m.name ?? '', causes);
    return obj;
  }

  private commitCreate(kind: KindDef, obj: KubeObject, ctx: WriteContext, generated: boolean): KubeObject {
    const m = obj.metadata;
    if (kind.namespaced) this.checkNamespaceOpen(kind, m.namespace!, m.name!);
    // §3.1: generateName retries up to 8 times on a clash.
    for (let attempt = 0; this.store.get(kind, m.namespace, m.name!); attempt++) {
      if (!generated) throw alreadyExists(kind, m.name!);
      if (attempt >= 7) {
        const e = alreadyExists(kind, m.name!);
        throw Object.assign(e, { message: `${e.message}, the server was not able to generate a unique name for the object` });
      }
      m.name = generateName(m.generateName!);
    }
    const hctx = this.hookContext(ctx, 'main', 'CREATE');
    kind.hooks?.beforeWrite?.(obj, undefined, hctx);
    if (ctx.dryRun) {
      delete obj.metadata.resourceVersion;
      return obj;
    }
    const stored = this.store.put(kind, obj);
    this.onWrite();
    kind.hooks?.afterWrite?.(stored, undefined, hctx);
    return this.store.get(kind, m.namespace, m.name!) ?? stored;
  }

  // ---- UPDATE (PUT, PATCH, status writes) ---------------------------------------------------

  /**
   * Updates `name` with the full new object `body` (a PUT body or a patched object).
   * `requireRv`: PUT needs `metadata.resourceVersion` (§3.2); patches use it only as a precondition.
   */
  async update(
    kind: KindDef,
    namespace: string | undefined,
    name: string,
    build: (old: KubeObject) => KubeObject,
    sub: Subresource,
    ctx: WriteContext,
    opts: { requireRv: boolean; apply?: { force: boolean } },
  ): Promise<KubeObject> {
    // A patch without a resourceVersion applies to the latest state: retry when a concurrent write wins (§7.2).
    for (let attempt = 0; ; attempt++) {
      const old = this.store.get(kind, namespace, name);
      if (!old) throw notFound(kind, name);
      const body = build(old);
      const rvGiven = body.metadata.resourceVersion;
      if (opts.requireRv && !rvGiven) {
        throw Object.assign(invalid(kind, name, [field.invalid('metadata.resourceVersion', 0, 'must be specified for an update')]), {
          message: `${kind.group ? `${kind.resource}.${kind.group}` : kind.resource} "${name}" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update`,
          details: { name, ...(kind.group ? { group: kind.group } : {}), kind: kind.resource, causes: [field.invalid('metadata.resourceVersion', 0, 'must be specified for an update')] },
        });
      }
      if (rvGiven && rvGiven !== old.metadata.resourceVersion) throw conflict(kind, name, OPTIMISTIC_LOCK);
      if (body.metadata.uid && body.metadata.uid !== old.metadata.uid) {
        throw conflict(kind, name, `Precondition failed: UID in precondition: ${body.metadata.uid}, UID in object meta: ${old.metadata.uid}`);
      }
      try {
        return await this.updateFrom(kind, old, body, sub, ctx, opts.apply);
      } catch (e) {
        if (e instanceof StaleRead && !rvGiven && attempt < 5) continue;
        if (e instanceof StaleRead) throw conflict(kind, name, OPTIMISTIC_LOCK);
        throw e;
      }
    }
  }

  private async updateFrom(kind: KindDef, old: KubeObject, body: KubeObject, sub: Subresource, ctx: WriteContext, apply?: { force: boolean }): Promise<KubeObject> {
    const now = nowTimestamp();
    let obj = this.resetForSubresource(kind, old, body, sub);
    obj = apply
      ? serverSideApply(old, obj, { manager: ctx.manager, force: apply.force, kind, subresource: sub, now })
      : recordUpdate(old, obj, { manager: ctx.manager, kind, subresource: sub, now });
    const name = old.metadata.name!;
    const namespace = old.metadata.namespace;
    const subresource = sub === 'status' ? 'status' : undefined;
    obj = (await this.mutate(ctx, { kind, operation: 'UPDATE', subresource, namespace, name, object: obj, oldObject: old })) ?? obj;
    obj = this.resetForSubresource(kind, old, obj, sub);
    const prepared = this.prepareUpdate(kind, old, obj, sub, ctx);
    await this.validateAdmission(ctx, { kind, operation: 'UPDATE', subresource, namespace, name, object: prepared, oldObject: old });
    return this.commitUpdate(kind, old, prepared, sub, ctx);
  }

  /** The synchronous update the hooks' StoreAccess and the garbage collector use: the full object, status included. */
  updateInternal(kind: KindDef, obj: KubeObject, ctx: WriteContext): KubeObject {
    const old = this.store.get(kind, obj.metadata.namespace, obj.metadata.name!);
    if (!old) throw notFound(kind, obj.metadata.name!);
    const next = structuredClone(obj);
    restoreSystemFields(next, old);
    if (bumpsGeneration(next, old, kind)) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    return this.commitUpdate(kind, old, next, 'main', ctx, true);
  }

  /** §9: main writes keep the stored status, status writes keep everything but status. */
  private resetForSubresource(kind: KindDef, old: KubeObject, body: KubeObject, sub: Subresource): KubeObject {
    const obj = structuredClone(body);
    if (sub === 'status') {
      const out = structuredClone(old);
      if ('status' in obj) out.status = obj.status;
      else delete out.status;
      if (obj.metadata.managedFields !== undefined) out.metadata.managedFields = obj.metadata.managedFields;
      out.metadata.resourceVersion = obj.metadata.resourceVersion ?? old.metadata.resourceVersion;
      return out;
    }
    if (resetsStatusOnMainWrite(kind)) {
      if ('status' in old) obj.status = structuredClone(old.status);
      else delete obj.status;
    }
    return obj;
  }

  private prepareUpdate(kind: KindDef, old: KubeObject, obj: KubeObject, sub: Subresource, ctx: WriteContext): KubeObject {
    restoreSystemFields(obj, old);
    // §3.3: /status never changes generation; main writes bump it on non-metadata changes.
    if (sub === 'main' && bumpsGeneration(obj, old, kind)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
    const hctx = this.hookContext(ctx, sub, 'UPDATE');
    kind.hooks?.default?.(obj, hctx);
    const causes = [...validateObjectMeta(obj, kind), ...validateMetaUpdate(obj, old), ...(kind.hooks?.validate?.(obj, old, hctx) ?? [])];
    if (causes.length) throw invalid(kind, old.metadata.name!, causes);
    return obj;
  }

  private commitUpdate(kind: KindDef, old: KubeObject, obj: KubeObject, sub: Subresource, ctx: WriteContext, internal = false): KubeObject {
    const current = this.store.get(kind, old.metadata.namespace, old.metadata.name!);
    if (!current) throw notFound(kind, old.metadata.name!);
    if (current.metadata.resourceVersion !== old.metadata.resourceVersion) {
      if (internal) return this.updateInternal(kind, { ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } }, ctx);
      throw new StaleRead();
    }
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    const hctx = this.hookContext(ctx, sub, 'UPDATE');
    kind.hooks?.beforeWrite?.(obj, old, hctx);
    // §6.4: the update that removes the last finalizer of a deleting object deletes it.
    if (old.metadata.deletionTimestamp && !(obj.metadata.finalizers ?? []).length) {
      if (ctx.dryRun) return obj;
      const gone = this.store.remove(kind, old.metadata.namespace, old.metadata.name!, old);
      this.onWrite();
      if (gone) kind.hooks?.afterDelete?.(gone, this.hookContext(ctx, sub, 'DELETE'));
      return obj;
    }
    // §3.1: byte-identical data is a no-op (no new resourceVersion, no event).
    if (sameStoredData(obj, old) || ctx.dryRun) return sameStoredData(obj, old) ? old : obj;
    const stored = this.store.put(kind, obj);
    this.onWrite();
    kind.hooks?.afterWrite?.(stored, old, hctx);
    return this.store.get(kind, stored.metadata.namespace, stored.metadata.name!) ?? stored;
  }

  // ---- helpers --------------------------------------------------------------------------------

  checkNamespaceOpen(kind: KindDef, namespace: string, name: string): void {
    const ns = this.store.get(this.kinds.namespace, undefined, namespace);
    if (!ns) throw namespaceNotFound(namespace);
    if (ns.metadata.deletionTimestamp) throw namespaceTerminating(kind, name, namespace);
  }

  hookContext(ctx: WriteContext, subresource: Subresource, operation: HookContext['operation']): HookContext {
    return { store: this.kinds.storeAccess(this, ctx), dryRun: ctx.dryRun, subresource, operation };
  }

  private attributes(ctx: WriteContext, a: Omit<AdmissionAttributes, 'dryRun' | 'userInfo'>): AdmissionAttributes {
    return { ...a, dryRun: ctx.dryRun, userInfo: ctx.user, options: ctx.options, warnings: ctx.warnings };
  }

  async mutate(ctx: WriteContext, a: Omit<AdmissionAttributes, 'dryRun' | 'userInfo'>): Promise<KubeObject | undefined> {
    if (ctx.internal) return undefined;
    return runMutatingAdmission(this.attributes(ctx, a), this.kinds.admissionEnv());
  }

  async validateAdmission(ctx: WriteContext, a: Omit<AdmissionAttributes, 'dryRun' | 'userInfo'>): Promise<void> {
    if (ctx.internal) return;
    await runValidatingAdmission(this.attributes(ctx, a), this.kinds.admissionEnv());
  }
}

/** The object changed between read and commit (another request won); PUT answers 409, PATCH retries. */
export class StaleRead extends Error {}
