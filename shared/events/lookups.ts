import type { ResourceInfo } from '../api/resources.ts';
import type { KubeObject } from './object.ts';

/**
 * The LISTs the event mapping needs, behind a narrow interface: tests pass in-memory data,
 * production passes the cluster clients (ARCHITECTURE.md section 5, "keep them bounded").
 */
export interface Lookups {
  /** Every object of an ironcore kind in one namespace. */
  listIroncore(resource: ResourceInfo, namespace: string): Promise<KubeObject[]>;
  /** Objects of an apinet kind in one namespace, optionally narrowed by a label selector. */
  listApinet(resource: ResourceInfo, namespace: string, labelSelector?: string): Promise<KubeObject[]>;
}

/**
 * One LIST per (cluster, kind, namespace, selector) per webhook call, however many changes of a
 * batch need it: a CloudEvent or watch batch often carries several objects of one namespace.
 */
export function memoizeLookups(lookups: Lookups): Lookups {
  const cache = new Map<string, Promise<KubeObject[]>>();
  const once = (key: string, load: () => Promise<KubeObject[]>): Promise<KubeObject[]> => {
    let hit = cache.get(key);
    if (!hit) {
      hit = load();
      cache.set(key, hit);
    }
    return hit;
  };
  return {
    listIroncore: (res, ns) => once(`ironcore ${res.group}/${res.plural} ${ns}`, () => lookups.listIroncore(res, ns)),
    listApinet: (res, ns, sel) =>
      once(`apinet ${res.group}/${res.plural} ${ns} ${sel ?? ''}`, () => lookups.listApinet(res, ns, sel)),
  };
}

/** Lookups over plain arrays, for tests and the local stack's fixtures. */
export function inMemoryLookups(objects: { ironcore?: KubeObject[]; apinet?: KubeObject[] }): Lookups {
  const pick = (list: KubeObject[] | undefined, res: ResourceInfo, ns: string) =>
    (list ?? []).filter((o: any) => o?.kind === res.kind && String(o?.apiVersion ?? '').startsWith(`${res.group}/`) && o?.metadata?.namespace === ns);
  return {
    listIroncore: async (res, ns) => pick(objects.ironcore, res, ns),
    listApinet: async (res, ns, sel) =>
      pick(objects.apinet, res, ns).filter((o: any) => !sel || selectorMatches(sel, o?.metadata?.labels ?? {})),
  };
}

/** Minimal label-selector evaluation (`k`, `!k`, `k=v`, `k!=v`, comma-separated) for in-memory lookups. */
function selectorMatches(selector: string, labels: Record<string, string>): boolean {
  return selector.split(',').every((term) => {
    const t = term.trim();
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    const ne = t.split('!=');
    if (ne.length === 2) return labels[ne[0]!] !== ne[1];
    const eq = t.split(/==?/);
    if (eq.length === 2) return labels[eq[0]!] === eq[1];
    return t in labels;
  });
}
