/**
 * Typed errors of the Kubernetes client, built from the `Status` object the API server answers
 * (kube-api.md section 2). Every error names the verb, the object key and the server's message,
 * so that a log line alone says what failed and where.
 */

/** One entry of an Invalid Status' `details.causes` (the cause type is serialized as `reason`). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The parts of a Kubernetes `Status` body we read. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
}

/** What request failed: the verb (get, list, apply, patch, delete, …), the kind and the key `<namespace>/<name>`. */
export interface RequestContext {
  verb: string;
  kind: string;
  /** `namespace/name`, `name` for cluster-scoped objects, or `namespace/*` for a list. */
  key: string;
}

export class KubeApiError extends Error {
  readonly verb: string;
  readonly kind: string;
  readonly key: string;
  /** HTTP status code; 0 when no response arrived (network error, timeout). */
  readonly code: number;
  /** `Status.reason` (e.g. `NotFound`, `Conflict`); '' when the server gave none. */
  readonly reason: string;
  /** `Status.message` as the server wrote it (or the transport error text). */
  readonly statusMessage: string;
  readonly status?: KubeStatus;
  /** Whether repeating the same request later can succeed (429, 5xx, timeouts, network errors). */
  readonly retryable: boolean = false;

  constructor(ctx: RequestContext, code: number, reason: string, statusMessage: string, status?: KubeStatus, options?: { cause?: unknown }) {
    super(`${ctx.verb} ${ctx.kind} ${ctx.key}: ${code ? `${code} ${reason || 'error'}` : reason}: ${statusMessage}`, options);
    this.name = new.target.name;
    this.verb = ctx.verb;
    this.kind = ctx.kind;
    this.key = ctx.key;
    this.code = code;
    this.reason = reason;
    this.statusMessage = statusMessage;
    this.status = status;
  }
}

/** 404: the object (or its namespace) does not exist. */
export class NotFoundError extends KubeApiError {}
/** 409 Conflict: stale resourceVersion, failed precondition or apply conflict — read again and retry. */
export class ConflictError extends KubeApiError {}
/** 409 AlreadyExists. */
export class AlreadyExistsError extends KubeApiError {}
/** 422 Invalid (also a failed JSON patch `test`); `causes` name the fields. */
export class InvalidError extends KubeApiError {
  get causes(): StatusCause[] {
    return this.status?.details?.causes ?? [];
  }
}
/** 401: the credentials of the kubeconfig were refused. */
export class UnauthorizedError extends KubeApiError {}
/** 403: RBAC does not grant this verb on this resource. */
export class ForbiddenError extends KubeApiError {}
/** 429, 5xx, timeouts and network errors: try again later. */
export class UnavailableError extends KubeApiError {
  override readonly retryable = true;
  /** `details.retryAfterSeconds` or the Retry-After header, when the server gave one. */
  readonly retryAfterSeconds?: number;
  constructor(
    ctx: RequestContext,
    code: number,
    reason: string,
    statusMessage: string,
    status?: KubeStatus,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(ctx, code, reason, statusMessage, status, options);
    this.retryAfterSeconds = options?.retryAfterSeconds ?? status?.details?.retryAfterSeconds;
  }
}

/** Parses a response body as a Status if it is one. */
export function parseStatus(body: string): KubeStatus | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && (parsed as KubeStatus).kind === 'Status') return parsed as KubeStatus;
  } catch {
    // not JSON: the caller falls back to the raw text
  }
  return undefined;
}

/** Maps a failed HTTP response to the typed error (pure). */
export function errorFromResponse(ctx: RequestContext, httpCode: number, body: string, retryAfterHeader?: string): KubeApiError {
  const status = parseStatus(body);
  const reason = status?.reason ?? '';
  const message = status?.message || body.trim().slice(0, 500) || `HTTP ${httpCode}`;
  const retryAfter = retryAfterHeader !== undefined && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : undefined;
  switch (true) {
    case httpCode === 404:
      return new NotFoundError(ctx, httpCode, reason || 'NotFound', message, status);
    case httpCode === 409 && reason === 'AlreadyExists':
      return new AlreadyExistsError(ctx, httpCode, reason, message, status);
    case httpCode === 409:
      return new ConflictError(ctx, httpCode, reason || 'Conflict', message, status);
    case httpCode === 422:
      return new InvalidError(ctx, httpCode, reason || 'Invalid', message, status);
    case httpCode === 401:
      return new UnauthorizedError(ctx, httpCode, reason || 'Unauthorized', message, status);
    case httpCode === 403:
      return new ForbiddenError(ctx, httpCode, reason || 'Forbidden', message, status);
    case httpCode === 429 || httpCode >= 500:
      return new UnavailableError(ctx, httpCode, reason, message, status, { retryAfterSeconds: retryAfter });
    default:
      return new KubeApiError(ctx, httpCode, reason, message, status);
  }
}

export const isNotFound = (err: unknown): err is NotFoundError => err instanceof NotFoundError;
export const isConflict = (err: unknown): err is ConflictError => err instanceof ConflictError;
export const isRetryable = (err: unknown): boolean => err instanceof KubeApiError && err.retryable;
