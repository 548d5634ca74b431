/** Server-side apply and managedFields bookkeeping (kube-api.md §8). */
import type { KindDef, KubeObject } from './types.ts';

export interface ApplyOptions { manager: string; force: boolean; kind: KindDef; subresource: 'main' | 'status'; now: string }

export function serverSideApply(live: KubeObject | undefined, applied: KubeObject, opts: ApplyOptions): KubeObject {
  void opts;
  return { ...(live ?? {}), ...applied } as KubeObject;
}

export function recordUpdate(
  old: KubeObject | undefined,
  updated: KubeObject,
  opts: { manager: string; kind: KindDef; subresource: 'main' | 'status'; now: string },
): KubeObject {
  void old; void opts;
  return updated;
}
