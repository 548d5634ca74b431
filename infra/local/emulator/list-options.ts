/**
 * ListOptions of LIST and WATCH (kube-api.md §4.2, §4.5, §5.3, §5.7): the 422 validation of the
 * resourceVersion / resourceVersionMatch / continue / sendInitialEvents combination, and the pure
 * decision which version a LIST is served at (the current state, or an exact snapshot).
 */
import type { FieldCause } from './types.ts';
import { boolParam } from './http.ts';
import { decodeContinue } from './list.ts';
import { badRequest, field, invalidOptions } from './status.ts';

export interface ListParams {
  resourceVersion: string;
  resourceVersionMatch: string;
  continue: string;
  limit?: number;
  /** undefined when the parameter is absent (the real server distinguishes nil from false). */
  sendInitialEvents?: boolean;
}

export function listParams(q: URLSearchParams): ListParams {
  return {
    resourceVersion: q.get('resourceVersion') ?? '',
    resourceVersionMatch: q.get('resourceVersionMatch') ?? '',
    continue: q.get('continue') ?? '',
    limit: Number(q.get('limit') ?? 0) || undefined,
    sendInitialEvents: q.has('sendInitialEvents') ? boolParam(q, 'sendInitialEvents') : undefined,
  };
}

const NOT_OLDER_THAN = 'NotOlderThan';

/** Every violated rule at once, as the real validation does (422 `ListOptions.meta.k8s.io ""`, §4.5, §5.7). */
export function validateListOptions(p: ListParams, isWatch: boolean): void {
  const causes = isWatch ? watchCauses(p) : listCauses(p);
  if (causes.length) throw invalidOptions('ListOptions', causes);
}

function listCauses(p: ListParams): FieldCause[] {
  const out: FieldCause[] = [];
  const m = p.resourceVersionMatch;
  if (m) {
    if (!p.resourceVersion) out.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (p.continue) out.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (m !== 'Exact' && m !== NOT_OLDER_THAN) out.push(field.notSupported('resourceVersionMatch', m, ['Exact', NOT_OLDER_THAN, '']));
    if (m === 'Exact' && p.resourceVersion === '0') out.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (p.sendInitialEvents !== undefined) out.push(field.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return out;
}

function watchCauses(p: ListParams): FieldCause[] {
  const out: FieldCause[] = [];
  const m = p.resourceVersionMatch;
  if (p.sendInitialEvents !== undefined && m !== NOT_OLDER_THAN) {
    out.push(field.forbidden('resourceVersionMatch', `sendInitialEvents requires setting resourceVersionMatch to ${NOT_OLDER_THAN}`));
  }
  if (m) {
    if (p.sendInitialEvents === undefined) out.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    if (m !== NOT_OLDER_THAN) out.push(field.notSupported('resourceVersionMatch', m, [NOT_OLDER_THAN]));
  }
  return out;
}

/** A numeric resourceVersion parameter, or the real server's 400 (§4.5). */
export function parseRv(rv: string): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
  return Number(rv);
}

/**
 * Where a LIST reads from. `current`: the latest state (its version is the store's current one);
 * `exact`: the snapshot at `rv` (a continue token's first-page version, `Exact`, or the legacy
 * "resourceVersion with limit" rule). `minRv`: the store must have reached this version first,
 * otherwise 504 after a wait. `start`: the first storage key of a continued page.
 */
export type ListPlan = { at: 'current'; minRv?: number; start?: string } | { at: 'exact'; rv: number; minRv: number; start?: string };

export function planList(p: ListParams): ListPlan {
  const rv = p.resourceVersion;
  if (p.continue) {
    if (rv && rv !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    const token = decodeContinue(p.continue);
    // rv -1: the resume token of an expired continue (§2.3): same key range, latest version.
    if (token.rv === -1) return { at: 'current', start: token.start };
    return { at: 'exact', rv: token.rv, minRv: token.rv, start: token.start };
  }
  if (!rv || rv === '0') return { at: 'current' };
  const x = parseRv(rv);
  const exact = p.resourceVersionMatch === 'Exact' || (p.resourceVersionMatch === '' && p.limit !== undefined);
  return exact ? { at: 'exact', rv: x, minRv: x } : { at: 'current', minRv: x };
}
