/**
 * Narrow, defensive accessors over a Kubernetes object received from outside (an admission
 * request, a CloudEvent, a watch line). The webhooks only need a handful of fields, and must not
 * throw on shapes a newer server sends; full schemas live with the reconcilers.
 */
export type KubeObject = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `obj.a.b.c` when every step is an object, else undefined. */
export function field(obj: unknown, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

export function stringField(obj: unknown, ...path: string[]): string | undefined {
  const v = field(obj, ...path);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function arrayField(obj: unknown, ...path: string[]): unknown[] {
  const v = field(obj, ...path);
  return Array.isArray(v) ? v : [];
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

export const labelsOf = (obj: unknown): Record<string, string> => stringMap(field(obj, 'metadata', 'labels'));
export const annotationsOf = (obj: unknown): Record<string, string> =>
  stringMap(field(obj, 'metadata', 'annotations'));
export const nameOf = (obj: unknown): string | undefined => stringField(obj, 'metadata', 'name');
export const namespaceOf = (obj: unknown): string | undefined => stringField(obj, 'metadata', 'namespace');
export const uidOf = (obj: unknown): string | undefined => stringField(obj, 'metadata', 'uid');
export const resourceVersionOf = (obj: unknown): string | undefined =>
  stringField(obj, 'metadata', 'resourceVersion');

/** Group of an `apiVersion` (`''` for the core group). */
export function groupOf(obj: unknown): string {
  const apiVersion = stringField(obj, 'apiVersion') ?? '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export const kindOf = (obj: unknown): string | undefined => stringField(obj, 'kind');

/** Equal apart from bookkeeping the server rewrites on every write. */
export function sameContent(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const strip = (o: Record<string, unknown>) => {
    const { managedFields: _m, resourceVersion: _r, generation: _g, ...metadata } = (isRecord(o.metadata) ? o.metadata : {}) as Record<string, unknown>;
    return JSON.stringify({ ...o, metadata });
  };
  return strip(a) === strip(b);
}
