/**
 * LIST semantics (kube-api.md §4): label selectors (equality and set-based), field selectors
 * (metadata.name, metadata.namespace and the kind's own), `limit` + `continue` paging with
 * `remainingItemCount`.
 */
import type { KindDef, KubeObject } from './types.ts';
import { badRequest } from './status.ts';

export type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'gt' | 'lt'; key: string; value: number };

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function checkKey(key: string): string {
  if (!KEY.test(key) || key.length > 316) throw badRequest(`unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  return key;
}

function checkValue(v: string): string {
  if (v.length > 63 || !VALUE.test(v)) throw badRequest(`unable to parse requirement: invalid label value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  return v;
}

/** Parses `labelSelector=` (kube-api.md §4.3); errors are 400 with the parser's wording. */
export function parseLabelSelector(sel: string | null | undefined): LabelRequirement[] {
  if (!sel || !sel.trim()) return [];
  return splitTop(sel).map((raw): LabelRequirement => {
    const t = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = t.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/))) {
      const values = m[3].split(',').map((v) => checkValue(v.trim()));
      return { op: m[2] as 'in' | 'notin', key: checkKey(m[1]), values };
    }
    if ((m = t.match(/^(\S+)\s+(in|notin)\s*(.*)$/))) throw badRequest(`unable to parse requirement: found '${m[3] || ''}', expected: '('`);
    if ((m = t.match(/^!\s*(\S+)$/))) return { op: 'notexists', key: checkKey(m[1]) };
    if ((m = t.match(/^([^=!<>\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      return { op: m[2] === '!=' ? 'neq' : 'eq', key: checkKey(m[1]), value: checkValue(m[3]) };
    }
    if ((m = t.match(/^([^=!<>\s]+)\s*([<>])\s*(\S+)$/))) {
      const n = Number(m[3]);
      if (!Number.isInteger(n)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
      return { op: m[2] === '>' ? 'gt' : 'lt', key: checkKey(m[1]), value: n };
    }
    if ((m = t.match(/^([^=!<>\s()]+)$/))) return { op: 'exists', key: checkKey(m[1]) };
    throw badRequest(`unable to parse requirement: found '${t}', expected: identifier`);
  });
}

export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        return has && v === r.value;
      case 'neq':
        return !has || v !== r.value;
      case 'in':
        return has && r.values.includes(v);
      case 'notin':
        return !has || !r.values.includes(v);
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v)) return false;
        return r.op === 'gt' ? Number(v) > r.value : Number(v) < r.value;
      }
    }
  });
}

export interface FieldRequirement {
  field: string;
  op: 'eq' | 'neq';
  value: string;
}

/** Parses `fieldSelector=` (kube-api.md §4.4) and checks the fields are supported for the kind. */
export function parseFieldSelector(sel: string | null | undefined, kind: KindDef): FieldRequirement[] {
  if (!sel || !sel.trim()) return [];
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < sel.length; i++) {
    const ch = sel[i];
    if (ch === '\\' && i + 1 < sel.length) {
      cur += ch + sel[++i];
    } else if (ch === ',') {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  return terms.map((term) => {
    const m = term.match(/^([^=!]*?)(==|!=|=)(.*)$/s);
    if (!m || /(^|[^\\])[=]/.test(m[3]) || !m[1].trim()) throw badRequest(`invalid selector: '${sel}'; can't understand '${term}'`);
    const fieldName = m[1].trim();
    const value = m[3].replace(/\\(.)/g, '$1');
    if (!supportedField(kind, fieldName)) {
      const known = ['metadata.name', ...(kind.namespaced ? ['metadata.namespace'] : []), ...Object.keys(kind.fieldSelectors ?? {})];
      throw badRequest(`"${fieldName}" is not a known field selector: only ${known.map((k) => `"${k}"`).join(', ')}`);
    }
    return { field: fieldName, op: m[2] === '!=' ? 'neq' : 'eq', value } as FieldRequirement;
  });
}

function supportedField(kind: KindDef, f: string): boolean {
  return f === 'metadata.name' || f === 'metadata.namespace' || Object.prototype.hasOwnProperty.call(kind.fieldSelectors ?? {}, f);
}

export function fieldValue(kind: KindDef, obj: KubeObject, f: string): string {
  if (f === 'metadata.name') return obj.metadata.name ?? '';
  if (f === 'metadata.namespace') return obj.metadata.namespace ?? '';
  return kind.fieldSelectors?.[f]?.(obj) ?? '';
}

export function matchesFields(reqs: FieldRequirement[], kind: KindDef, obj: KubeObject): boolean {
  return reqs.every((r) => (fieldValue(kind, obj, r.field) === r.value) === (r.op === 'eq'));
}

export interface Selectors {
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

export function matches(sel: Selectors, kind: KindDef, obj: KubeObject): boolean {
  return matchesLabels(sel.labels, obj.metadata.labels) && matchesFields(sel.fields, kind, obj);
}

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start } satisfies ContinueToken)).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  let t: ContinueToken;
  try {
    t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad');
  } catch {
    throw badRequest('invalid continue token: continue key is not valid: illegal base64 data or malformed token');
  }
  // continue.go: 0 is no version; -1 is the "resume at the latest version" token of an expired one.
  if (!Number.isInteger(t.rv) || t.rv === 0 || t.rv < -1) {
    throw badRequest('invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  return t;
}

export function storageKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export interface Page {
  items: KubeObject[];
  continue?: string;
  remainingItemCount?: number;
}

/**
 * One page of a filtered, key-ordered list. `all` is the snapshot the page is cut from (for a
 * continued page the state at the token's version, Store.stateAt); the token carries `rv`.
 */
export function paginate(all: KubeObject[], opts: { limit?: number; start?: string; rv: number; selected: boolean }): Page {
  const rest = opts.start === undefined ? all : all.filter((o) => storageKey(o) >= opts.start!);
  if (!opts.limit || rest.length <= opts.limit) return { items: rest };
  const items = rest.slice(0, opts.limit);
  const next = storageKey(rest[opts.limit]);
  return {
    items,
    continue: encodeContinue(opts.rv, next),
    // §4.2: only without selectors.
    ...(opts.selected ? {} : { remainingItemCount: rest.length - opts.limit }),
  };
}
