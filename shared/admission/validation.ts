import type { PrimaryKind } from '../api/resources.ts';
import { ProviderIdError, parseNetworkInterfaceProviderId } from '../api/provider-id.ts';
import { arrayField, field, stringField } from '../events/object.ts';

/**
 * What apinetlet cannot translate, checked at admission so the user hears it at once instead of
 * from a failing reconcile. Each problem names the field and says what to change. Only checks
 * apinetlet needs; the rest is the ironcore API server's job (ironcore-api.md section 8).
 */
export function apinetletProblems(kind: PrimaryKind, obj: unknown): string[] {
  switch (kind) {
    case 'LoadBalancer':
      return loadBalancerProblems(obj);
    case 'NetworkPolicy':
      return networkPolicyProblems(obj);
    case 'NetworkInterface':
      return networkInterfaceProblems(obj);
    default:
      return [];
  }
}

/**
 * Problems of the new object that the stored object did not already have. Ratcheting keeps a
 * pre-existing object updatable (finalizer removal, status-free main-resource writes by other
 * controllers) while still refusing to introduce a new untranslatable value.
 */
export function newProblems(kind: PrimaryKind, obj: unknown, oldObj: unknown): string[] {
  const before = new Set(oldObj ? apinetletProblems(kind, oldObj) : []);
  return apinetletProblems(kind, obj).filter((p) => !before.has(p));
}

const LOAD_BALANCER_TYPES = ['Public', 'Internal'];

// R-LB-09: any other type makes the reconcile fail with "unknown load balancer type".
function loadBalancerProblems(obj: unknown): string[] {
  const type = field(obj, 'spec', 'type');
  if (typeof type === 'string' && LOAD_BALANCER_TYPES.includes(type)) return [];
  return [`spec.type: unknown load balancer type ${JSON.stringify(type ?? null)}; set it to Public or Internal`];
}

const POLICY_TYPES = ['Ingress', 'Egress'];
const PEER_KINDS = ['NetworkInterface', 'LoadBalancer'];

// R-NP-06: other selector kinds (VirtualIP is valid in ironcore) and other policy types fail the reconcile.
function networkPolicyProblems(obj: unknown): string[] {
  const problems: string[] = [];
  arrayField(obj, 'spec', 'policyTypes').forEach((t, k) => {
    if (typeof t !== 'string' || !POLICY_TYPES.includes(t)) {
      problems.push(`spec.policyTypes[${k}]: unsupported policy type ${JSON.stringify(t)}; use Ingress or Egress`);
    }
  });
  const directions = [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const;
  for (const [direction, peersField] of directions) {
    arrayField(obj, 'spec', direction).forEach((rule, i) => {
      arrayField(rule, peersField).forEach((peer, j) => {
        const selector = field(peer, 'objectSelector');
        if (selector === undefined || selector === null) return;
        const kind = field(selector, 'kind');
        if (typeof kind === 'string' && PEER_KINDS.includes(kind)) return;
        problems.push(
          `spec.${direction}[${i}].${peersField}[${j}].objectSelector.kind: unsupported object kind ` +
            `${JSON.stringify(kind ?? null)}; apinetlet resolves only NetworkInterface or LoadBalancer peers ` +
            `(select the NetworkInterfaces instead, or use an ipBlock)`,
        );
      });
    });
  }
  return problems;
}

/** Why a NIC provider ID does not parse (R-PROV-01), or undefined when it does. */
export function networkInterfaceProviderIdError(id: string): string | undefined {
  try {
    parseNetworkInterfaceProviderId(id);
    return undefined;
  } catch (err) {
    if (err instanceof ProviderIdError) return err.problem;
    throw err;
  }
}

// R-NIC-01/R-PROV-01: an unparsable provider ID leaves the NIC Pending forever; empty is fine (not yet bound).
function networkInterfaceProblems(obj: unknown): string[] {
  const id = stringField(obj, 'spec', 'providerID');
  if (id === undefined) return [];
  const error = networkInterfaceProviderIdError(id);
  if (error === undefined) return [];
  return [
    `spec.providerID: ${JSON.stringify(id)} does not parse (${error}); ` +
      `use ironcore-net://<namespace>/<name>/<node>/<uid> or leave it empty`,
  ];
}
