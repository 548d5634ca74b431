/**
 * Objects of every kind for the demo, the e2e tests and the benchmark, plus the parts other
 * components play in a real installation (behavior.md SIM-06/07: the machine-pool side creates the
 * apinet NetworkInterface, points the ironcore NIC's providerID at it, metalnetlet reports Ready).
 */
import { formatNetworkInterfaceProviderId } from '../../../shared/api/provider-id.ts';
import { apinet as apinetRes, core, ironcore as ironcoreRes, type PrimaryKind } from '../../../shared/api/resources.ts';
import type { KubeObject } from '../../../shared/kube/index.ts';
import type { Clusters, ObjectProgress } from './converge.ts';

export const TEST_MANAGER = 'apinetlet-local-demo';
const NET = 'networking.ironcore.dev/v1alpha1';
const APINET = 'core.apinet.ironcore.dev/v1alpha1';

export interface ObjectKey {
  kind: PrimaryKind;
  namespace: string;
  name: string;
}

/** The ironcore objects of one set named `<prefix>-…` (the NIC comes separately: it needs SIM-06 first). */
export function sampleObjects(namespace: string, prefix: string): KubeObject[] {
  const meta = (name: string, labels?: Record<string, string>) => ({ name: `${prefix}-${name}`, namespace, ...(labels ? { labels } : {}) });
  const networkRef = { name: `${prefix}-net` };
  return [
    { apiVersion: NET, kind: 'Network', metadata: meta('net'), spec: {} },
    { apiVersion: NET, kind: 'VirtualIP', metadata: meta('vip'), spec: { type: 'Public', ipFamily: 'IPv4' } },
    { apiVersion: NET, kind: 'NATGateway', metadata: meta('natgw'), spec: { type: 'Public', ipFamily: 'IPv4', networkRef } },
    {
      apiVersion: NET,
      kind: 'LoadBalancer',
      metadata: meta('lb'),
      spec: { type: 'Public', ipFamilies: ['IPv4'], networkRef, ports: [{ protocol: 'TCP', port: 80 }] },
    },
    {
      apiVersion: NET,
      kind: 'NetworkPolicy',
      metadata: meta('np'),
      spec: {
        networkRef,
        networkInterfaceSelector: { matchLabels: { app: `${prefix}-web` } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 80 }] }],
      },
    },
  ];
}

export async function ensureNamespace(c: Clusters, name: string): Promise<void> {
  await c.ironcore.apply(core.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: TEST_MANAGER });
}

/** Creates (server-side apply) an ironcore object as a user would; returns the stored object. */
export async function createIroncore(c: Clusters, obj: KubeObject): Promise<KubeObject> {
  return c.ironcore.apply(ironcoreRes[obj.kind as PrimaryKind], obj, { fieldManager: TEST_MANAGER });
}

/**
 * SIM-06 (and SIM-07 when `ready`): the apinet NetworkInterface the machine-pool side creates for
 * an ironcore NIC in `networkUid`'s apinet Network; returns it.
 */
export async function simulateMachinePoolNic(c: Clusters, name: string, networkUid: string, ip: string, ready: boolean): Promise<KubeObject> {
  const nic = await c.apinet.apply(
    apinetRes.NetworkInterface,
    {
      apiVersion: APINET,
      kind: 'NetworkInterface',
      metadata: { name, namespace: c.apinetNamespace },
      spec: { nodeRef: { name: 'node-1' }, networkRef: { name: networkUid }, ips: [ip] },
    },
    { fieldManager: 'machinepoollet' },
  );
  if (ready) await setApinetNicState(c, name, 'Ready');
  return nic;
}

/** SIM-07: metalnetlet reports the apinet NIC's state. */
export async function setApinetNicState(c: Clusters, name: string, state: 'Ready' | 'Pending' | 'Error'): Promise<void> {
  await c.apinet.mergePatch(apinetRes.NetworkInterface, c.apinetNamespace, name, { status: { state } }, { subresource: 'status', fieldManager: 'metalnetlet' });
}

/** The ironcore NIC that points at an apinet NIC (SIM-06 sets providerID). */
export function sampleNic(namespace: string, prefix: string, apinetNic: KubeObject, apinetNamespace: string, ip: string): KubeObject {
  const providerID = formatNetworkInterfaceProviderId({ namespace: apinetNamespace, name: apinetNic.metadata.name!, node: 'node-1', uid: apinetNic.metadata.uid! });
  return {
    apiVersion: NET,
    kind: 'NetworkInterface',
    metadata: { name: `${prefix}-nic`, namespace, labels: { app: `${prefix}-web` } },
    spec: { networkRef: { name: `${prefix}-net` }, ipFamilies: ['IPv4'], ips: [{ value: ip }], providerID },
  };
}

/** One full set: the five objects, then SIM-06/07 and the NIC. Returns the keys to watch. */
export async function seedSet(c: Clusters, namespace: string, prefix: string, ip = '10.0.0.5'): Promise<ObjectKey[]> {
  const keys: ObjectKey[] = [];
  let networkUid = '';
  for (const obj of sampleObjects(namespace, prefix)) {
    const stored = await createIroncore(c, obj);
    if (obj.kind === 'Network') networkUid = stored.metadata.uid!;
    keys.push({ kind: obj.kind as PrimaryKind, namespace, name: obj.metadata.name! });
  }
  const apinetNic = await simulateMachinePoolNic(c, `${prefix}-${namespace}-nic`, networkUid, ip, true);
  const nic = await createIroncore(c, sampleNic(namespace, prefix, apinetNic, c.apinetNamespace, ip));
  keys.push({ kind: 'NetworkInterface', namespace, name: nic.metadata.name! });
  return keys;
}

/** The progress table (pure): one line per object. */
export function progressTable(rows: ObjectProgress[]): string {
  const header = ['KIND', 'NAMESPACE/NAME', 'STATE', 'CONVERGED'];
  const body = rows.map((r) => [r.kind, `${r.namespace}/${r.name}`, r.state, r.converged ? 'yes' : '…']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [header, ...body].map((cols) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
