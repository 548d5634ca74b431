/** Field-by-field "already carries" comparison, shared by the drift resync and the no-op apply check. */
import { sameJson } from './common.ts';

/**
 * Whether `observed` carries every field of `desired` with an equal value (objects: each key of
 * desired; lists: same length, element by element; absent, null and an empty list the same). What a
 * server adds (uid, resourceVersion, defaults, server-owned fields) does not count as drift.
 */
export function carriesFields(observed: unknown, desired: unknown): boolean {
  if (desired == null) return observed == null;
  if (Array.isArray(desired)) {
    const o = observed == null ? [] : observed;
    return Array.isArray(o) && o.length === desired.length && desired.every((d, i) => carriesFields(o[i], d));
  }
  if (typeof desired === 'object') {
    if (observed == null || typeof observed !== 'object' || Array.isArray(observed)) return false;
    const o = observed as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([k, v]) => (v === undefined ? true : carriesFields(o[k], v)));
  }
  return sameJson(observed, desired);
}

