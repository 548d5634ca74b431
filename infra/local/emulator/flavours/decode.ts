/**
 * Decode-time handling of IP / prefix fields. The real servers parse these with Go `net/netip`
 * while decoding the body (ironcore-api.md §1 step 1, §12.16; apinet-api.md §2.1): a malformed
 * string is a 400 before any defaulting or validation, and a valid one is stored in canonical
 * form (IPv6 lower-case compressed; prefixes keep their host bits).
 */
import { ApiError } from '../types.ts';
import { formatAddr, formatPrefix, parseAddr, parsePrefix } from './netip.ts';

/** Field paths with `[]` for "every list item", e.g. `spec.ips[].value`. */
export interface IpFieldPaths {
  ips?: string[];
  prefixes?: string[];
}

type Visit = (value: unknown, set: (v: unknown) => void, path: string) => void;

/** Calls `visit` for every value at `pattern` (dotted, `[]` = each list item) that is present. */
export function visitPath(root: unknown, pattern: string, visit: Visit): void {
  const segs = pattern.split('.');
  const walk = (node: unknown, i: number, path: string, set: (v: unknown) => void): void => {
    if (i === segs.length) {
      visit(node, set, path);
      return;
    }
    let seg = segs[i]!;
    const each = seg.endsWith('[]');
    if (each) seg = seg.slice(0, -2);
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    const rec = node as Record<string, unknown>;
    if (!(seg in rec)) return;
    const child = rec[seg];
    const childPath = path ? `${path}.${seg}` : seg;
    if (!each) {
      walk(child, i + 1, childPath, (v) => (rec[seg] = v));
      return;
    }
    if (!Array.isArray(child)) return;
    child.forEach((item, k) => walk(item, i + 1, `${childPath}[${k}]`, (v) => (child[k] = v)));
  };
  walk(root, 0, '', () => {});
}

function badRequest(path: string, what: string, value: unknown): ApiError {
  return new ApiError(400, 'BadRequest', `error decoding ${path}: ${what}(${JSON.stringify(value)}): unable to parse ${what === 'ParseAddr' ? 'IP' : 'prefix'}`);
}

/** Rejects malformed IP/prefix strings (400) and rewrites valid ones canonically. */
export function decodeIpFields(obj: unknown, fields: IpFieldPaths): void {
  for (const pattern of fields.ips ?? []) {
    visitPath(obj, pattern, (v, set, path) => {
      if (v === null || v === undefined) return;
      const a = typeof v === 'string' ? parseAddr(v) : undefined;
      if (!a) throw badRequest(path, 'ParseAddr', v);
      set(formatAddr(a));
    });
  }
  for (const pattern of fields.prefixes ?? []) {
    visitPath(obj, pattern, (v, set, path) => {
      if (v === null || v === undefined) return;
      const p = typeof v === 'string' ? parsePrefix(v) : undefined;
      if (!p) throw badRequest(path, 'ParsePrefix', v);
      set(formatPrefix(p));
    });
  }
}
