/** Executes one symbolic operation (ops.ts) on one side, resolving names to that side's UIDs. */
import { formatNetworkInterfaceProviderId } from '../../shared/api/provider-id.ts';
import { apinet, core, ironcore } from '../../shared/api/resources.ts';
import { KubeApiError } from '../../shared/kube/index.ts';
import type { Op } from './ops.ts';
import type { Side } from './sides.ts';

const NET = 'networking.ironcore.dev/v1alpha1';
const APINET = 'core.apinet.ironcore.dev/v1alpha1';
export const USER = { fieldManager: 'differential-user' } as const;
const SIM_MANAGER = 'differential-sim';

/** The outcome both sides must agree on: "ok" or the HTTP code the server answered. */
export type Outcome = 'ok' | `error ${number}`;

async function uidOf(s: Side, ns: string, name: string): Promise<string | undefined> {
  return (await s.ironcore.get(ironcore.Network, ns, name))?.metadata.uid;
}

async function providerIdOf(s: Side, apinic?: string): Promise<string | undefined> {
  if (!apinic) return undefined;
  const a = await s.apinet.get(apinet.NetworkInterface, s.apinetNamespace, apinic);
  // A NIC whose machine-pool counterpart is gone points at nothing (R-NIC-01).
  return formatNetworkInterfaceProviderId({ namespace: s.apinetNamespace, name: apinic, node: 'node-1', uid: a?.metadata.uid ?? '00000000-0000-4000-8000-000000000000' });
}

const peerings = (peers: { name: string; ns?: string; network: string }[]) =>
  peers.map((p) => ({ name: p.name, networkRef: { name: p.network, ...(p.ns ? { namespace: p.ns } : {}) } }));

/** An object the operation needs is not there (the same answer a server's 404 gives). */
class Missing extends Error {}

export async function applyOp(s: Side, o: Op): Promise<Outcome> {
  try {
    await run(s, o);
    return 'ok';
  } catch (err) {
    if (err instanceof KubeApiError) return `error ${err.code}`;
    if (err instanceof Missing) return 'error 404';
    throw err;
  }
}

