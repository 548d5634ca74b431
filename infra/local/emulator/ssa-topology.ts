/**
 * Schema-less list/map topology for server-side apply (kube-api.md §8.7) and the value walks built
 * on it: field sets of a value, differences between two values, merge, path lookup and removal.
 *
 * Topology comes from the KindDef: `listMapKeys` (associative lists by key), `listSets` (sets),
 * an optional `atomicMaps` list (objects owned and replaced whole, e.g. `LocalUIDReference`,
 * apinet-api.md §3.4), plus the metadata lists every kind has (`ownerReferences` by `uid`,
 * `finalizers` as a set). Every other list is atomic; every other object is granular.
 */
import type { KindDef } from './types.ts';
import { type FieldSet, type Path, type PathElement, fieldPE, indexPE, keyPE, pathKey, valuePE } from './fieldsv1.ts';

export type ListType = { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] };

/** Thrown for an applied configuration the typed conversion rejects (duplicates, missing keys). */
export class TopologyError extends Error {}

export type Json = unknown;
type Obj = Record<string, Json>;

export const isObj = (v: Json): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export class Topology {
  private readonly maps: Record<string, string[]>;
  private readonly sets: Set<string>;
  private readonly atomic: Set<string>;

  constructor(kind: KindDef) {
    this.maps = { 'metadata.ownerReferences': ['uid'], ...(kind.listMapKeys ?? {}) };
    this.sets = new Set(['metadata.finalizers', ...(kind.listSets ?? [])]);
    // Not part of the shared KindDef contract (yet): flavours may add `atomicMaps` to a KindDef.
    this.atomic = new Set((kind as KindDef & { atomicMaps?: string[] }).atomicMaps ?? []);
  }

  list(sp: string): ListType {
    const keys = this.maps[sp];
    if (keys) return { type: 'map', keys };
    return this.sets.has(sp) ? { type: 'set' } : { type: 'atomic' };
  }

  atomicMap(sp: string): boolean {
    return this.atomic.has(sp);
  }
}

/** Schema path of a child: `spec.ips[].name` style, as KindDef.listMapKeys is keyed. */
export function childSP(sp: string, pe: PathElement): string {
  if (pe.startsWith('f:')) return sp ? `${sp}.${pe.slice(2)}` : pe.slice(2);
  return `${sp}[]`;
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

export const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** Path element of a list item, or undefined when an associative item lacks a key field. */
export function itemPE(lt: ListType, item: Json, index: number): PathElement | undefined {
  if (lt.type === 'set') return valuePE(item);
  if (lt.type === 'map') {
    if (!isObj(item) || lt.keys.some((k) => item[k] === undefined || item[k] === null)) return undefined;
    return keyPE(item, lt.keys);
  }
  return indexPE(index);
}

/** Field set of an applied configuration (Apply semantics, §8.2). Throws TopologyError. */
export function applySet(v: Json, topo: Topology, path: Path = [], sp = '', out: FieldSet = new Set()): FieldSet {
  if (!isObj(v) && !Array.isArray(v)) {
    out.add(pathKey(path));
    return out;
  }
  if (Array.isArray(v)) {
    const lt = topo.list(sp);
    if (lt.type === 'atomic' || v.length === 0) {
      out.add(pathKey(path));
      return out;
    }
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const pe = itemPE(lt, item, i);
      const where = path.map((p) => p.slice(2)).join('.');
      if (!pe) throw new TopologyError(`.${where}: associative list with keys [${(lt as { keys: string[] }).keys.join(',')}] has an element that omits key field`);
      if (seen.has(pe)) throw new TopologyError(`.${where}: duplicate entries for key ${pe.slice(2)}`);
      seen.add(pe);
      out.add(pathKey([...path, pe]));
      if (lt.type === 'map' && isObj(item)) {
        for (const [k, child] of Object.entries(item)) applySet(child, topo, [...path, pe, fieldPE(k)], `${sp}[].${k}`, out);
      }
    });
    return out;
  }
  if (path.length > 0 && (topo.atomicMap(sp) || Object.keys(v).length === 0)) {
    out.add(pathKey(path));
    return out;
  }
  for (const [k, child] of Object.entries(v)) applySet(child, topo, [...path, fieldPE(k)], childSP(sp, fieldPE(k)), out);
  return out;
}

/** Every node of a value, containers included (what an Update write that adds it owns, §8.2). */
export function allNodes(v: Json, topo: Topology, path: Path, sp: string, out: FieldSet): FieldSet {
  if (path.length > 0) out.add(pathKey(path));
  if (Array.isArray(v)) {
    const lt = topo.list(sp);
    if (lt.type === 'atomic') return out;
    v.forEach((item, i) => {
      const pe = itemPE(lt, item, i) ?? indexPE(i);
      out.add(pathKey([...path, pe]));
      if (lt.type === 'map' && isObj(item)) {
        for (const [k, child] of Object.entries(item)) allNodes(child, topo, [...path, pe, fieldPE(k)], `${sp}[].${k}`, out);
      }
    });
  } else if (isObj(v) && !(path.length > 0 && topo.atomicMap(sp))) {
    for (const [k, child] of Object.entries(v)) allNodes(child, topo, [...path, fieldPE(k)], childSP(sp, fieldPE(k)), out);
  }
  return out;
}

