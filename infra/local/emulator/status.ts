/**
 * Kubernetes `Status` bodies and the ApiError factories for every error the generic machinery
 * answers (kube-api.md §2). Messages follow the real server's wording so that clients and
 * people see what they would see against a real kube-apiserver.
 */
import { ApiError, type FieldCause, type KindDef } from './types.ts';

/** The part of a KindDef that names it in messages. */
export type KindName = Pick<KindDef, 'group' | 'resource' | 'kind'>;

/** `networks.example.com`, or `namespaces` for the core group (kube-api.md §2.1). */
export function qualifiedResource(k: KindName): string {
  return k.group ? `${k.resource}.${k.group}` : k.resource;
}

/** `Network.example.com`, or `Namespace` for the core group (Invalid uses the kind). */
export function qualifiedKind(k: KindName): string {
  return k.group ? `${k.kind}.${k.group}` : k.kind;
}

function resourceDetails(k: KindName, name?: string) {
  return { ...(name !== undefined ? { name } : {}), ...(k.group ? { group: k.group } : {}), kind: k.resource };
}

export const notFound = (k: KindName, name: string) =>
  new ApiError(404, 'NotFound', `${qualifiedResource(k)} "${name}" not found`, resourceDetails(k, name));

/** 404 for unknown paths, groups, versions, resources and scope mismatches. */
export const pathNotFound = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

export const namespaceNotFound = (ns: string) =>
  new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });

export const namespaceTerminating = (k: KindName, name: string, ns: string) =>
  new ApiError(
    403,
    'Forbidden',
    `${qualifiedResource(k)} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
    resourceDetails(k, name),
  );

export const alreadyExists = (k: KindName, name: string) =>
  new ApiError(409, 'AlreadyExists', `${qualifiedResource(k)} "${name}" already exists`, resourceDetails(k, name));

export const conflict = (k: KindName, name: string, why: string) =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(k)} "${name}": ${why}`, resourceDetails(k, name));

export const OPTIMISTIC_LOCK = 'the object has been modified; please apply your changes to the latest version and try again';

/** 422 Invalid: `<Kind>.<group> "<name>" is invalid: <errors>` (kube-api.md §2.3). */
export function invalid(k: KindName, name: string, causes: FieldCause[]): ApiError {
  const rendered = [...new Set(causes.map((c) => `${c.field}: ${c.message}`))];
  const text = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualifiedKind(k)} "${name}" is invalid: ${text}`, {
    name,
    ...(k.group ? { group: k.group } : {}),
    kind: k.kind,
    causes,
  });
}

/** 422 on request options, e.g. `PatchOptions.meta.k8s.io "" is invalid: …`. */
export const invalidOptions = (optionsKind: string, causes: FieldCause[]) =>
  invalid({ group: 'meta.k8s.io', kind: optionsKind, resource: optionsKind }, '', causes);

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);

export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');

export const methodNotAllowed = (verb: string, k: KindName) =>
  new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualifiedResource(k)}"`, {
    ...(k.group ? { group: k.group } : {}),
    kind: k.resource,
  });

export const expired = (message: string) => new ApiError(410, 'Expired', message);

/** 410 for an Exact list (or a limited list at a version) older than the retained history (§2.3). */
export const listTooOld = () => expired('The resourceVersion for the provided list is too old.');

/**
 * 410 for a continue token whose snapshot is gone: the real server offers a token that resumes
 * the same key range at the latest version (inconsistent list), in the Status's metadata (§2.3).
 */
export const continueTooOld = (resumeToken: string) =>
  new ApiError(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, ' +
      'or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an ' +
      'inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    undefined,
    { continue: resumeToken },
  );

/** 504 for a resourceVersion newer than the store after the wait (kube-api.md §2.3, §4.5, §5.3). */
export const tooLargeResourceVersion = (requested: number, current: number) =>
  new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' } as FieldCause],
    retryAfterSeconds: 1,
  });

export const tooLarge = (message: string) => new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);

export const unsupportedMediaType = (accepted: string[]) =>
  new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);

export const internalError = (text: string) =>
  new ApiError(500, 'InternalError', `Internal error occurred: ${text}`, { causes: [{ message: text } as FieldCause] });

/** An error the real server cannot classify: 500 without reason (kube-api.md §2.1). */
export const unclassified = (text: string) => new ApiError(500, '', text);

export const tooManyRequests = () =>
  new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 });

/** Field error constructors with the real bodies (kube-api.md §2.3 table). */
export const field = {
  required: (f: string, detail?: string): FieldCause => ({ reason: 'FieldValueRequired', message: withDetail('Required value', detail), field: f }),
  forbidden: (f: string, detail?: string): FieldCause => ({ reason: 'FieldValueForbidden', message: withDetail('Forbidden', detail), field: f }),
  invalid: (f: string, value: unknown, detail?: string): FieldCause => ({
    reason: 'FieldValueInvalid',
    message: withDetail(`Invalid value: ${renderValue(value)}`, detail),
    field: f,
  }),
  notSupported: (f: string, value: unknown, supported: string[]): FieldCause => ({
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${renderValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
    field: f,
  }),
  tooLong: (f: string, detail?: string): FieldCause => ({ reason: 'FieldValueTooLong', message: withDetail('Too long', detail), field: f }),
};

function withDetail(head: string, detail?: string): string {
  return detail ? `${head}: ${detail}` : head;
}

/** Strings Go-quoted, numbers and booleans plain, everything else JSON (kube-api.md §2.3). */
export function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** The wire body of an error, keys in the server's order. */
export function statusBody(err: ApiError): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: err.listMeta ? { ...err.listMeta } : {}, status: 'Failure' };
  if (err.message) body.message = err.message;
  if (err.reason) body.reason = err.reason;
  if (err.details) body.details = err.details;
  body.code = err.code;
  return body;
}

/** The body of a successful immediate delete (kube-api.md §6.3). */
export function deleteSuccessBody(k: KindName, name: string, uid: string | undefined): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...resourceDetails(k, name), ...(uid ? { uid } : {}) } };
}

/** Any thrown value as an ApiError; unknown errors become unclassified 500s. */
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e && typeof e === 'object' && (e as { name?: string }).name === 'ApiError' && typeof (e as ApiError).code === 'number') return e as ApiError;
  return unclassified(e instanceof Error ? e.message : String(e));
}
