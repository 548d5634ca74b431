import { z } from 'zod';

/**
 * Kubernetes metadata and shared reference types (kube-api.md 3, ironcore-api.md 2.7).
 * Everything here is read from a cluster, so objects are loose: a newer server's extra fields
 * must not break us. Every metadata field is optional because the same shape appears in
 * templates and in admission requests (a mutating webhook sees no `uid`, and an empty `name`
 * when `generateName` is used).
 */

export const OwnerReference = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});
export type OwnerReference = z.infer<typeof OwnerReference>;

export const ManagedFieldsEntry = z.looseObject({
  manager: z.string().optional(),
  operation: z.string().optional(),
  apiVersion: z.string().optional(),
  time: z.string().optional(),
  fieldsType: z.string().optional(),
  fieldsV1: z.unknown().optional(),
  subresource: z.string().optional(),
});
export type ManagedFieldsEntry = z.infer<typeof ManagedFieldsEntry>;

const StringMap = z.record(z.string(), z.string());

export const ObjectMeta = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().nullish(),
  deletionTimestamp: z.string().nullish(),
  deletionGracePeriodSeconds: z.number().int().nullish(),
  labels: StringMap.nullish(),
  annotations: StringMap.nullish(),
  finalizers: z.array(z.string()).nullish(),
  ownerReferences: z.array(OwnerReference).nullish(),
  managedFields: z.array(ManagedFieldsEntry).nullish(),
});

/** apiVersion, kind and metadata of every object schema (spread into each kind's object). */
export const typeMeta = {
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMeta.default({}),
};
export type ObjectMeta = z.infer<typeof ObjectMeta>;

export const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export const LabelSelectorRequirement = z.looseObject({
  key: z.string(),
  operator: z.enum(LABEL_SELECTOR_OPERATORS),
  values: z.array(z.string()).nullish(),
});
export type LabelSelectorRequirement = z.infer<typeof LabelSelectorRequirement>;

/** metav1.LabelSelector; an empty selector selects everything (see selector.ts). */
export const LabelSelector = z.looseObject({
  matchLabels: StringMap.nullish(),
  matchExpressions: z.array(LabelSelectorRequirement).nullish(),
});
export type LabelSelector = z.infer<typeof LabelSelector>;

/** core/v1 LocalObjectReference; `name` is omitempty on the wire, so `{}` is a valid value. */
export const LocalObjectReference = z.looseObject({
  name: z.string().optional(),
});
export type LocalObjectReference = z.infer<typeof LocalObjectReference>;

/** A reference whose `name` must be set (fields the servers validate as required). */
export const RequiredObjectReference = z.looseObject({
  name: z.string().min(1),
});
export type RequiredObjectReference = z.infer<typeof RequiredObjectReference>;

/** common.ironcore.dev LocalUIDReference / apinet LocalUIDReference: `{name, uid}`. */
export const LocalUIDReference = z.looseObject({
  name: z.string(),
  uid: z.string(),
});
export type LocalUIDReference = z.infer<typeof LocalUIDReference>;

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export const Protocol = z.enum(PROTOCOLS);
export type Protocol = z.infer<typeof Protocol>;

export const ConditionStatus = z.enum(['True', 'False', 'Unknown']);
export type ConditionStatus = z.infer<typeof ConditionStatus>;

/** Any Kubernetes object: type meta plus metadata, everything else kept as is. */
export const KubeObject = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: ObjectMeta.default({}),
});
export type KubeObject = z.infer<typeof KubeObject>;

export const ListMeta = z.looseObject({
  resourceVersion: z.string().optional(),
  continue: z.string().optional(),
  remainingItemCount: z.number().int().optional(),
});
export type ListMeta = z.infer<typeof ListMeta>;

/** A `<Kind>List` of the given item schema. A `null` items (empty Go slice) reads as `[]`. */
export function ObjectList<T extends z.ZodType>(item: T) {
  return z.looseObject({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    metadata: ListMeta.default({}),
    items: z.array(item).nullish().transform((items) => items ?? []),
  });
}
export type ObjectList<T> = {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
  [k: string]: unknown;
};

/** The key of an object (`<namespace>/<name>`); throws naming the step when either is missing. */
export function objectKeyOf(obj: { metadata?: ObjectMeta }, step = 'reading object key'): { namespace: string; name: string } {
  const namespace = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  if (!name) throw new Error(`${step}: object ${namespace || '<no namespace>'}/<no name> has no metadata.name; set metadata.name`);
  return { namespace, name };
}

/** The controller owner reference of an object, if any. */
export function controllerOf(obj: { metadata?: ObjectMeta }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((ref) => ref.controller === true);
}
