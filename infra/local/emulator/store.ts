/**
 * The object store of one emulated API server: objects per kind, one increasing
 * resourceVersion counter shared by all kinds (like the etcd revision, kube-api.md §3.1),
 * and a bounded event log so watches can resume from a resourceVersion or get 410 when it is
 * too old (§5.3).
 */
import type { KindDef, KubeObject } from './types.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: EventType;
  kind: KindDef;
  /** New state (for DELETED: the last state, with the deletion's resourceVersion). */
  object: KubeObject;
  /** State before the change (MODIFIED and DELETED), for selector transitions (§5.4). */
  previous?: KubeObject;
}

export type StoreListener = (e: StoreEvent) => void;

export function kindKey(k: Pick<KindDef, 'group' | 'resource'>): string {
  return `${k.group}/${k.resource}`;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class Store {
  private rv = 1;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly log: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();

  /** @param window how many events watches can resume from; older versions answer 410. */
  constructor(private readonly window = 1000) {}

  currentRv(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch may still resume from. */
  oldestResumableRv(): number {
    return this.log.length === this.window && this.log.length > 0 ? this.log[0].rv : 1;
  }

  get(kind: KindDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(kindKey(kind))?.get(objectKey(kind.namespaced ? namespace : undefined, name));
    return o ? structuredClone(o) : undefined;
  }

  /** Like get() but without a copy, for read-only checks on hot paths (the garbage collector). */
  peek(kind: KindDef, namespace: string | undefined, name: string): Readonly<KubeObject> | undefined {
    return this.objects.get(kindKey(kind))?.get(objectKey(kind.namespaced ? namespace : undefined, name));
  }

  /**
   * Objects of a kind in storage-key order (namespace, then name). `filter` (e.g. a selector) runs
   * on the stored objects before they are copied, so a selective LIST copies only what it returns.
   */
  list(kind: KindDef, namespace?: string, filter?: (o: Readonly<KubeObject>) => boolean): KubeObject[] {
    const m = this.objects.get(kindKey(kind));
    if (!m) return [];
    const keys = [...m.keys()].sort();
    const out: KubeObject[] = [];
    for (const k of keys) {
      const o = m.get(k)!;
      if ((namespace === undefined || o.metadata.namespace === namespace) && (!filter || filter(o))) out.push(structuredClone(o));
    }
    return out;
  }

  /**
   * Every stored object, for the garbage collector, WITHOUT copies: the collector runs after every
   * burst of writes, and cloning the whole store each time made writes O(n). Stored objects are never
   * changed in place (put stores a fresh copy), so these are consistent snapshots; callers must not
   * mutate them and must re-read with get() before writing.
   */
  all(): { kind: KindDef; object: Readonly<KubeObject> }[] {
    const out: { kind: KindDef; object: Readonly<KubeObject> }[] = [];
    for (const m of this.objects.values()) for (const o of m.values()) out.push({ kind: this.kindOf.get(o)!, object: o });
    return out;
  }

  private readonly kindOf = new WeakMap<KubeObject, KindDef>();

  /** Stores `obj` (create or update) under a new resourceVersion and emits the event. */
  put(kind: KindDef, obj: KubeObject): KubeObject {
    const m = this.objects.get(kindKey(kind)) ?? new Map<string, KubeObject>();
    this.objects.set(kindKey(kind), m);
    const key = objectKey(kind.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name!);
    const previous = m.get(key);
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    m.set(key, stored);
    this.kindOf.set(stored, kind);
    this.emit({ rv: this.rv, type: previous ? 'MODIFIED' : 'ADDED', kind, object: stored, previous });
    return structuredClone(stored);
  }

  /** Removes an object; `lastState` (default: the stored one) is what watchers see in DELETED. */
  remove(kind: KindDef, namespace: string | undefined, name: string, lastState?: KubeObject): KubeObject | undefined {
    const m = this.objects.get(kindKey(kind));
    const key = objectKey(kind.namespaced ? namespace : undefined, name);
    const previous = m?.get(key);
    if (!m || !previous) return undefined;
    m.delete(key);
    const gone = structuredClone(lastState ?? previous);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit({ rv: this.rv, type: 'DELETED', kind, object: gone, previous });
    return structuredClone(gone);
  }

  /**
   * Objects of a kind as they were at resourceVersion `rv` (key order, copies), or undefined when
   * the event window no longer reaches back to `rv` (the emulator's "compaction", kube-api.md §4.2,
   * §4.5). Rebuilt from the current objects by undoing the kind's events newer than `rv`, so LIST
   * pages and Exact lists are served from one consistent snapshot like etcd history.
   */
  stateAt(kind: KindDef, rv: number, namespace?: string, filter?: (o: Readonly<KubeObject>) => boolean): KubeObject[] | undefined {
    if (rv < this.oldestResumableRv() - 1) return undefined;
    const key = kindKey(kind);
    const state = new Map(this.objects.get(key) ?? []);
    for (let i = this.log.length - 1; i >= 0 && this.log[i].rv > rv; i--) {
      const e = this.log[i];
      if (kindKey(e.kind) !== key) continue;
      const k = objectKey(kind.namespaced ? e.object.metadata.namespace : undefined, e.object.metadata.name!);
      if (e.type === 'ADDED') state.delete(k);
      else state.set(k, e.previous!);
    }
    const out: KubeObject[] = [];
    for (const k of [...state.keys()].sort()) {
      const o = state.get(k)!;
      if ((namespace === undefined || o.metadata.namespace === namespace) && (!filter || filter(o))) out.push(structuredClone(o));
    }
    return out;
  }

  /** Resolves true as soon as the store reaches `rv`, false after `ms` (kube-api.md §4.5, §5.3). */
  waitForRv(rv: number, ms: number): Promise<boolean> {
    if (this.rv >= rv) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), ms);
      const unsubscribe = this.subscribe(() => {
        if (this.rv >= rv) done(true);
      });
    });
  }

  /** Events after `rv` still in the window, or undefined when `rv` is too old. */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.oldestResumableRv() - 1) return undefined;
    return this.log.filter((e) => e.rv > rv);
  }

  subscribe(l: StoreListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(e: StoreEvent): void {
    this.log.push(e);
    if (this.log.length > this.window) this.log.shift();
    for (const l of [...this.listeners]) l(e);
  }
}
