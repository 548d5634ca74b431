/**
 * The garbage collector and namespace controller the emulator plays (kube-api.md §6.6):
 * background collection of dependents whose owners are all gone, foreground deletion
 * (blockOwnerDeletion), orphaning, and emptying terminating namespaces. Asynchronous like the
 * real one: a pass runs shortly after writes.
 */
import type { KindDef, KubeObject, OwnerReference } from './types.ts';
import type { Registry, WriteContext } from './registry.ts';
import { deleteNow } from './delete.ts';

const GC_CONTEXT: WriteContext = {
  dryRun: false,
  manager: 'generic-garbage-collector',
  user: { username: 'system:serviceaccount:kube-system:generic-garbage-collector', groups: ['system:serviceaccounts'] },
  internal: true,
};

type Entry = { kind: KindDef; object: Readonly<KubeObject> };

/**
 * Whether an owner reference is satisfied: an object of that kind and name with that uid
 * exists (same namespace for namespaced owners). Owners of kinds this server does not serve
 * count as present, since the real collector cannot resolve them and leaves the dependent.
 */
function ownerState(registry: Registry, dependent: Entry, ref: OwnerReference): 'present' | 'absent' | 'unknown' {
  const ownerKind = registry.kinds.byApiVersionKind(ref.apiVersion, ref.kind);
  if (!ownerKind) return 'unknown';
  // §6.6: a namespaced owner of a cluster-scoped dependent is treated as absent... but never collected.
  if (ownerKind.namespaced && !dependent.kind.namespaced) return 'unknown';
  const owner = registry.store.peek(ownerKind, ownerKind.namespaced ? dependent.object.metadata.namespace : undefined, ref.name);
  return owner && owner.metadata.uid === ref.uid ? 'present' : 'absent';
}

function removeFinalizer(registry: Registry, e: Entry, finalizer: string): void {
  const fresh = registry.store.get(e.kind, e.object.metadata.namespace, e.object.metadata.name!);
  if (!fresh || !(fresh.metadata.finalizers ?? []).includes(finalizer)) return;
  fresh.metadata.finalizers = fresh.metadata.finalizers!.filter((f) => f !== finalizer);
  registry.updateInternal(e.kind, fresh, GC_CONTEXT);
}

function safeDelete(registry: Registry, e: Entry): void {
  try {
    const fresh = registry.store.get(e.kind, e.object.metadata.namespace, e.object.metadata.name!);
    if (fresh && !fresh.metadata.deletionTimestamp) deleteNow(registry, e.kind, e.object.metadata.namespace, e.object.metadata.name!, {}, GC_CONTEXT);
  } catch {
    // The object went away meanwhile; the next pass sees the new state.
  }
}

/** One pass; returns whether it changed anything (the caller runs another pass then). */
export function collectGarbage(registry: Registry): boolean {
  const before = registry.store.currentRv();
  const all = registry.store.all();
  const dependentsOf = (uid: string) => all.filter((d) => (d.object.metadata.ownerReferences ?? []).some((r) => r.uid === uid));

  for (const e of all) {
    const m = e.object.metadata;
    if (!m.deletionTimestamp) continue;
    const fin = m.finalizers ?? [];
    if (fin.includes('orphan')) {
      // Orphan: drop the references to this owner from every dependent, then release the owner.
      for (const d of dependentsOf(m.uid!)) {
        const fresh = registry.store.get(d.kind, d.object.metadata.namespace, d.object.metadata.name!);
        if (!fresh) continue;
        fresh.metadata.ownerReferences = (fresh.metadata.ownerReferences ?? []).filter((r) => r.uid !== m.uid);
        if (!fresh.metadata.ownerReferences.length) delete fresh.metadata.ownerReferences;
        registry.updateInternal(d.kind, fresh, GC_CONTEXT);
      }
      removeFinalizer(registry, e, 'orphan');
    } else if (fin.includes('foregroundDeletion')) {
      // Foreground: delete the dependents; the owner waits for those that block its deletion.
      const deps = dependentsOf(m.uid!).filter((d) => ownerState(registry, d, { ...refTo(e), uid: m.uid! }) === 'present');
      for (const d of deps) safeDelete(registry, d);
      const blocking = deps.filter((d) => {
        const still = registry.store.get(d.kind, d.object.metadata.namespace, d.object.metadata.name!);
        return still && (still.metadata.ownerReferences ?? []).some((r) => r.uid === m.uid && r.blockOwnerDeletion === true);
      });
      if (!blocking.length) removeFinalizer(registry, e, 'foregroundDeletion');
    }
  }

  // Background: dependents whose owners are all gone.
  for (const d of registry.store.all()) {
    const refs = d.object.metadata.ownerReferences ?? [];
    if (!refs.length || d.object.metadata.deletionTimestamp) continue;
    if (refs.every((r) => ownerState(registry, d, r) === 'absent')) safeDelete(registry, d);
  }

  // Namespace controller: empty a terminating namespace, then release it.
  for (const ns of registry.store.list(registry.kinds.namespace)) {
    if (!ns.metadata.deletionTimestamp) continue;
    const name = ns.metadata.name!;
    const content = registry.store.all().filter((e) => e.kind.namespaced && e.object.metadata.namespace === name);
    for (const e of content) safeDelete(registry, e);
    if (content.length === 0 && !(ns.metadata.finalizers ?? []).length) {
      const gone = registry.store.remove(registry.kinds.namespace, undefined, name);
      if (gone) registry.notifyWrite();
    }
  }
  return registry.store.currentRv() !== before;
}

function refTo(e: Entry): Omit<OwnerReference, 'uid'> {
  return { apiVersion: e.kind.group ? `${e.kind.group}/${e.kind.version}` : e.kind.version, kind: e.kind.kind, name: e.object.metadata.name! };
}

/** Runs passes shortly after writes, until a pass changes nothing. */
export class GarbageCollector {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly registry: () => Registry,
    private readonly delayMs = 20,
  ) {}

  schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      let changed = false;
      try {
        changed = collectGarbage(this.registry());
      } catch {
        changed = false;
      }
      if (changed) this.schedule();
    }, this.delayMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
