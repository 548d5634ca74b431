/**
 * An in-memory StoreAccess for unit tests of flavour hooks: it plays the server's part for
 * objects the hooks create themselves (uid, generateName, the created kind's own hooks), and
 * `write` runs one request through default → validate → beforeWrite → persist → afterWrite.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, type Flavour, type HookContext, type KindDef, type KindRef, type KubeObject, type StoreAccess } from '../../../../infra/local/emulator/types.ts';

const key = (ref: KindRef, ns: string | undefined, name: string) => `${ref.group}/${ref.resource}/${ns ?? ''}/${name}`;

export class MemoryServer {
  readonly objects = new Map<string, KubeObject>();
  private counter = 0;

  constructor(readonly flavour: Flavour) {}

  kind(ref: KindRef | string): KindDef {
    const k = typeof ref === 'string'
      ? this.flavour.kinds.find((x) => x.kind === ref)
      : this.flavour.kinds.find((x) => x.group === ref.group && x.resource === ref.resource);
    if (!k) throw new Error(`no kind ${JSON.stringify(ref)}`);
    return k;
  }

  access(dryRun: boolean): StoreAccess {
    return {
      get: (ref, ns, name) => structuredClone(this.objects.get(key(ref, ns, name))),
      list: (ref, ns) =>
        [...this.objects.values()]
          .filter((o) => {
            const k = this.kind(ref);
            return o.kind === k.kind && o.apiVersion === `${k.group}/${k.version}` && (ns === undefined || o.metadata.namespace === ns);
          })
          .map((o) => structuredClone(o)),
      create: (ref, obj) => this.write(this.kind(ref).kind, structuredClone(obj), { dryRun }),
      update: (ref, obj) => {
        const k = this.kind(ref);
        const next = structuredClone(obj);
        next.metadata.resourceVersion = String(++this.counter);
        if (!dryRun) this.objects.set(key(k, next.metadata.namespace, next.metadata.name!), next);
        return next;
      },
      delete: (ref, ns, name) => {
        const k = this.kind(ref);
        const gone = this.objects.get(key(k, ns, name));
        if (!gone) throw new ApiError(404, 'NotFound', `${name} not found`);
        if (dryRun) return;
        this.objects.delete(key(k, ns, name));
        k.hooks?.afterDelete?.(gone, this.ctx(false, 'DELETE', 'main'));
      },
    };
  }

  ctx(dryRun: boolean, operation: HookContext['operation'], subresource: HookContext['subresource']): HookContext {
    return { store: this.access(dryRun), dryRun, operation, subresource };
  }

  /** One create (no stored object) or update through the hook pipeline; throws ApiError(422) on causes. */
  write(kindName: string, body: KubeObject, opts: { dryRun?: boolean; subresource?: 'main' | 'status' } = {}): KubeObject {
    const k = this.kind(kindName);
    const obj = structuredClone(body);
    obj.apiVersion = `${k.group}/${k.version}`;
    obj.kind = k.kind;
    const name = obj.metadata.name ?? '';
    const old = name ? this.objects.get(key(k, obj.metadata.namespace, name)) : undefined;
    const op = old ? 'UPDATE' : 'CREATE';
    const ctx = this.ctx(opts.dryRun ?? false, op, opts.subresource ?? 'main');
    if (!old) {
      obj.metadata.uid = randomUUID();
      if (!obj.metadata.name) obj.metadata.name = `${obj.metadata.generateName}${(++this.counter).toString(36).padStart(5, 'x')}`;
    } else {
      obj.metadata.uid = old.metadata.uid;
    }
    k.hooks?.default?.(obj, ctx);
    const causes = k.hooks?.validate?.(obj, old, ctx) ?? [];
    if (causes.length) throw new ApiError(422, 'Invalid', `${k.kind} "${obj.metadata.name}" is invalid`, { causes });
    k.hooks?.beforeWrite?.(obj, old, ctx);
    if (opts.dryRun) return obj;
    obj.metadata.resourceVersion = String(++this.counter);
    this.objects.set(key(k, obj.metadata.namespace, obj.metadata.name!), obj);
    k.hooks?.afterWrite?.(obj, old, ctx);
    return structuredClone(this.objects.get(key(k, obj.metadata.namespace, obj.metadata.name!)) ?? obj);
  }

  remove(kindName: string, ns: string, name: string): void {
    this.access(false).delete(this.kind(kindName), ns, name);
  }

  all(kindName: string): KubeObject[] {
    return this.access(false).list(this.kind(kindName));
  }
}

/** The causes of a thrown 422, or [] when `fn` succeeded. */
export function causesOf(fn: () => unknown): { field: string; reason: string; message: string }[] {
  try {
    fn();
    return [];
  } catch (e) {
    if (e instanceof ApiError && e.code === 422) return e.details?.causes ?? [];
    throw e;
  }
}
