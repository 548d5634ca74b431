import type { PrimaryKind } from '../api/resources.ts';
import { finalizerOf } from '../api/origin.ts';
import { field } from '../events/object.ts';

export interface JsonPatchAdd {
  op: 'add';
  path: string;
  value: unknown;
}

/**
 * RFC 6902 operations that add the kind's finalizer at CREATE (R-GEN-01: the webhook adds it so
 * the first reconcile need not). Adding to `/metadata/finalizers/-` fails when the list is
 * absent, so an absent (or null) list is created whole instead. Empty when already present.
 */
export function finalizerPatch(obj: unknown, kind: PrimaryKind): JsonPatchAdd[] {
  const finalizer = finalizerOf(kind);
  const metadata = field(obj, 'metadata');
  if (metadata === undefined || metadata === null) {
    return [{ op: 'add', path: '/metadata', value: { finalizers: [finalizer] } }];
  }
  const current = field(obj, 'metadata', 'finalizers');
  if (!Array.isArray(current)) return [{ op: 'add', path: '/metadata/finalizers', value: [finalizer] }];
  if (current.includes(finalizer)) return [];
  return [{ op: 'add', path: '/metadata/finalizers/-', value: finalizer }];
}
