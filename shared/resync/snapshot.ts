/**
 * The drift resync's LIST snapshot (issue 12): every object a drift check reads comes from one
 * paged LIST per resource, cluster and label selector per run, never from a GET per object. A
 * list is loaded when a check first asks for it and dropped after the last kind of the run that
 * declared it, so at most the lists of the kinds still to come are held. Objects are kept
 * without `metadata.managedFields` (no check reads them; it is most of an object's size).
 */
import type { z } from 'zod';
import type { ResourceInfo } from '../api/resources.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject } from '../kube/types.ts';

export type Cluster = 'ironcore' | 'apinet';

/** One LIST of the snapshot: a resource of a cluster (in a namespace, with a label selector). */
export interface Source {
  readonly cluster: Cluster;
  readonly res: ResourceInfo;
  readonly namespace?: string;
  readonly labelSelector?: string;
}

export const sourceId = (s: Source): string => `${s.cluster} ${s.res.group}/${s.res.plural} ${s.namespace ?? '*'} ${s.labelSelector ?? ''}`;

const keyOf = (o: KubeObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** A loaded list with the indexes and parses the checks asked for, built once. */
export class Listed {
  private byNameIndex?: Map<string, KubeObject>;
  private byKeyIndex?: Map<string, KubeObject>;
  private readonly parses = new Map<unknown, unknown[]>();
  private readonly groups = new Map<string, Map<string, unknown[]>>();
  constructor(private list: readonly KubeObject[]) {}

  get items(): readonly KubeObject[] {
    return this.list;
  }

  /**
   * Puts the answer of a write of this run in place of the listed object of the same namespace and
   * name (the NAT autoscaler's patch), so a later check of the run reads what the server now holds.
   */
  replace(obj: KubeObject): void {
    const k = keyOf(obj);
    this.list = this.list.map((o) => (keyOf(o) === k ? slim(obj) : o));
    this.byNameIndex = undefined;
    this.byKeyIndex = undefined;
    this.parses.clear();
    this.groups.clear();
  }

  /** By `metadata.name` (lists of one namespace). */
  byName(name: string): KubeObject | undefined {
    this.byNameIndex ??= new Map(this.items.map((o) => [o.metadata?.name ?? '', o]));
    return this.byNameIndex.get(name);
  }

  /** By `namespace/name`. */
  byKey(namespace: string, name: string): KubeObject | undefined {
    this.byKeyIndex ??= new Map(this.items.map((o) => [keyOf(o), o]));
    return this.byKeyIndex.get(`${namespace}/${name}`);
  }

  /** Every item `schema` parses, in list order; one that does not parse is left out (as the shells' list reads do). */
  parsed<T>(schema: z.ZodType<T>): readonly T[] {
    let out = this.parses.get(schema) as T[] | undefined;
    if (!out) {
      out = this.items.flatMap((o) => {
        const p = schema.safeParse(o);
        return p.success ? [p.data] : [];
      });
      this.parses.set(schema, out);
    }
    return out;
  }

  /** The parsed items grouped by `keyOf` (`name` names the grouping; one index per name). */
  groupedBy<T>(name: string, schema: z.ZodType<T>, keyOf: (o: T) => string | undefined): ReadonlyMap<string, readonly T[]> {
    let g = this.groups.get(name) as Map<string, T[]> | undefined;
    if (!g) {
      g = new Map();
      for (const o of this.parsed(schema)) {
        const k = keyOf(o);
        if (k === undefined) continue;
        const list = g.get(k);
        if (list) list.push(o);
        else g.set(k, [o]);
      }
      this.groups.set(name, g as Map<string, unknown[]>);
    }
    return g;
  }
}

const slim = (o: KubeObject): KubeObject => {
  if (!o.metadata?.managedFields) return o;
  const { managedFields: _, ...metadata } = o.metadata;
  return { ...o, metadata };
};

export class Snapshot {
  private readonly loaded = new Map<string, Promise<Listed>>();
  private readonly remaining = new Map<string, number>();
  /** LISTed objects per source id (for the summary and the benchmarks). */
  readonly counts = new Map<string, number>();

  constructor(
    private readonly clients: Record<Cluster, KubeClient>,
    private readonly pageSize: number,
    /** Per kind of the run, in order, the sources its check may read: a list is dropped after its last user. */
    uses: readonly (readonly Source[])[],
  ) {
    for (const sources of uses) for (const s of new Set(sources.map(sourceId))) this.remaining.set(s, (this.remaining.get(s) ?? 0) + 1);
  }

  /** Whether a kind after the current one still reads `s` (then a pass that streams it should keep it). */
  wantedLater(s: Source): boolean {
    return (this.remaining.get(sourceId(s)) ?? 0) > 1;
  }

  /** The list of `s`: loaded by one paged LIST on first use, then from memory. */
  get(s: Source): Promise<Listed> {
    const id = sourceId(s);
    let p = this.loaded.get(id);
    if (!p) {
      p = this.load(s);
      this.loaded.set(id, p);
      // A failed LIST is not cached: the error goes to the kind, the next kind may try again.
      p.catch(() => this.loaded.delete(id));
    }
    return p;
  }

  /** Streams `s` page by page; keeps the objects only when a later kind reads them too. */
  async *stream(s: Source): AsyncGenerator<KubeObject> {
    const id = sourceId(s);
    const cached = this.loaded.get(id);
    if (cached) {
      yield* (await cached).items;
      return;
    }
    const keep = this.wantedLater(s);
    const items: KubeObject[] = [];
    for await (const o of this.list(s)) {
      if (keep) items.push(slim(o));
      yield o;
    }
    if (keep) this.loaded.set(id, Promise.resolve(new Listed(items)));
  }

  /** The current kind is done with its sources: those no later kind reads are dropped. */
  done(sources: readonly Source[]): void {
    for (const id of new Set(sources.map(sourceId))) {
      const n = (this.remaining.get(id) ?? 1) - 1;
      this.remaining.set(id, n);
      if (n <= 0) this.loaded.delete(id);
    }
  }

  private async load(s: Source): Promise<Listed> {
    const items: KubeObject[] = [];
    for await (const o of this.list(s)) items.push(slim(o));
    return new Listed(items);
  }

  private async *list(s: Source): AsyncGenerator<KubeObject> {
    const id = sourceId(s);
    this.counts.set(id, 0);
    const opts = { ...(s.namespace ? { namespace: s.namespace } : {}), ...(s.labelSelector ? { labelSelector: s.labelSelector } : {}), limit: this.pageSize };
    for await (const o of this.clients[s.cluster].listAll(s.res, opts)) {
      this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
      yield o;
    }
  }
}
