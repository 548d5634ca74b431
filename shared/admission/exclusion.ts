import { isExcluded as exclusionOf } from '../api/filters.ts';
import type { ObjectMeta } from '../api/meta.ts';

/** R-GEN-03/R-GEN-04 as a yes/no over an object received from outside (shared/api/filters.ts decides). */
export function isExcluded(obj: unknown, watchFilter: string | undefined): boolean {
  return exclusionOf(obj as { metadata?: ObjectMeta | null } | undefined, watchFilter).excluded;
}