export interface Diff {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

function indexItems(lt: ListType, list: Json[]): Map<PathElement, Json> {
  const m = new Map<PathElement, Json>();
  list.forEach((item, i) => m.set(itemPE(lt, item, i) ?? indexPE(i), item));
  return m;
}

/** What changed from `a` to `b`: added subtrees (every node), modified leaves/atomics, removed nodes. */
export function diff(a: Json, b: Json, topo: Topology, path: Path = [], sp = '', out?: Diff): Diff {
  const d = out ?? { added: new Set(), modified: new Set(), removed: new Set() };
  if (a === undefined && b === undefined) return d;
  if (a === undefined) {
    allNodes(b, topo, path, sp, d.added);
    return d;
  }
  if (b === undefined) {
    d.removed.add(pathKey(path));
    return d;
  }
  if (isObj(a) && isObj(b) && !(path.length > 0 && topo.atomicMap(sp))) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      diff(a[k], b[k], topo, [...path, fieldPE(k)], childSP(sp, fieldPE(k)), d);
    }
    return d;
  }
  const lt = Array.isArray(a) && Array.isArray(b) ? topo.list(sp) : undefined;
  if (lt && lt.type !== 'atomic') {
    const ia = indexItems(lt, a as Json[]);
    const ib = indexItems(lt, b as Json[]);
    for (const [pe, item] of ib) {
      const before = ia.get(pe);
      if (before === undefined) allNodes(item, topo, [...path, pe], `${sp}[]`, d.added);
      else if (lt.type === 'map' && isObj(before) && isObj(item)) {
        for (const k of new Set([...Object.keys(before), ...Object.keys(item)])) {
          diff(before[k], item[k], topo, [...path, pe, fieldPE(k)], `${sp}[].${k}`, d);
        }
      }
    }
    for (const pe of ia.keys()) if (!ib.has(pe)) d.removed.add(pathKey([...path, pe]));
    return d;
  }
  if (!deepEqual(a, b)) d.modified.add(pathKey(path));
  return d;
}

/** `live ⊕ applied` (§8.4 step 2): applied values win, granular maps and keyed lists merge. */
export function merge(live: Json, applied: Json, topo: Topology, sp = '', root = true): Json {
  if (isObj(live) && isObj(applied) && (root || !topo.atomicMap(sp))) {
    const out: Obj = clone(live);
    for (const [k, v] of Object.entries(applied)) {
      // A null in an applied configuration clears the field (CR pruning drops nulls).
      if (v === null) delete out[k];
      else out[k] = merge(live[k], v, topo, childSP(sp, fieldPE(k)), false);
    }
    return out;
  }
  if (Array.isArray(live) && Array.isArray(applied)) {
    const lt = topo.list(sp);
    if (lt.type === 'set') return [...clone(live), ...clone(applied).filter((x) => !live.some((y) => deepEqual(x, y)))];
    if (lt.type === 'map') {
      const fromApplied = indexItems(lt, applied);
      const used = new Set<PathElement>();
      const out = live.map((item, i) => {
        const pe = itemPE(lt, item, i) ?? indexPE(i);
        const a = pe.startsWith('k:') ? fromApplied.get(pe) : undefined;
        if (a === undefined) return clone(item);
        used.add(pe);
        return merge(item, a, topo, `${sp}[]`, false);
      });
      for (const [pe, item] of fromApplied) if (!used.has(pe)) out.push(clone(item));
      return out;
    }
  }
  return clone(applied);
}

function locate(container: Json, pe: PathElement, lt: ListType | undefined): { index?: number; key?: string } | undefined {
  if (pe.startsWith('f:')) return isObj(container) && pe.slice(2) in container ? { key: pe.slice(2) } : undefined;
  if (!Array.isArray(container) || !lt) return undefined;
  if (pe.startsWith('i:')) {
    const i = Number(pe.slice(2));
    return i < container.length ? { index: i } : undefined;
  }
  const i = container.findIndex((item, idx) => itemPE(lt, item, idx) === pe);
  return i >= 0 ? { index: i } : undefined;
}

export function exists(obj: Json, path: Path, topo: Topology): boolean {
  let cur = obj;
  let sp = '';
  for (const pe of path) {
    const lt = Array.isArray(cur) ? topo.list(sp) : undefined;
    if (lt && lt.type === 'atomic' && !pe.startsWith('i:')) return false;
    const at = locate(cur, pe, lt);
    if (!at) return false;
    cur = at.key !== undefined ? (cur as Obj)[at.key] : (cur as Json[])[at.index!];
    sp = childSP(sp, pe);
  }
  return true;
}

/** Removes `path` from `obj` in place; containers emptied by the removal go too. */
export function removePath(obj: Json, path: Path, topo: Topology, sp = ''): boolean {
  const [pe, ...rest] = path;
  if (pe === undefined) return false;
  const lt = Array.isArray(obj) ? topo.list(sp) : undefined;
  const at = locate(obj, pe, lt);
  if (!at) return false;
  const remove = (): void => {
    if (at.key !== undefined) delete (obj as Obj)[at.key];
    else (obj as Json[]).splice(at.index!, 1);
  };
  if (rest.length === 0) {
    remove();
    return true;
  }
  const child = at.key !== undefined ? (obj as Obj)[at.key] : (obj as Json[])[at.index!];
  const removed = removePath(child, rest, topo, childSP(sp, pe));
  const empty = Array.isArray(child) ? child.length === 0 : isObj(child) && Object.keys(child).length === 0;
  if (removed && empty) remove();
  return removed;
}
