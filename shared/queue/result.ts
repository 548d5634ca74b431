/**
 * What a reconcile tells the queue consumer (ARCHITECTURE.md 3: "done / retry / retry after").
 * A thrown error is a failure: retried with backoff like a requeue without `afterSeconds`.
 */
export type ReconcileResult = { outcome: 'done' } | { outcome: 'requeue'; afterSeconds?: number; reason: string };

export const done = (): ReconcileResult => ({ outcome: 'done' });
export const requeue = (reason: string, afterSeconds?: number): ReconcileResult =>
  afterSeconds === undefined ? { outcome: 'requeue', reason } : { outcome: 'requeue', reason, afterSeconds };
