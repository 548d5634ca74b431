/**
 * R-NIC-11: which ironcore NetworkInterfaces a change re-triggers. (c), an apinet NIC with
 * NetworkInterface origin, is the generic R-GEN-05 mapping (`originKeysFrom` in api/origin.ts).
 */
import { IRONCORE_NETWORKING_GROUP } from '../../api/resources.ts';
import { controllerOf } from '../../api/meta.ts';
import { wantedVirtualIPName } from './networkinterface-claims.ts';
import type { IroncoreNetworkInterface, IroncorePrefix, IroncoreVirtualIP } from '../../api/ironcore.ts';

/** An ironcore NetworkInterface key to enqueue. */
export interface NetworkInterfaceKey {
  readonly namespace: string;
  readonly name: string;
}

/**
 * R-NIC-11 (a, b): a VirtualIP with `spec.targetRef` → the NIC it targets; without → every NIC of
 * its namespace whose wanted VIP name (R-NIC-05) is the VIP's name. For an update pass the old
 * object too, so the NIC a VIP was just taken from (or released by) is reconciled as well.
 * `networkInterfaces` are the NICs of the VIP's namespace (only needed for a free VIP).
 */
export function networkInterfacesTriggeredByVirtualIP(
  vip: IroncoreVirtualIP,
  networkInterfaces: readonly IroncoreNetworkInterface[],
  oldVip?: IroncoreVirtualIP | null,
): NetworkInterfaceKey[] {
  const keys = new Map<string, NetworkInterfaceKey>();
  const add = (namespace: string, name: string) => {
    if (namespace && name) keys.set(`${namespace}/${name}`, { namespace, name });
  };
  for (const v of oldVip ? [vip, oldVip] : [vip]) {
    const namespace = v.metadata.namespace ?? '';
    const targetRef = v.spec.targetRef;
    if (targetRef) {
      add(namespace, targetRef.name);
      continue;
    }
    for (const nic of networkInterfaces) {
      if ((nic.metadata.namespace ?? namespace) !== namespace) continue;
      if (wantedVirtualIPName(nic) === v.metadata.name) add(namespace, nic.metadata.name ?? '');
    }
  }
  return [...keys.values()];
}

/** R-NIC-11 (d): an ipam Prefix controlled by a NetworkInterface → that NIC. */
export function networkInterfaceTriggeredByPrefix(prefix: IroncorePrefix): NetworkInterfaceKey | undefined {
  const owner = controllerOf(prefix);
  if (!owner || owner.kind !== 'NetworkInterface' || !owner.apiVersion.startsWith(`${IRONCORE_NETWORKING_GROUP}/`)) return undefined;
  const namespace = prefix.metadata.namespace ?? '';
  return namespace && owner.name ? { namespace, name: owner.name } : undefined;
}
