/**
 * Typed reconcile errors. Every error names the ironcore object key (`<namespace>/<name>`) and
 * the reconcile step that failed, so a log line alone says what broke and where; the message
 * says what to change. The shell decides retry behaviour from `retryable`.
 */

/** Steps of a reconcile, as they appear in errors and logs. Free-form strings are allowed too. */
export type ReconcileStep =
  | 'read'
  | 'finalizer'
  | 'desired'
  | 'apply'
  | 'provider-id'
  | 'status'
  | 'delete'
  | 'autoscale'
  | (string & {});

export interface ReconcileErrorOptions {
  /** Whether trying again later can help (default true: most failures are transient). */
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

export class ReconcileError extends Error {
  /** The ironcore object key `<namespace>/<name>` (or the apinet key for resync work). */
  readonly key: string;
  readonly step: ReconcileStep;
  readonly retryable: boolean;

  constructor(key: string, step: ReconcileStep, message: string, options: ReconcileErrorOptions = {}) {
    super(`${key}: ${step}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ReconcileError';
    this.key = key;
    this.step = step;
    this.retryable = options.retryable ?? true;
  }
}

/**
 * The ironcore object asks for something apinetlet cannot translate (e.g. R-LB-09 an unknown
 * load balancer type). Retrying does not help until the object is changed.
 */
export class UntranslatableSpecError extends ReconcileError {
  /** JSON path of the offending field, e.g. `spec.type`. */
  readonly field: string;

  constructor(key: string, field: string, message: string) {
    super(key, 'desired', `${field}: ${message}`, { retryable: false });
    this.name = 'UntranslatableSpecError';
    this.field = field;
  }
}

/** R-LB-09: `spec.type` is neither Public nor Internal. */
export class UnknownLoadBalancerTypeError extends UntranslatableSpecError {
  readonly type: string;

  constructor(key: string, type: string) {
    super(key, 'spec.type', `unknown load balancer type ${JSON.stringify(type)}; set it to "Public" or "Internal"`);
    this.name = 'UnknownLoadBalancerTypeError';
    this.type = type;
  }
}

/**
 * A value the apinet server fills (e.g. Network `spec.id`, SRV-01) is not there yet after the
 * apply. Transient: the next pass reads it again.
 */
export class ServerFieldMissingError extends ReconcileError {
  readonly field: string;

  constructor(key: string, step: ReconcileStep, field: string, what: string) {
    super(key, step, `${what} has no ${field} yet; the apinet server fills it, retrying`, { retryable: true });
    this.name = 'ServerFieldMissingError';
    this.field = field;
  }
}

/** `<namespace>/<name>` of an object, the key every error and queue message uses. */
export function objectKey(meta: { readonly namespace?: string; readonly name?: string }): string {
  return `${meta.namespace ?? ''}/${meta.name ?? ''}`;
}
