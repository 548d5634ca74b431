import { APINET_GROUP, IRONCORE_IPAM_GROUP, IRONCORE_NETWORKING_GROUP, PRIMARY_KINDS, apinet, ironcore } from '../api/resources.ts';
import type { PrimaryKind } from '../api/resources.ts';
import type { QueueMessage } from '../queue/message.ts';
import { isExcluded } from '../api/filters.ts';
import { originKeysFrom } from '../api/origin.ts';
import type { ObjectMeta } from '../api/meta.ts';
import type { Change } from './change.ts';
import type { Lookups } from './lookups.ts';
import {
  arrayField, field, groupOf, kindOf, nameOf, namespaceOf, resourceVersionOf, stringField, uidOf,
} from './object.ts';
import type { KubeObject } from './object.ts';

/** A key to reconcile; becomes a queue message. */
export interface ReconcileKey {
  kind: PrimaryKind;
  namespace: string;
  name: string;
}

export interface MappingOptions {
  /** APINETLET_WATCH_FILTER: listed fan-out targets outside it are not enqueued (R-GEN-03/04). */
  watchFilter?: string;
}

/** R-GEN-05: the ironcore keys of an apinet object with complete origin metadata (all three keys). */
export function originKeys(obj: unknown): ReconcileKey[] {
  return originKeysFrom(obj as { metadata?: ObjectMeta }).map(({ kind, namespace, name }) => ({ kind, namespace, name }));
}

/**
 * The keys an observed change re-triggers (behavior.md R-GEN-05 and the R-…-Triggers rules).
 * Both the new and the previous state count: a reference that was removed must still wake the
 * object it used to point at.
 */
export async function reconcileKeysFor(change: Change, lookups: Lookups, options: MappingOptions = {}): Promise<ReconcileKey[]> {
  const states = [change.object, change.oldObject].filter((o): o is KubeObject => o !== undefined);
  const keys: ReconcileKey[] = [];
  const group = groupOf(change.object);
  const kind = kindOf(change.object);
  const namespace = namespaceOf(change.object);
  const name = nameOf(change.object);
  const listed = (objs: KubeObject[]) => objs.filter((o) => !isExcluded(o, options.watchFilter).excluded);

  if (change.cluster === 'apinet') {
    for (const s of states) keys.push(...originKeys(s));
    if (group === APINET_GROUP && namespace && (kind === 'NetworkInterface' || kind === 'Network')) {
      // R-NP-09: policies of the network, by origin; every one of them, since object-selector peers
      // depend on NIC IPs as much as the NIC selector does (an extra no-op reconcile is cheap).
      const networks = new Set(
        kind === 'Network' ? (name ? [name] : []) : states.map((s) => stringField(s, 'spec', 'networkRef', 'name')).filter(isString),
      );
      if (networks.size > 0) {
        const policies = await lookups.listApinet(apinet.NetworkPolicy, namespace, 'apinetlet.ironcore.dev/networkpolicy-uid');
        for (const p of policies) {
          if (!networks.has(stringField(p, 'spec', 'networkRef', 'name') ?? '')) continue;
          keys.push(...originKeys(p).filter((k) => k.kind === 'NetworkPolicy'));
        }
      }
    }
    return unique(keys);
  }

  if (!namespace || !name || !kind) return [];
  const primary = group === IRONCORE_NETWORKING_GROUP && (PRIMARY_KINDS as readonly string[]).includes(kind);
  // The admission webhook already enqueued the object itself; other carriers did not.
  if (primary && change.via !== 'admission' && !isExcluded(change.object, options.watchFilter).excluded) {
    keys.push({ kind: kind as PrimaryKind, namespace, name });
  }

  if (group === IRONCORE_NETWORKING_GROUP && kind === 'Network') {
    // R-NATGW-05 (and, beyond Go, LoadBalancers and NetworkPolicies): objects naming it, in its namespace.
    for (const [res, k] of [[ironcore.NATGateway, 'NATGateway'], [ironcore.LoadBalancer, 'LoadBalancer'], [ironcore.NetworkPolicy, 'NetworkPolicy']] as const) {
      for (const o of listed(await lookups.listIroncore(res, namespace))) {
        if (stringField(o, 'spec', 'networkRef', 'name') === name) pushNamed(keys, k, o);
      }
    }
    // R-NET-07: a peer skipped because this network was missing is woken when this one changes.
    for (const s of states) {
      const refs = [...arrayField(s, 'spec', 'peerings').map((p) => field(p, 'networkRef')), ...arrayField(s, 'spec', 'incomingPeerings')];
      for (const ref of refs) {
        const peer = stringField(ref, 'name');
        const peerNamespace: string = stringField(ref, 'namespace') ?? namespace; // R-NET-05
        if (peer && !(peer === name && peerNamespace === namespace)) keys.push({ kind: 'Network', namespace: peerNamespace, name: peer });
      }
    }
  }

  if (group === IRONCORE_NETWORKING_GROUP && kind === 'VirtualIP') {
    // R-NIC-11 (a): the NIC it targets (and the one it targeted before).
    for (const s of states) {
      const target = stringField(s, 'spec', 'targetRef', 'name');
      if (target) keys.push({ kind: 'NetworkInterface', namespace, name: target });
    }
    // R-NIC-11 (b): a free VIP wakes every NIC that wants it by name (R-NIC-05).
    if (!stringField(change.object, 'spec', 'targetRef', 'name')) {
      for (const nic of listed(await lookups.listIroncore(ironcore.NetworkInterface, namespace))) {
        if (wantedVirtualIpName(nic) === name) pushNamed(keys, 'NetworkInterface', nic);
      }
    }
  }

  if (group === IRONCORE_IPAM_GROUP && kind === 'Prefix') {
    // R-LB-10 (c), R-NIC-11 (d): the controlling LoadBalancer / NetworkInterface.
    for (const s of states) {
      for (const ref of arrayField(s, 'metadata', 'ownerReferences')) {
        const refKind = stringField(ref, 'kind');
        const apiVersion = stringField(ref, 'apiVersion') ?? '';
        const refName = stringField(ref, 'name');
        if (field(ref, 'controller') !== true || !refName || !apiVersion.startsWith(`${IRONCORE_NETWORKING_GROUP}/`)) continue;
        if (refKind === 'LoadBalancer' || refKind === 'NetworkInterface') keys.push({ kind: refKind, namespace, name: refName });
      }
    }
    // R-NET-04: Networks whose peering prefixes reference it (resolved in the network's namespace, R-NET-03).
    for (const net of listed(await lookups.listIroncore(ironcore.Network, namespace))) {
      const referenced = arrayField(net, 'spec', 'peerings').some((p) =>
        arrayField(p, 'prefixes').some((pp) => stringField(pp, 'prefixRef', 'name') === name),
      );
      if (referenced) pushNamed(keys, 'Network', net);
    }
  }

  if (group === IRONCORE_NETWORKING_GROUP && kind === 'LoadBalancerRouting') {
    keys.push({ kind: 'LoadBalancer', namespace, name }); // R-LB-10 (d): same namespace/name
  }
  return unique(keys);
}

