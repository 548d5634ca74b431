/**
 * R-MIG-01 origin metadata migration (Go: utils/migrations/origin-metadata.go, run at apinetlet
 * start). Older apinetlets stored the source name as a *label* under the name key; it now lives in
 * the name *annotation*. Without the migration such projections are invisible to the origin
 * mapping (R-GEN-05) and to delete-gone (R-GEN-06). Serverless has no "start", so the scheduled
 * function runs it first on every run: a LIST with a label selector per kind, empty once migrated.
 */
import { originKeysOf } from '../api/origin.ts';
import { apinet, type PrimaryKind, type ResourceInfo } from '../api/resources.ts';
import { isConflict, isNotFound, type KubeClient } from '../kube/index.ts';
import type { KubeObject } from '../kube/types.ts';
import type { Deadline } from './deadline.ts';

/** What is migrated (apinet-api.md 9.5); LoadBalancerRouting and NetworkPolicyRule are not. */
export const MIGRATED: ReadonlyArray<{ res: ResourceInfo; origin: PrimaryKind }> = [
  { res: apinet.LoadBalancer, origin: 'LoadBalancer' },
  { res: apinet.NATGateway, origin: 'NATGateway' },
  { res: apinet.NATGatewayAutoscaler, origin: 'NATGateway' },
  { res: apinet.Network, origin: 'Network' },
  { res: apinet.NetworkInterface, origin: 'NetworkInterface' },
  { res: apinet.NetworkPolicy, origin: 'NetworkPolicy' },
  { res: apinet.IP, origin: 'VirtualIP' },
];

/**
 * The merge patch moving the name label to the annotation (sent guarded by resourceVersion); undefined
 * when the object has no such label. An annotation already present is overwritten by the label's
 * value, as the Go migration does.
 */
export function originNameMigrationPatch(obj: KubeObject, origin: PrimaryKind): Record<string, unknown> | undefined {
  const key = originKeysOf(origin).nameAnnotation;
  const value = obj.metadata.labels?.[key];
  if (value === undefined) return undefined;
  return {
    metadata: {
      labels: { [key]: null },
      annotations: { [key]: value },
    },
  };
}

export interface MigrationResult {
  migrated: number;
  /** Objects changed by someone else meanwhile (409): the next run migrates them. */
  conflicts: number;
  errors: string[];
  stopped: boolean;
}

export async function migrateOriginNameLabels(
  deps: { apinet: KubeClient; deadline: Deadline },
  opts: { apinetNamespace: string; pageSize: number },
): Promise<MigrationResult> {
  const result: MigrationResult = { migrated: 0, conflicts: 0, errors: [], stopped: false };
  for (const { res, origin } of MIGRATED) {
    if (deps.deadline.expired()) {
      result.stopped = true;
      break;
    }
    const labelSelector = originKeysOf(origin).nameAnnotation; // "label exists"
    try {
      for await (const obj of deps.apinet.listAll(res, { namespace: opts.apinetNamespace, labelSelector, limit: opts.pageSize })) {
        const patch = originNameMigrationPatch(obj, origin);
        if (!patch) continue;
        try {
          await deps.apinet.mergePatch(res, opts.apinetNamespace, obj.metadata.name!, patch, { resourceVersion: obj.metadata.resourceVersion });
          result.migrated++;
        } catch (err) {
          if (isConflict(err)) result.conflicts++;
          else if (!isNotFound(err)) throw err;
        }
      }
    } catch (err) {
      result.errors.push(`migration of ${res.plural}: ${(err as Error).message}`);
    }
  }
  return result;
}
