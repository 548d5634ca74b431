import type { ObjectMeta } from './meta.ts';

/**
 * Event filters of the primary ironcore kinds (ironcore-api.md 9.1): R-GEN-03 watch filter and
 * R-GEN-04 externally managed objects. They apply to events of primary objects only; reconciles
 * triggered otherwise are not filtered.
 */

export const WATCH_FILTER_LABEL = 'common.ironcore.dev/watch-filter';
export const MANAGED_BY_ANNOTATION = 'common.ironcore.dev/managed-by';
export const EPHEMERAL_MANAGED_BY_ANNOTATION = 'common.ironcore.dev/ephemeral-managed-by';
export const DEFAULT_EPHEMERAL_MANAGER = 'ephemeral-manager';

export type Exclusion =
  | { excluded: false }
  | { excluded: true; reason: 'watch-filter' | 'managed-by'; detail: string };

/**
 * Whether events of `obj` are ignored. R-GEN-04 wins over R-GEN-03 when both apply, since an
 * externally managed object is never ours whatever its labels.
 */
export function isExcluded(obj: { metadata?: ObjectMeta | null } | null | undefined, watchFilter: string | undefined): Exclusion {
  const meta = obj?.metadata ?? {};
  const annotations = meta.annotations ?? {};
  // R-GEN-04: presence is enough, whatever the value (even empty).
  if (Object.hasOwn(annotations, MANAGED_BY_ANNOTATION)) {
    return {
      excluded: true,
      reason: 'managed-by',
      detail: `annotation ${MANAGED_BY_ANNOTATION}=${JSON.stringify(annotations[MANAGED_BY_ANNOTATION])} marks the object as externally managed`,
    };
  }
  // R-GEN-03: an empty filter lets everything through; otherwise the label must equal it exactly.
  if (watchFilter) {
    const labels = meta.labels ?? {};
    const value = Object.hasOwn(labels, WATCH_FILTER_LABEL) ? labels[WATCH_FILTER_LABEL] : undefined;
    if (value !== watchFilter) {
      return {
        excluded: true,
        reason: 'watch-filter',
        detail:
          value === undefined
            ? `label ${WATCH_FILTER_LABEL} is missing; the watch filter requires ${JSON.stringify(watchFilter)}`
            : `label ${WATCH_FILTER_LABEL}=${JSON.stringify(value)} does not equal the watch filter ${JSON.stringify(watchFilter)}`,
      };
    }
  }
  return { excluded: false };
}
