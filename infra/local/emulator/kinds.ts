/**
 * The kinds one emulated server serves (its flavour's plus the core kinds), lookups by URL
 * and by apiVersion/kind, and the views the hooks and admission get of the server.
 */
import type { Flavour, KindDef, KindRef, KubeObject, StoreAccess } from './types.ts';
import type { AdmissionEnv } from './admission.ts';
import { coreKinds, mutatingWebhookConfigurationKind, namespaceKind, validatingWebhookConfigurationKind } from './core-kinds.ts';
import type { Registry, WriteContext } from './registry.ts';
import type { Store } from './store.ts';
import { notFound } from './status.ts';

/**
 * A KindDef with the one strategy switch the emulator core adds: whether writes to the main
 * resource reset `status` to the stored one (and a create drops it), as CRs and built-in types
 * like Namespace do (kube-api.md §9). The ironcore and apinet registries do not (behavior.md
 * SRV-08, apinet-api.md §3.3), so the default is false.
 */
export interface ServedKind extends KindDef {
  resetsStatusOnMainWrite?: boolean;
}

export function resetsStatusOnMainWrite(kind: KindDef): boolean {
  return kind.statusSubresource && (kind as ServedKind).resetsStatusOnMainWrite === true;
}

export class Kinds {
  readonly all: KindDef[];
  readonly namespace: KindDef = namespaceKind;
  private deleter?: (registry: Registry, kind: KindDef, namespace: string | undefined, name: string, ctx: WriteContext) => void;

  constructor(
    flavour: Flavour,
    private readonly store: Store,
  ) {
    this.all = [...coreKinds, ...flavour.kinds];
  }

  /** The delete path lives in delete.ts; it registers itself here to keep the import graph acyclic. */
  setDeleter(d: NonNullable<Kinds['deleter']>): void {
    this.deleter = d;
  }

  byResource(group: string, version: string, resource: string): KindDef | undefined {
    return this.all.find((k) => k.group === group && k.version === version && k.resource === resource);
  }

  byRef(ref: KindRef): KindDef {
    const k = this.byResource(ref.group, ref.version, ref.resource);
    if (!k) throw new Error(`the emulator serves no ${ref.resource} in ${ref.group}/${ref.version}; check the flavour's kinds`);
    return k;
  }

  byApiVersionKind(apiVersion: string, kind: string): KindDef | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.all.find((k) => k.group === group && k.version === version && k.kind === kind);
  }

  /** Served group-versions in a stable order (core first). */
  groupVersions(): { group: string; version: string; kinds: KindDef[] }[] {
    const out = new Map<string, { group: string; version: string; kinds: KindDef[] }>();
    for (const k of this.all) {
      const key = `${k.group}/${k.version}`;
      if (!out.has(key)) out.set(key, { group: k.group, version: k.version, kinds: [] });
      out.get(key)!.kinds.push(k);
    }
    return [...out.values()];
  }

  /** What the hooks see: real store writes, as the server itself, honouring the request's dryRun. */
  storeAccess(registry: Registry, ctx: WriteContext): StoreAccess {
    const internal: WriteContext = { ...ctx, internal: true };
    return {
      get: (ref, namespace, name) => this.store.get(this.byRef(ref), namespace, name),
      list: (ref, namespace) => this.store.list(this.byRef(ref), namespace),
      create: (ref, obj) => registry.createInternal(this.byRef(ref), obj, internal),
      update: (ref, obj) => registry.updateInternal(this.byRef(ref), obj, internal),
      delete: (ref, namespace, name) => {
        const kind = this.byRef(ref);
        if (!this.store.get(kind, namespace, name)) throw notFound(kind, name);
        this.deleter?.(registry, kind, namespace, name, internal);
      },
    };
  }

  admissionEnv(): AdmissionEnv {
    return {
      mutating: this.store.list(mutatingWebhookConfigurationKind),
      validating: this.store.list(validatingWebhookConfigurationKind),
      namespaceLabels: (ns: string) => this.store.get(namespaceKind, undefined, ns)?.metadata.labels ?? (this.store.get(namespaceKind, undefined, ns) ? {} : undefined),
    };
  }
}

export type { KubeObject };
