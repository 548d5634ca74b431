/**
 * Generic ObjectMeta rules of the real registry (kube-api.md §3): names, generateName,
 * labels, ownerReferences, finalizers, immutable system fields, generation.
 */
import { randomUUID, randomInt } from 'node:crypto';
import type { FieldCause, KindDef, KubeObject } from './types.ts';
import { field } from './status.ts';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const newUid = (): string => randomUUID();

/** §3.1: 5 characters from the server's alphabet appended to the prefix cut at 58. */
export function generateName(prefix: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[randomInt(alphabet.length)];
  return prefix.slice(0, 58) + s;
}

export function validateName(name: string, rule: KindDef['nameRule'], path = 'metadata.name'): FieldCause[] {
  if (rule === 'label') {
    const out: FieldCause[] = [];
    if (name.length > 63) out.push(field.invalid(path, name, 'must be no more than 63 characters'));
    if (!LABEL.test(name)) out.push(field.invalid(path, name, LABEL_MSG));
    return out;
  }
  const out: FieldCause[] = [];
  if (name.length > 253) out.push(field.invalid(path, name, 'must be no more than 253 characters'));
  if (!SUBDOMAIN.test(name)) out.push(field.invalid(path, name, SUBDOMAIN_MSG));
  return out;
}

const QUALIFIED = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function validateQualifiedKey(key: string, path: string): FieldCause[] {
  const parts = key.split('/');
  const name = parts.length === 2 ? parts[1] : parts[0];
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (parts.length > 2 || !QUALIFIED.test(name) || name.length > 63 || (prefix !== undefined && (!SUBDOMAIN.test(prefix) || prefix.length > 253))) {
    return [
      field.invalid(
        path,
        key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ),
    ];
  }
  return [];
}

/** The metadata checks every kind shares (names, labels, annotations keys, ownerReferences). */
export function validateObjectMeta(obj: KubeObject, kind: KindDef): FieldCause[] {
  const m = obj.metadata;
  const causes: FieldCause[] = [];
  if (!m.name) causes.push(field.required('metadata.name', 'name or generateName is required'));
  else causes.push(...validateName(m.name, kind.nameRule));
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    causes.push(...validateQualifiedKey(k, 'metadata.labels'));
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
      causes.push(
        field.invalid(
          'metadata.labels',
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
      );
    }
  }
  for (const k of Object.keys(m.annotations ?? {})) causes.push(...validateQualifiedKey(k.toLowerCase(), 'metadata.annotations'));
  const refs = m.ownerReferences ?? [];
  refs.forEach((r, i) => {
    const p = `metadata.ownerReferences[${i}]`;
    if (!r.apiVersion) causes.push(field.required(`${p}.apiVersion`, 'must not be empty'));
    if (!r.kind) causes.push(field.required(`${p}.kind`, 'must not be empty'));
    if (!r.name) causes.push(field.required(`${p}.name`, 'must not be empty'));
    if (!r.uid) causes.push(field.required(`${p}.uid`, 'must not be empty'));
  });
  const controllers = refs.filter((r) => r.controller === true);
  if (controllers.length > 1) {
    causes.push(
      field.invalid(
        'metadata.ownerReferences',
        refs,
        `Only one reference can have Controller set to true. Found "true" in references for ${controllers[0].kind}/${controllers[0].name} and ${controllers[1].kind}/${controllers[1].name}`,
      ),
    );
  }
  const fin = m.finalizers ?? [];
  if (fin.includes('orphan') && fin.includes('foregroundDeletion')) {
    causes.push(field.invalid('metadata.finalizers', 'foregroundDeletion', 'finalizer foregroundDeletion and orphan cannot be both set'));
  }
  return causes;
}

/** Update-only metadata rules: no new finalizers while deleting (§3.1). */
export function validateMetaUpdate(obj: KubeObject, old: KubeObject): FieldCause[] {
  if (!old.metadata.deletionTimestamp) return [];
  const added = (obj.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
  if (added.length === 0) return [];
  return [
    field.forbidden(
      'metadata.finalizers',
      `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
    ),
  ];
}

/** Keeps the server-owned fields of the stored object on update (§3.1: restored, not rejected). */
export function restoreSystemFields(obj: KubeObject, old: KubeObject): void {
  const m = obj.metadata;
  m.uid = old.metadata.uid;
  m.creationTimestamp = old.metadata.creationTimestamp;
  m.name = old.metadata.name;
  if (old.metadata.namespace !== undefined) m.namespace = old.metadata.namespace;
  else delete m.namespace;
  if (old.metadata.deletionTimestamp) m.deletionTimestamp = old.metadata.deletionTimestamp;
  else delete m.deletionTimestamp;
  if (old.metadata.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
  else delete m.deletionGracePeriodSeconds;
  if (old.metadata.generation !== undefined) m.generation = old.metadata.generation;
  else delete m.generation;
  delete m.selfLink;
}

/** Everything except metadata and status (§3.3: what a generation bump looks at). */
function specPart(o: KubeObject, withStatus: boolean): string {
  const { metadata: _m, status, ...rest } = o;
  return JSON.stringify(canonical(withStatus ? { ...rest, status } : rest));
}

export function bumpsGeneration(obj: KubeObject, old: KubeObject, kind: KindDef): boolean {
  if (!kind.generation) return false;
  return specPart(obj, !kind.statusSubresource) !== specPart(old, !kind.statusSubresource);
}

/** JSON with sorted keys, to compare objects regardless of key order. */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** §3.1: a write that changes nothing but managedFields timestamps is a no-op. */
export function sameStoredData(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const c = structuredClone(o);
    delete c.metadata.resourceVersion;
    c.metadata.managedFields = (c.metadata.managedFields ?? []).map((e) => {
      const { time: _t, ...rest } = e as Record<string, unknown>;
      return rest;
    });
    return JSON.stringify(canonical(c));
  };
  return strip(a) === strip(b);
}

const KNOWN_META = new Set([
  'name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'labels', 'annotations', 'finalizers', 'ownerReferences', 'managedFields', 'selfLink',
]);

/** Unknown metadata fields (the emulator has no schemas for the rest), for fieldValidation (§7.6). */
export function unknownMetaFields(obj: KubeObject): string[] {
  return Object.keys(obj.metadata ?? {})
    .filter((k) => !KNOWN_META.has(k))
    .map((k) => `metadata.${k}`);
}

export function dropUnknownMetaFields(obj: KubeObject): void {
  for (const k of Object.keys(obj.metadata ?? {})) if (!KNOWN_META.has(k)) delete obj.metadata[k];
}
