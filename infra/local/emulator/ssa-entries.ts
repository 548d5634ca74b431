/** `metadata.managedFields` entries: decoding, identity, sorting, encoding (kube-api.md §8.1, §8.3). */
import { type FieldSet, fromFieldsV1, keyPath, toFieldsV1 } from './fieldsv1.ts';
import { type Topology, exists } from './ssa-topology.ts';

export interface Entry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource?: string;
  set: FieldSet;
}

const MAX_UPDATE_ENTRIES = 10;

/** Fields never tracked (§8.2, stripmeta.go). */
const STRIPPED_META = new Set([
  'name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion',
]);

export function isStripped(pathKeyText: string): boolean {
  const p = keyPath(pathKeyText);
  if (p[0] === 'f:apiVersion' || p[0] === 'f:kind') return true;
  if (p[0] !== 'f:metadata') return false;
  return p.length === 1 || STRIPPED_META.has(p[1]!.slice(2));
}

/**
 * Keeps the paths a write to `subresource` may own (§8.8): status writes own only `status`; main
 * writes of kinds with a status subresource never own `status`.
 */
export function scopeSet(set: FieldSet, subresource: 'main' | 'status', hasStatusSubresource: boolean): FieldSet {
  const out: FieldSet = new Set();
  for (const k of set) {
    if (isStripped(k)) continue;
    const isStatus = keyPath(k)[0] === 'f:status';
    if (subresource === 'status' ? isStatus : !(hasStatusSubresource && isStatus)) out.add(k);
  }
  return out;
}

export function parseEntries(mf: unknown): Entry[] {
  if (!Array.isArray(mf)) return [];
  const out: Entry[] = [];
  for (const e of mf) {
    if (e === null || typeof e !== 'object') continue;
    const r = e as Record<string, unknown>;
    if (typeof r.manager !== 'string' && r.fieldsV1 === undefined) continue;
    out.push({
      manager: typeof r.manager === 'string' ? r.manager : '',
      operation: r.operation === 'Apply' ? 'Apply' : 'Update',
      apiVersion: typeof r.apiVersion === 'string' ? r.apiVersion : '',
      time: typeof r.time === 'string' ? r.time : '',
      ...(typeof r.subresource === 'string' && r.subresource ? { subresource: r.subresource } : {}),
      set: fromFieldsV1(r.fieldsV1),
    });
  }
  return out;
}

/** Identity of an entry (§8.3): Apply entries ignore apiVersion. */
export function sameIdentity(e: Entry, manager: string, operation: Entry['operation'], apiVersion: string, sub?: string): boolean {
  return e.manager === manager && e.operation === operation && (e.subresource ?? '') === (sub ?? '') &&
    (operation === 'Apply' || e.apiVersion === apiVersion);
}

/** The printed manager of conflict messages (§8.5). */
export function printManager(e: Entry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

/** Drops owned paths that no longer exist in `obj` (§8.4 step 6). */
export function dropMissing(entries: Entry[], obj: unknown, topo: Topology): void {
  for (const e of entries) for (const k of [...e.set]) if (!exists(obj, keyPath(k), topo)) e.set.delete(k);
}

/** Merges the oldest Update entries beyond ten into `ancient-changes` (capmanagers.go). */
function capUpdates(entries: Entry[]): Entry[] {
  const updates = entries.filter((e) => e.operation === 'Update').sort((a, b) => a.time.localeCompare(b.time));
  if (updates.length <= MAX_UPDATE_ENTRIES) return entries;
  const merged = updates.slice(0, updates.length - MAX_UPDATE_ENTRIES + 1);
  const ancient: Entry = {
    manager: 'ancient-changes', operation: 'Update', apiVersion: merged.at(-1)!.apiVersion, time: merged.at(-1)!.time,
    set: new Set(merged.flatMap((e) => [...e.set])),
  };
  return [...entries.filter((e) => !merged.includes(e)), ancient];
}

/** Sorted, non-empty entries in wire form (§8.1 key order); undefined when nothing is tracked. */
export function encodeEntries(entries: Entry[]): unknown[] | undefined {
  const kept = capUpdates(entries.filter((e) => e.set.size > 0));
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  kept.sort((a, b) =>
    cmp(a.operation, b.operation) || cmp(a.time.slice(0, 19), b.time.slice(0, 19)) || cmp(a.manager, b.manager) ||
    cmp(a.apiVersion, b.apiVersion) || cmp(a.subresource ?? '', b.subresource ?? ''));
  if (kept.length === 0) return undefined;
  return kept.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(e.set),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
}