/**
 * The queue messages for a change. `run` makes each triggering change distinct for the FIFO
 * de-duplication window: without it, a second change of one object within five minutes would
 * produce an identical message and be dropped, losing the newer state.
 */
export async function keysFor(change: Change, lookups: Lookups, options: MappingOptions = {}): Promise<QueueMessage[]> {
  const keys = await reconcileKeysFor(change, lookups, options);
  const trigger = `${change.cluster}:${uidOf(change.object) ?? `${namespaceOf(change.object)}/${nameOf(change.object)}`}@${resourceVersionOf(change.object) ?? '0'}:${change.type}`;
  return keys.map((k) => ({ v: 1, kind: k.kind, namespace: k.namespace, name: k.name, source: 'watch', run: trigger }));
}

/** R-NIC-05: `virtualIPRef.name`, or the NIC's own name for an ephemeral VIP. */
export function wantedVirtualIpName(nic: unknown): string | undefined {
  const ref = stringField(nic, 'spec', 'virtualIP', 'virtualIPRef', 'name');
  if (ref) return ref;
  return field(nic, 'spec', 'virtualIP', 'ephemeral') ? nameOf(nic) : undefined;
}

function pushNamed(keys: ReconcileKey[], kind: PrimaryKind, obj: unknown): void {
  const namespace = namespaceOf(obj);
  const name = nameOf(obj);
  if (namespace && name) keys.push({ kind, namespace, name });
}

const isString = (v: unknown): v is string => typeof v === 'string';

function unique(keys: ReconcileKey[]): ReconcileKey[] {
  const seen = new Set<string>();
  return keys.filter((k) => {
    const id = `${k.kind} ${k.namespace}/${k.name}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
