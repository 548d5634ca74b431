/**
 * Field sets of server-side apply and their FieldsV1 wire encoding (kube-api.md §8.2).
 *
 * A path is a list of path elements in their FieldsV1 key form: `f:<name>`, `k:<sorted compact
 * JSON of the key fields>`, `v:<JSON value>`, `i:<index>`. A field set is a set of paths, each
 * stored as the JSON text of its element list so that plain `Set<string>` operations work.
 */

export type PathElement = string;
export type Path = PathElement[];
export type FieldSet = Set<string>;

export const pathKey = (p: Path): string => JSON.stringify(p);
export const keyPath = (k: string): Path => JSON.parse(k) as Path;

export function fieldPE(name: string): PathElement {
  return `f:${name}`;
}

/** `k:` element of an associative list item: key fields as compact JSON with sorted keys. */
export function keyPE(item: Record<string, unknown>, keys: string[]): PathElement {
  const sorted: Record<string, unknown> = {};
  for (const k of [...keys].sort()) sorted[k] = item[k];
  return `k:${JSON.stringify(sorted)}`;
}

export function valuePE(v: unknown): PathElement {
  return `v:${JSON.stringify(v)}`;
}

export function indexPE(i: number): PathElement {
  return `i:${i}`;
}

const KIND_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Sibling order of FieldsV1: `f:` by name, then `k:`, `v:`, `i:` (numeric) (§8.2). */
export function comparePE(a: PathElement, b: PathElement): number {
  const ka = KIND_ORDER[a[0]!] ?? 9;
  const kb = KIND_ORDER[b[0]!] ?? 9;
  if (ka !== kb) return ka - kb;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

export function comparePaths(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = comparePE(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

interface TreeNode {
  owned: boolean;
  children: Map<PathElement, TreeNode>;
}

/** Encodes a field set as FieldsV1 (`.` for owned nodes that have owned children). */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: TreeNode = { owned: false, children: new Map() };
  for (const k of set) {
    let node = root;
    for (const pe of keyPath(k)) {
      let child = node.children.get(pe);
      if (!child) {
        child = { owned: false, children: new Map() };
        node.children.set(pe, child);
      }
      node = child;
    }
    node.owned = true;
  }
  const encode = (node: TreeNode): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (node.owned && node.children.size > 0) out['.'] = {};
    for (const pe of [...node.children.keys()].sort(comparePE)) out[pe] = encode(node.children.get(pe)!);
    return out;
  };
  return encode(root);
}

/** Decodes FieldsV1; tolerates junk by ignoring non-object values. */
export function fromFieldsV1(v: unknown): FieldSet {
  const set: FieldSet = new Set();
  const walk = (node: unknown, prefix: Path): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    const entries = Object.entries(node as Record<string, unknown>);
    if (prefix.length > 0 && entries.length === 0) set.add(pathKey(prefix));
    for (const [k, child] of entries) {
      if (k === '.') {
        if (prefix.length > 0) set.add(pathKey(prefix));
        continue;
      }
      walk(child, [...prefix, k]);
    }
  };
  walk(v, []);
  return set;
}

/**
 * Path as the conflict message prints it (§8.5): `.spec.id`, `.spec.peerings[name="p1"].prefixes`,
 * `.spec.tags[="x"]`, `.spec.items[0]`.
 */
export function printPath(p: Path): string {
  let out = '';
  for (const pe of p) {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f':
        out += `.${body}`;
        break;
      case 'k': {
        const keys = JSON.parse(body) as Record<string, unknown>;
        out += `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
        break;
      }
      case 'v':
        out += `[=${body}]`;
        break;
      default:
        out += `[${body}]`;
    }
  }
  return out;
}

export function union(...sets: FieldSet[]): FieldSet {
  const out: FieldSet = new Set();
  for (const s of sets) for (const k of s) out.add(k);
  return out;
}

export function difference(a: FieldSet, b: FieldSet): FieldSet {
  return new Set([...a].filter((k) => !b.has(k)));
}

export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  return new Set([...a].filter((k) => b.has(k)));
}

export function sortedPaths(s: FieldSet): Path[] {
  return [...s].map(keyPath).sort(comparePaths);
}
