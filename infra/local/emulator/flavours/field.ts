/**
 * Kubernetes `field.Error` builders (apimachinery `pkg/util/validation/field`) and the shared
 * syntax checks (DNS names, label selectors), producing `details.causes` entries exactly as the
 * real servers print them: the cause type under `reason`, `ErrorBody()` as the message.
 */
import type { FieldCause } from '../types.ts';

/** Go `%v`-ish rendering of a value inside "Invalid value: …" (strings quoted like strconv.Quote). */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined || v === null) return 'null';
  return JSON.stringify(v);
}

const withDetail = (head: string, detail: string) => (detail ? `${head}: ${detail}` : head);

export const required = (field: string, detail = ''): FieldCause => ({
  reason: 'FieldValueRequired',
  message: withDetail('Required value', detail),
  field,
});

export const invalid = (field: string, value: unknown, detail = ''): FieldCause => ({
  reason: 'FieldValueInvalid',
  message: withDetail(`Invalid value: ${showValue(value)}`, detail),
  field,
});

export const forbidden = (field: string, detail = ''): FieldCause => ({
  reason: 'FieldValueForbidden',
  message: withDetail('Forbidden', detail),
  field,
});

export const duplicate = (field: string, value: unknown): FieldCause => ({
  reason: 'FieldValueDuplicate',
  message: `Duplicate value: ${showValue(value)}`,
  field,
});

export const notSupported = (field: string, value: unknown, supported: readonly string[]): FieldCause => ({
  reason: 'FieldValueNotSupported',
  message: `Unsupported value: ${showValue(value)}: supported values: ${[...supported].sort().map((s) => JSON.stringify(s)).join(', ')}`,
  field,
});

/** "Enum check" of ironcore-api.md §8.0: empty → Required(requiredMsg), unknown → NotSupported. */
export function enumCheck(value: unknown, allowed: readonly string[], field: string, requiredMsg: string): FieldCause[] {
  if (value === undefined || value === null || value === '') return [required(field, requiredMsg)];
  return allowed.includes(value as string) ? [] : [notSupported(field, value, allowed)];
}

const LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const LABEL_RE = new RegExp(`^${LABEL_FMT}$`);
const SUBDOMAIN_FMT = `${LABEL_FMT}(\\.${LABEL_FMT})*`;
const SUBDOMAIN_RE = new RegExp(`^${SUBDOMAIN_FMT}$`);
const LABEL_MSG = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${LABEL_FMT}')`;
const SUBDOMAIN_MSG = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${SUBDOMAIN_FMT}')`;

/** Go `validation.IsDNS1123Label`: the list of problems (empty = valid). */
export function dnsLabelProblems(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push('must be no more than 63 characters');
  if (!LABEL_RE.test(v)) out.push(LABEL_MSG);
  return out;
}

/** Go `validation.IsDNS1123Subdomain`. */
export function dnsSubdomainProblems(v: string): string[] {
  const out: string[] = [];
  if (v.length > 253) out.push('must be no more than 253 characters');
  if (!SUBDOMAIN_RE.test(v)) out.push(SUBDOMAIN_MSG);
  return out;
}

export const isDnsLabel = (v: string) => dnsLabelProblems(v).length === 0;
export const isDnsSubdomain = (v: string) => dnsSubdomainProblems(v).length === 0;

/** One Invalid cause per problem, as `ValidateDNS1123Label/Subdomain` at `field` produce. */
export function dnsLabel(value: unknown, field: string): FieldCause[] {
  const v = typeof value === 'string' ? value : '';
  return dnsLabelProblems(v).map((p) => invalid(field, v, p));
}

export function dnsSubdomain(value: unknown, field: string): FieldCause[] {
  const v = typeof value === 'string' ? value : '';
  return dnsSubdomainProblems(v).map((p) => invalid(field, v, p));
}

const NAME_PART_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const NAME_PART_RE = new RegExp(`^${NAME_PART_FMT}$`);
const LABEL_VALUE_RE = new RegExp(`^(${NAME_PART_FMT})?$`);

/** Go `validation.IsQualifiedName` (label keys). */
export function qualifiedNameProblems(v: string): string[] {
  const parts = v.split('/');
  let name = v;
  const out: string[] = [];
  if (parts.length === 2) {
    const [prefix, n] = parts as [string, string];
    name = n;
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else out.push(...dnsSubdomainProblems(prefix).map((p) => `prefix part ${p}`));
  } else if (parts.length > 2) {
    return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${NAME_PART_FMT}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  if (name.length > 0 && !NAME_PART_RE.test(name)) {
    out.push(`name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${NAME_PART_FMT}')`);
  }
  return out;
}

export function labelValueProblems(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push('must be no more than 63 characters');
  if (!LABEL_VALUE_RE.test(v)) {
    out.push(`a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(${NAME_PART_FMT})?')`);
  }
  return out;
}

/** `ValidateLabels` at `field` (keys and values both reported at `field`). */
export function labelMap(labels: unknown, field: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const [k, v] of Object.entries(asRecord(labels))) {
    out.push(...qualifiedNameProblems(k).map((p) => invalid(field, k, p)));
    out.push(...labelValueProblems(String(v ?? '')).map((p) => invalid(field, v, p)));
  }
  return out;
}

/** `metav1validation.ValidateLabelSelector` with default options; a null selector is fine. */
export function labelSelector(sel: unknown, field: string): FieldCause[] {
  if (sel === undefined || sel === null) return [];
  const s = asRecord(sel);
  const out: FieldCause[] = [];
  asArray(s['matchExpressions']).forEach((e, i) => {
    const expr = asRecord(e);
    const p = `${field}.matchExpressions[${i}]`;
    const values = asArray(expr['values']);
    const op = expr['operator'];
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) out.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) out.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      out.push(invalid(`${p}.operator`, op, 'not a valid selector operator'));
    }
    out.push(...qualifiedNameProblems(String(expr['key'] ?? '')).map((m) => invalid(`${p}.key`, expr['key'] ?? '', m)));
    values.forEach((v, j) => out.push(...labelValueProblems(String(v)).map((m) => invalid(`${p}.values[${j}]`, v, m))));
  });
  out.push(...labelMap(s['matchLabels'], `${field}.matchLabels`));
  return out;
}

/** Whether a label selector ({matchLabels, matchExpressions}) matches the labels. */
export function selectorMatches(sel: unknown, labels: Record<string, string>): boolean {
  const s = asRecord(sel);
  for (const [k, v] of Object.entries(asRecord(s['matchLabels']))) if (labels[k] !== v) return false;
  for (const e of asArray(s['matchExpressions'])) {
    const { key, operator, values } = asRecord(e) as { key?: string; operator?: string; values?: string[] };
    const has = key !== undefined && key in labels;
    const val = has ? labels[key!] : undefined;
    if (operator === 'In' && !(has && (values ?? []).includes(val!))) return false;
    if (operator === 'NotIn' && has && (values ?? []).includes(val!)) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

export function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Semantic equality of JSON values as Go's `equality.Semantic` treats them: nil ≡ empty list/map. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) =>
    v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
  if (empty(a) && empty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => semanticEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}
