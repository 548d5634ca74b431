/**
 * Reconcile at rest (issue 12): a server-side apply of an unchanged object is still a write to the
 * server. It can be skipped when the observed object already carries exactly what the apply would
 * send, field by field, under our field manager: the manager's `Apply` entry owns exactly the
 * fields of the body (no more: an apply would drop the extra ones; no fewer: it would take them
 * over) and every value is equal.
 */
import { carriesFields } from './carries.ts';
import { sameJson } from './common.ts';

interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly apiVersion?: string;
  readonly fieldsV1?: unknown;
}

type Segments = readonly string[];
/** A path as a set key: segments joined by NUL (label keys contain dots). */
const keyOf = (p: Segments) => p.join('\u0000');

/** Paths an apply body sets, as segments (objects descended into; a list or a scalar is one path); identity fields left out. */
function bodySegments(body: Record<string, unknown>): Segments[] {
  const out: Segments[] = [];
  const walk = (v: unknown, path: string[]) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      if (entries.length === 0 && path.length) out.push(path);
      for (const [k, x] of entries) walk(x, [...path, k]);
      return;
    }
    if (v !== undefined) out.push(path);
  };
  const { apiVersion: _a, kind: _k, metadata, ...rest } = body;
  const { name: _n, namespace: _ns, ...meta } = (metadata ?? {}) as Record<string, unknown>;
  walk({ ...rest, ...(Object.keys(meta).length ? { metadata: meta } : {}) }, []);
  return out;
}

/**
 * Paths of a FieldsV1 set, as segments, in the same shape: list members (`k:`/`v:`/`i:`) count as
 * their list's path, and a field with no children is one path — a scalar, an atomic list, or an
 * atomic map (`x-kubernetes-map-type: atomic`, e.g. a LabelSelector or LocalObjectReference,
 * which the server owns as a whole: `f:selector: {}`).
 */
function managedSegments(fields: unknown): Segments[] {
  const out: Segments[] = [];
  const walk = (v: unknown, path: string[]) => {
    const keys = v && typeof v === 'object' ? Object.keys(v as object).filter((k) => k !== '.') : [];
    const named = keys.filter((k) => k.startsWith('f:'));
    if (named.length === 0 || keys.some((k) => !k.startsWith('f:'))) {
      if (path.length) out.push(path);
      return;
    }
    for (const k of named) walk((v as Record<string, unknown>)[k], [...path, k.slice(2)]);
  };
  walk(fields, []);
  return out;
}

/** Paths an apply body sets, dot-joined (for reading; see bodySegments). */
export function bodyFieldPaths(body: Record<string, unknown>): Set<string> {
  return new Set(bodySegments(body).map((p) => p.join('.')));
}

/** Paths of a FieldsV1 set, dot-joined (for reading; see managedSegments). */
export function managedFieldPaths(fields: unknown): Set<string> {
  return new Set(managedSegments(fields).map((p) => p.join('.')));
}

const at = (v: unknown, path: Segments): unknown => path.reduce<unknown>((o, k) => (o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>)[k] : undefined), v);
const isPrefix = (p: Segments, of: Segments) => p.length < of.length && p.every((k, i) => of[i] === k);

/**
 * Whether applying `body` under `manager` to `observed` would change nothing (see the file comment).
 * The field sets must match: every path the body sets is owned, by itself or by an atomic map
 * above it; every owned path is set by the body, itself or (an atomic map) below it. An atomic map
 * is replaced whole by an apply, so it must be equal whole; everything else must be carried.
 */
export function applyWouldChangeNothing(observed: unknown, body: Record<string, unknown>, manager: string): boolean {
  if (!observed || typeof observed !== 'object') return false;
  const meta = (observed as { metadata?: { managedFields?: readonly ManagedFieldsEntry[]; deletionTimestamp?: string } }).metadata;
  if (!meta || meta.deletionTimestamp) return false;
  const entries = (meta.managedFields ?? []).filter((e) => e.manager === manager && e.operation === 'Apply');
  if (entries.length !== 1 || entries[0]!.apiVersion !== body.apiVersion) return false;
  const owned = managedSegments(entries[0]!.fieldsV1);
  const sent = bodySegments(body);
  const ownedKeys = new Set(owned.map(keyOf));
  const sentKeys = new Set(sent.map(keyOf));
  const atomicAbove = (p: Segments) => owned.some((q) => isPrefix(q, p));
  if (!sent.every((p) => ownedKeys.has(keyOf(p)) || atomicAbove(p))) return false;
  for (const q of owned) {
    if (sentKeys.has(keyOf(q))) continue;
    if (!sent.some((p) => isPrefix(q, p))) return false; // owned, not sent: an apply would remove it
    if (!sameJson(at(observed, q), at(body, q))) return false; // an atomic map is replaced whole
  }
  return carriesFields(observed, body);
}