async function run(s: Side, o: Op): Promise<void> {
  const ic = s.ironcore;
  const meta = (ns: string, name: string, labels?: Record<string, string>) => ({ namespace: ns, name, ...(labels ? { labels } : {}) });
  switch (o.op) {
    case 'ns.create':
      await ic.apply(core.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.ns } }, USER);
      return;
    case 'ns.delete':
      await ic.delete(core.Namespace, undefined, o.ns);
      return;
    case 'net.create':
    case 'net.peerings':
      await ic.apply(ironcore.Network, { apiVersion: NET, kind: 'Network', metadata: meta(o.ns, o.name), spec: { peerings: peerings(o.peers) } }, USER);
      return;
    case 'net.claim': {
      const claims = [];
      for (const c of o.claims) claims.push({ namespace: c.ns, name: c.name, uid: (await uidOf(s, c.ns, c.name)) ?? '' });
      await ic.mergePatch(ironcore.Network, o.ns, o.name, { spec: { incomingPeerings: claims } }, { fieldManager: SIM_MANAGER });
      return;
    }
    case 'net.peeringStatus': {
      const uid = await uidOf(s, o.ns, o.name);
      if (!uid) throw new Missing(`network ${o.ns}/${o.name}`);
      const entries = [];
      for (const p of o.peers) {
        const peerUid = await uidOf(s, p.ns, p.name);
        const peer = peerUid ? await s.apinet.get(apinet.Network, s.apinetNamespace, peerUid) : undefined;
        const id = (peer?.spec as { id?: string } | undefined)?.id;
        if (id) entries.push({ id: Number(id), state: p.state });
      }
      await s.apinet.mergePatch(apinet.Network, s.apinetNamespace, uid, { status: { peerings: { partition1: entries } } }, { subresource: 'status', fieldManager: 'metalnetlet' });
      return;
    }
    case 'vip.create':
      await ic.apply(ironcore.VirtualIP, { apiVersion: NET, kind: 'VirtualIP', metadata: meta(o.ns, o.name), spec: { type: 'Public', ipFamily: 'IPv4' } }, USER);
      return;
    case 'lb.create':
      await ic.apply(
        ironcore.LoadBalancer,
        {
          apiVersion: NET,
          kind: 'LoadBalancer',
          metadata: meta(o.ns, o.name),
          spec: {
            type: 'Public',
            ipFamilies: ['IPv4'],
            networkRef: { name: o.network },
            ports: o.ports.map((port) => ({ protocol: 'TCP', port })),
            ...(o.selector ? { networkInterfaceSelector: { matchLabels: { app: o.selector } } } : {}),
          },
        },
        USER,
      );
      return;
    case 'lb.ports':
      await ic.mergePatch(ironcore.LoadBalancer, o.ns, o.name, { spec: { ports: o.ports.map((port) => ({ protocol: 'TCP', port })) } }, { fieldManager: USER.fieldManager });
      return;
    case 'natgw.create':
      await ic.apply(
        ironcore.NATGateway,
        {
          apiVersion: NET,
          kind: 'NATGateway',
          metadata: meta(o.ns, o.name),
          spec: { type: 'Public', ipFamily: 'IPv4', networkRef: { name: o.network }, ...(o.portsPerNic ? { portsPerNetworkInterface: o.portsPerNic } : {}) },
        },
        USER,
      );
      return;
    case 'natgw.ports':
      await ic.mergePatch(ironcore.NATGateway, o.ns, o.name, { spec: { portsPerNetworkInterface: o.portsPerNic } }, { fieldManager: USER.fieldManager });
      return;
    case 'np.create': {
      const rule = { ports: [{ protocol: 'TCP', port: o.port }] };
      const peer = { from: [{ ipBlock: { cidr: '10.0.0.0/8' } }, { objectSelector: { kind: 'NetworkInterface', matchLabels: { app: o.selector } } }] };
      await ic.apply(
        ironcore.NetworkPolicy,
        {
          apiVersion: NET,
          kind: 'NetworkPolicy',
          metadata: meta(o.ns, o.name),
          spec: {
            networkRef: { name: o.network },
            networkInterfaceSelector: { matchLabels: { app: o.selector } },
            policyTypes: o.egress ? ['Ingress', 'Egress'] : ['Ingress'],
            ingress: [{ ...peer, ...rule }],
            ...(o.egress ? { egress: [{ to: [{ ipBlock: { cidr: '192.168.0.0/16' } }], ...rule }] } : {}),
          },
        },
        USER,
      );
      return;
    }
    case 'np.port': {
      const np = await ic.get(ironcore.NetworkPolicy, o.ns, o.name);
      if (!np) throw new Missing(`networkpolicy ${o.ns}/${o.name}`);
      const ingress = ((np.spec as { ingress?: Record<string, unknown>[] }).ingress ?? []).map((r) => ({ ...r, ports: [{ protocol: 'TCP', port: o.port }] }));
      await ic.mergePatch(ironcore.NetworkPolicy, o.ns, o.name, { spec: { ingress } }, { fieldManager: USER.fieldManager });
      return;
    }
    case 'apinic.create': {
      const net = (await uidOf(s, o.ns, o.network)) ?? `missing-${o.network}`;
      await s.apinet.apply(
        apinet.NetworkInterface,
        { apiVersion: APINET, kind: 'NetworkInterface', metadata: { name: o.name, namespace: s.apinetNamespace }, spec: { nodeRef: { name: 'node-1' }, networkRef: { name: net }, ips: [o.ip] } },
        { fieldManager: 'machinepoollet' },
      );
      if (o.ready) await setState(s, o.name, 'Ready');
      return;
    }
    case 'apinic.state':
      await setState(s, o.name, o.state);
      return;
    case 'apinic.delete':
      await s.apinet.delete(apinet.NetworkInterface, s.apinetNamespace, o.name);
      return;
    case 'nic.create': {
      const providerID = await providerIdOf(s, o.apinic);
      await ic.apply(
        ironcore.NetworkInterface,
        {
          apiVersion: NET,
          kind: 'NetworkInterface',
          metadata: meta(o.ns, o.name, { app: o.app }),
          spec: {
            networkRef: { name: o.network },
            ipFamilies: ['IPv4'],
            ips: [{ value: o.ip }],
            ...(providerID ? { providerID } : {}),
            ...(o.vip ? { virtualIP: { virtualIPRef: { name: o.vip } } } : {}),
          },
        },
        USER,
      );
      return;
    }
    case 'nic.labels':
      await ic.mergePatch(ironcore.NetworkInterface, o.ns, o.name, { metadata: { labels: { app: o.app } } }, { fieldManager: USER.fieldManager });
      return;
    case 'nic.vip':
      await ic.mergePatch(ironcore.NetworkInterface, o.ns, o.name, { spec: { virtualIP: o.vip ? { virtualIPRef: { name: o.vip } } : null } }, { fieldManager: USER.fieldManager });
      return;
    case 'nic.provider':
      await ic.mergePatch(ironcore.NetworkInterface, o.ns, o.name, { spec: { providerID: (await providerIdOf(s, o.apinic)) ?? null } }, { fieldManager: USER.fieldManager });
      return;
    case 'delete':
      await ic.delete(ironcore[o.kind], o.ns, o.name);
      return;
    case 'apinet.delete': {
      const obj = await ic.get(ironcore[o.kind], o.ns, o.name);
      if (!obj) throw new Missing(`${o.kind} ${o.ns}/${o.name}`);
      const res = { Network: apinet.Network, LoadBalancer: apinet.LoadBalancer, NATGateway: apinet.NATGateway, NetworkPolicy: apinet.NetworkPolicy, VirtualIP: apinet.IP, NetworkInterface: apinet.NetworkInterface }[o.kind];
      await s.apinet.delete(res, s.apinetNamespace, obj.metadata.uid!);
      return;
    }
  }
}

async function setState(s: Side, name: string, state: string): Promise<void> {
  await s.apinet.mergePatch(apinet.NetworkInterface, s.apinetNamespace, name, { status: { state } }, { subresource: 'status', fieldManager: 'metalnetlet' });
}
