/**
 * Reconcile at rest (issue 12): a server-side apply of an unchanged object is still a write to the
 * server. It can be skipped when the observed object already carries exactly what the apply would
 * send, field by field, under our field manager: the manager's `Apply` entry owns exactly the
 * fields of the body (no more: an apply would drop the extra ones; no fewer: it would take them
 * over) and every value is equal.
 */
import { carriesFields } from './carries.ts';

interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly apiVersion?: string;
  readonly fieldsV1?: unknown;
}

/** Paths an apply body sets (objects descended into; a list or a scalar is one path); identity fields left out. */
export function bodyFieldPaths(body: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, path: string) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      if (entries.length === 0 && path) out.add(path);
      for (const [k, x] of entries) walk(x, path ? `${path}.${k}` : k);
      return;
    }
    if (v !== undefined) out.add(path);
  };
  const { apiVersion: _a, kind: _k, metadata, ...rest } = body;
  const { name: _n, namespace: _ns, ...meta } = (metadata ?? {}) as Record<string, unknown>;
  walk({ ...rest, ...(Object.keys(meta).length ? { metadata: meta } : {}) }, '');
  return out;
}

/** Paths of a FieldsV1 set, in the same shape (list members `k:`/`v:`/`i:` count as their list's path). */
export function managedFieldPaths(fields: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, path: string) => {
    const keys = v && typeof v === 'object' ? Object.keys(v as object).filter((k) => k !== '.') : [];
    const named = keys.filter((k) => k.startsWith('f:'));
    if (named.length === 0 || keys.some((k) => !k.startsWith('f:'))) {
      if (path) out.add(path);
      return;
    }
    for (const k of named) walk((v as Record<string, unknown>)[k], path ? `${path}.${k.slice(2)}` : k.slice(2));
  };
  walk(fields, '');
  return out;
}

/** Whether applying `body` under `manager` to `observed` would change nothing (see the file comment). */
export function applyWouldChangeNothing(observed: unknown, body: Record<string, unknown>, manager: string): boolean {
  if (!observed || typeof observed !== 'object') return false;
  const meta = (observed as { metadata?: { managedFields?: readonly ManagedFieldsEntry[]; deletionTimestamp?: string } }).metadata;
  if (!meta || meta.deletionTimestamp) return false;
  const entries = (meta.managedFields ?? []).filter((e) => e.manager === manager && e.operation === 'Apply');
  if (entries.length !== 1 || entries[0]!.apiVersion !== body.apiVersion) return false;
  const owned = managedFieldPaths(entries[0]!.fieldsV1);
  const sent = bodyFieldPaths(body);
  if (owned.size !== sent.size || [...sent].some((p) => !owned.has(p))) return false;
  return carriesFields(observed, body);
}
