/**
 * The contract between the generic Kubernetes API machinery of the emulator (server, store,
 * patch, apply, watch, admission) and the flavours (ironcore, apinet) that describe their kinds
 * and the server-side behaviour of the real API servers (defaulting, validation, allocation).
 */

/** A stored object as JSON. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
};

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** One entry of a 422 Invalid Status' `details.causes`. */
export interface FieldCause {
  /** e.g. `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueForbidden`, `FieldValueDuplicate`. */
  reason: string;
  message: string;
  /** Field path as the real server prints it, e.g. `spec.ips[0].ip`. */
  field: string;
}

/** An error answered as a Kubernetes `Status` object. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: FieldCause[]; retryAfterSeconds?: number },
    /** The Status's ListMeta, e.g. the resume token of an inconsistent-continue 410 (kube-api.md §2.3). */
    readonly listMeta?: { continue?: string },
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** How a kind's object is addressed inside the emulator. */
export interface KindRef {
  group: string;
  version: string;
  /** URL plural. */
  resource: string;
}

/** Read and write access to the store from inside a hook (same server, same transaction rules). */
export interface StoreAccess {
  get(ref: KindRef, namespace: string | undefined, name: string): KubeObject | undefined;
  list(ref: KindRef, namespace?: string): KubeObject[];
  /** Creates an object as the server itself (no admission, no auth). Honours dryRun of the calling request. */
  create(ref: KindRef, obj: KubeObject): KubeObject;
  /** Updates an object as the server itself; the caller passes the full new object. */
  update(ref: KindRef, obj: KubeObject): KubeObject;
  /** Deletes as the server itself (finalizers honoured). */
  delete(ref: KindRef, namespace: string | undefined, name: string): void;
}

export interface HookContext {
  store: StoreAccess;
  /** True for `dryRun=All`: hooks must not cause side effects (no allocation persisted, no objects created). */
  dryRun: boolean;
  /** `main` for writes to the object, `status` for writes to the status subresource. */
  subresource: 'main' | 'status';
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
}

/**
 * Server behaviour of one kind. Order on create/update (like the real registry):
 * defaulting → validate (422) → admission (mutating was before defaulting in the emulator core) →
 * beforeWrite (allocation, may throw ApiError) → persist → afterWrite.
 */
export interface KindHooks {
  /** Defaulting; mutates `obj` in place. */
  default?(obj: KubeObject, ctx: HookContext): void;
  /** Validation; an empty array means valid. `old` is set on UPDATE. */
  validate?(obj: KubeObject, old: KubeObject | undefined, ctx: HookContext): FieldCause[];
  /** Server-side allocation or claims before the write persists; may mutate `obj`, may throw ApiError. */
  beforeWrite?(obj: KubeObject, old: KubeObject | undefined, ctx: HookContext): void;
  /** Side effects after a successful persist (e.g. create backing objects). */
  afterWrite?(obj: KubeObject, old: KubeObject | undefined, ctx: HookContext): void;
  /** After the object is really gone from the store (release allocations). */
  afterDelete?(obj: KubeObject, ctx: HookContext): void;
}

export interface KindDef {
  group: string;
  version: string;
  kind: string;
  /** URL plural. */
  resource: string;
  singular: string;
  shortNames?: string[];
  namespaced: boolean;
  /**
   * Whether `<resource>/status` is served. Status writes keep the rest of the object. Main writes of the
   * ironcore and apinet kinds keep the status the request carries (their registries do not reset it,
   * SRV-08); CRD-style reset on main writes is opt-in per kind (kinds.ts `resetsStatusOnMainWrite`).
   */
  statusSubresource: boolean;
  /** Rule for metadata.name: DNS-1123 subdomain (≤253) or label (≤63). */
  nameRule: 'subdomain' | 'label';
  /** Whether metadata.generation increments on changes outside metadata/status. */
  generation?: boolean;
  /** Extra field selectors beyond metadata.name / metadata.namespace, e.g. `spec.ip` for apinet IP. */
  fieldSelectors?: Record<string, (obj: KubeObject) => string | undefined>;
  /**
   * Server-side apply list topology: dotted path (with `[]` for list items) → key field names of an
   * associative list, e.g. `{ 'spec.ips': ['name'] }`. Lists not named here are atomic.
   */
  listMapKeys?: Record<string, string[]>;
  /** Lists merged as sets in server-side apply (e.g. `metadata.finalizers`). */
  listSets?: string[];
  /** Maps replaced as a whole in server-side apply (`+structType=atomic`, e.g. `spec.networkRef`); dotted paths. */
  atomicMaps?: string[];
  hooks?: KindHooks;
}

/** A flavour: one real API server's set of kinds. */
export interface Flavour {
  name: 'ironcore' | 'apinet';
  kinds: KindDef[];
}
