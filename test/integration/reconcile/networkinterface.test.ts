/**
 * NetworkInterface reconcile against the emulated ironcore and apinet clusters, fed by real SQS
 * batches (behavior.md 3.5, apinet-api.md 9.4, SRV-05). The tests play SIM-06/07 and the VirtualIP
 * controller (networkinterface-fixtures.ts) and assert what is stored in both clusters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finalizerOf, originKeysOf } from '../../../shared/api/origin.ts';
import { apinet, ironcore } from '../../../shared/api/resources.ts';
import { networkInterfaceReconciler } from '../../../shared/reconcile/networkinterface.ts';
import { virtualIpReconciler } from '../../../shared/reconcile/virtualip.ts';
import { startHarness, type Harness } from '../harness.ts';
import { ANS, nicFixtures } from './networkinterface-fixtures.ts';

const keys = originKeysOf('NetworkInterface');
const FINALIZER = finalizerOf('NetworkInterface');
/** Claims of existing apinet NATGateways (a real ironcore-net controller-manager releases claims of missing ones). */
const natUids: Record<string, string> = {};
const NAT = (ipFamily: string, name: string) => ({ ipFamily, claimRef: { name, uid: natUids[name] ?? `${name}-uid` } });

let h: Harness;
let f: ReturnType<typeof nicFixtures>;

beforeAll(async () => {
  h = await startHarness();
  f = nicFixtures(h);
  for (const [name, ipFamily] of [['nat4', 'IPv4'], ['nat6', 'IPv6']] as const) {
    const gw = await h.apinet.apply(
      apinet.NATGateway,
      { apiVersion: 'core.apinet.ironcore.dev/v1alpha1', kind: 'NATGateway', metadata: { namespace: ANS, name }, spec: { ipFamily, networkRef: { name: 'apinet-net' }, portsPerNetworkInterface: 2048 } },
      { fieldManager: 'test', force: true },
    );
    natUids[name] = gw.metadata.uid!;
  }
}, 60_000);
afterAll(async () => h?.stop());

describe('NetworkInterface reconcile', () => {
  it('R-NIC-01: no provider ID or an unparsable one → Pending with ips/prefixes/virtualIP cleared; R-GEN-01 finalizer added', async () => {
    const ns = await f.namespace();
    await f.nic(ns, 'nic');
    await h.ironcore.mergePatch(
      ironcore.NetworkInterface,
      ns,
      'nic',
      { status: { state: 'Available', ips: ['192.168.0.10'], prefixes: ['10.1.0.0/24'], virtualIP: '10.0.0.99', lastStateTransitionTime: '2020-01-01T00:00:00Z' } },
      { subresource: 'status' },
    );
    await f.reconcile(ns, 'nic');
    const nic = (await f.getNic(ns, 'nic'))!;
    expect(nic.metadata.finalizers).toContain(FINALIZER);
    expect(nic.status?.state).toBe('Pending');
    expect(nic.status?.ips ?? undefined).toBeUndefined();
    expect(nic.status?.prefixes ?? undefined).toBeUndefined();
    expect(nic.status?.virtualIP ?? undefined).toBeUndefined();
    expect(nic.status?.lastStateTransitionTime).not.toBe('2020-01-01T00:00:00Z');
    const transition = nic.status?.lastStateTransitionTime;

    // R-NIC-13: an apinet NIC exists, but the node segment is not a DNS subdomain → the whole ID is rejected.
    const anic = await f.apinetNic('bad-node-target');
    await f.patchNic(ns, 'nic', { spec: { providerID: f.providerId(anic, 'Node_1') } });
    await f.reconcile(ns, 'nic');
    const again = (await f.getNic(ns, 'nic'))!;
    expect(again.status?.state).toBe('Pending');
    expect(again.status?.lastStateTransitionTime).toBe(transition); // state unchanged → time unchanged
    expect((await f.getApinetNic('bad-node-target'))!.metadata.labels?.[keys.uidLabel]).toBeUndefined();
  });

  it('R-NIC-02/R-NIC-13: SIM-06 apinet NIC is claimed by UID and its state, ips and first IPv4 public IP are mirrored', async () => {
    const ns = await f.namespace();
    const anic = await f.apinetNic('claim-me');
    // R-NIC-13: only the UID segment selects; namespace/name segments are ignored.
    const providerID = `ironcore-net://elsewhere/other-name/zone-a.node-1/${anic.metadata.uid}`;
    const nic = await f.nic(ns, 'nic', { providerID });
    await h.ironcore.mergePatch(ironcore.NetworkInterface, ns, 'nic', { metadata: { labels: { app: 'web' } } });
    await f.reconcile(ns, 'nic');

    const claimed = (await f.getApinetNic('claim-me'))!;
    expect(claimed.metadata.labels?.[keys.uidLabel]).toBe(nic.metadata.uid);
    expect(claimed.metadata.labels?.[keys.namespaceLabel]).toBe(ns);
    expect(claimed.metadata.annotations?.[keys.nameAnnotation]).toBe('nic');
    expect(claimed.metadata.labels?.app).toBe('web');
    let status = (await f.getNic(ns, 'nic'))!.status!;
    expect(status.state).toBe('Pending'); // nothing set the apinet status yet
    expect(status.ips).toEqual(['192.168.0.10']);
    const pendingSince = status.lastStateTransitionTime;

    await f.apinetNicStatus('claim-me', { state: 'Ready', publicIPs: ['2001:db8::7', '10.0.0.201'] }); // SIM-07
    await new Promise((r) => setTimeout(r, 1100)); // lastStateTransitionTime has seconds precision
    await f.reconcile(ns, 'nic');
    status = (await f.getNic(ns, 'nic'))!.status!;
    expect(status.state).toBe('Available');
    expect(status.virtualIP).toBe('10.0.0.201'); // IPv6 ignored
    expect(status.lastStateTransitionTime).not.toBe(pendingSince);

    await f.apinetNicStatus('claim-me', { state: 'Error', publicIPs: null });
    await f.reconcile(ns, 'nic');
    status = (await f.getNic(ns, 'nic'))!.status!;
    expect(status.state).toBe('Error');
    expect(status.virtualIP ?? undefined).toBeUndefined();
  });

  it('R-NIC-05/R-NIC-03/SRV-05: the referenced VirtualIP is claimed, its address becomes a public IP and replaces the IPv4 NAT', async () => {
    const ns = await f.namespace();
    const { vip, ip } = await f.virtualIP(ns, 'vip');
    const anic = await f.apinetNic('with-vip', { spec: { natGateways: [NAT('IPv4', 'nat4'), NAT('IPv6', 'nat6')] } });
    const nic = await f.nic(ns, 'nic', { providerID: f.providerId(anic), virtualIP: { virtualIPRef: { name: 'vip' } } });
    await f.reconcile(ns, 'nic');

    expect((await f.getVip(ns, 'vip'))!.spec.targetRef).toEqual({ name: 'nic', uid: nic.metadata.uid });
    const spec = (await f.getApinetNic('with-vip'))!.spec;
    expect(spec.publicIPs).toEqual([{ name: ip, ipFamily: 'IPv4', ip }]);
    expect(spec.natGateways).toEqual([NAT('IPv6', 'nat6')]);
    // SRV-05: the server claimed the VIP's apinet IP for the apinet NIC.
    const ipObj = (await f.getIp(vip.metadata.uid!))!;
    expect((ipObj.spec as { claimRef?: { name: string; uid: string } }).claimRef).toMatchObject({ name: 'with-vip', uid: anic.metadata.uid });
  });

  it('R-NIC-05/R-VIP-02: a VirtualIP reconciled by the VirtualIP function is claimed and its allocated address published', async () => {
    const ns = await f.namespace();
    await h.ironcore.apply(
      ironcore.VirtualIP,
      { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'VirtualIP', metadata: { name: 'vip', namespace: ns }, spec: { type: 'Public', ipFamily: 'IPv4' } },
      { fieldManager: 'test', force: true },
    );
    await h.reconcile(virtualIpReconciler, ns, 'vip');
    const ip = (await f.getVip(ns, 'vip'))!.status?.ip;
    expect(ip).toBeTruthy();
    const anic = await f.apinetNic('via-vip-fn');
    await f.nic(ns, 'nic', { providerID: f.providerId(anic), virtualIP: { virtualIPRef: { name: 'vip' } } });
    await f.reconcile(ns, 'nic');
    expect((await f.getApinetNic('via-vip-fn'))!.spec.publicIPs).toEqual([{ name: ip, ipFamily: 'IPv4', ip }]);
  });

  it('R-NIC-06: a VirtualIP the NIC no longer references is released, and the apinet NIC drops its address (SRV-05 unclaim)', async () => {
    const ns = await f.namespace();
    const { vip } = await f.virtualIP(ns, 'vip');
    const anic = await f.apinetNic('drops-vip');
    await f.nic(ns, 'nic', { providerID: f.providerId(anic), virtualIP: { virtualIPRef: { name: 'vip' } } });
    await f.reconcile(ns, 'nic');
    expect((await f.getVip(ns, 'vip'))!.spec.targetRef?.name).toBe('nic');

    await f.patchNic(ns, 'nic', { spec: { virtualIP: null } });
    await f.reconcile(ns, 'nic');
    expect((await f.getVip(ns, 'vip'))!.spec.targetRef ?? undefined).toBeUndefined();
    expect((await f.getApinetNic('drops-vip'))!.spec.publicIPs ?? []).toEqual([]);
    expect((await f.getIp(vip.metadata.uid!))!.spec).not.toHaveProperty('claimRef');
  });

  it('R-NIC-05: a VirtualIP targeting another object is left alone and yields no public IP', async () => {
    const ns = await f.namespace();
    await f.virtualIP(ns, 'busy', { name: 'someone-else', uid: 'other-uid' });
    const anic = await f.apinetNic('no-vip');
    await f.nic(ns, 'nic', { providerID: f.providerId(anic), virtualIP: { virtualIPRef: { name: 'busy' } } });
    await f.reconcile(ns, 'nic');
    expect((await f.getVip(ns, 'busy'))!.spec.targetRef).toEqual({ name: 'someone-else', uid: 'other-uid' });
    expect((await f.getApinetNic('no-vip'))!.spec.publicIPs ?? []).toEqual([]);
  });

  it('R-NIC-04: literal prefixes, plus the Allocated ipam Prefix <nic>-pf-<i> of an ephemeral source once it exists', async () => {
    const ns = await f.namespace();
    const anic = await f.apinetNic('with-prefixes');
    const ephemeral = { ephemeral: { prefixTemplate: { spec: { ipFamily: 'IPv4', prefix: '10.2.0.0/28' } } } };
    await f.nic(ns, 'nic', { providerID: f.providerId(anic), prefixes: [{ value: '10.1.0.0/24' }, ephemeral] });
    await f.reconcile(ns, 'nic');
    expect((await f.getApinetNic('with-prefixes'))!.spec.prefixes).toEqual(['10.1.0.0/24']);

    await f.allocatedPrefix(ns, 'nic-pf-1', '10.2.0.0/28'); // SIM-03
    await f.reconcile(ns, 'nic');
    expect((await f.getApinetNic('with-prefixes'))!.spec.prefixes).toEqual(['10.1.0.0/24', '10.2.0.0/28']);
    expect((await f.getNic(ns, 'nic'))!.status?.prefixes).toEqual(['10.1.0.0/24', '10.2.0.0/28']);
  });

  it('R-NIC-07: an apinet NIC held by another ironcore NIC is not touched; the NIC goes Pending', async () => {
    const ns = await f.namespace();
    const taken = await f.apinetNic('taken', {
      metadata: { labels: { [keys.uidLabel]: 'another-nic-uid', [keys.namespaceLabel]: ns }, annotations: { [keys.nameAnnotation]: 'other' } },
      spec: { prefixes: ['10.7.0.0/24'] },
    });
    await f.nic(ns, 'nic', { providerID: f.providerId(taken), prefixes: [{ value: '10.1.0.0/24' }] });
    await f.reconcile(ns, 'nic');
    const after = (await f.getApinetNic('taken'))!;
    expect(after.metadata.resourceVersion).toBe(taken.metadata.resourceVersion);
    expect(after.metadata.labels?.[keys.uidLabel]).toBe('another-nic-uid');
    expect((await f.getNic(ns, 'nic'))!.status?.state).toBe('Pending');
  });

  it('R-NIC-08: a provider ID change releases the old apinet NIC (origin, publicIPs, prefixes) and adopts the new one', async () => {
    const ns = await f.namespace();
    const { ip } = await f.virtualIP(ns, 'vip');
    const a = await f.apinetNic('nic-a');
    const b = await f.apinetNic('nic-b', { spec: { ips: ['192.168.0.11'] } });
    const nic = await f.nic(ns, 'nic', { providerID: f.providerId(a), prefixes: [{ value: '10.1.0.0/24' }], virtualIP: { virtualIPRef: { name: 'vip' } } });
    await f.reconcile(ns, 'nic');
    expect((await f.getApinetNic('nic-a'))!.spec.publicIPs).toEqual([{ name: ip, ipFamily: 'IPv4', ip }]);
    expect((await f.getVip(ns, 'vip'))!.spec.targetRef).toEqual({ name: 'nic', uid: nic.metadata.uid });

    await f.patchNic(ns, 'nic', { spec: { providerID: f.providerId(b) } });
    await f.reconcile(ns, 'nic');
    const released = (await f.getApinetNic('nic-a'))!;
    expect(released.metadata.labels?.[keys.uidLabel]).toBeUndefined();
    expect(released.metadata.labels?.[keys.namespaceLabel]).toBeUndefined();
    expect(released.metadata.annotations?.[keys.nameAnnotation]).toBeUndefined();
    expect(released.spec.publicIPs ?? []).toEqual([]);
    expect(released.spec.prefixes ?? []).toEqual([]);
    const adopted = (await f.getApinetNic('nic-b'))!;
    expect(adopted.metadata.labels?.[keys.uidLabel]).toBe(nic.metadata.uid);
    expect(adopted.spec.publicIPs).toEqual([{ name: ip, ipFamily: 'IPv4', ip }]);
    expect(adopted.spec.prefixes).toEqual(['10.1.0.0/24']);
    expect((await f.getVip(ns, 'vip'))!.spec.targetRef).toEqual({ name: 'nic', uid: nic.metadata.uid }); // the VIP follows the NIC, not the apinet NIC
    expect((await f.getNic(ns, 'nic'))!.status?.ips).toEqual(['192.168.0.11']);
  });

  it('R-NIC-09: deletion releases the apinet NIC (natGateways kept) and every VirtualIP targeting the NIC, then the NIC goes', async () => {
    const ns = await f.namespace();
    const { vip } = await f.virtualIP(ns, 'vip');
    const anic = await f.apinetNic('to-release', { spec: { natGateways: [NAT('IPv6', 'nat6')] } });
    await f.nic(ns, 'nic', { providerID: f.providerId(anic), prefixes: [{ value: '10.1.0.0/24' }], virtualIP: { virtualIPRef: { name: 'vip' } } });
    await f.reconcile(ns, 'nic');
    expect((await f.getApinetNic('to-release'))!.spec.publicIPs).toHaveLength(1);
    expect((await f.getVip(ns, 'vip'))!.spec.targetRef?.name).toBe('nic');

    const del = await h.ironcore.delete(ironcore.NetworkInterface, ns, 'nic');
    expect(del.state).toBe('deleting'); // our finalizer holds it
    await f.reconcile(ns, 'nic');

    expect(await f.getNic(ns, 'nic')).toBeUndefined();
    const released = (await f.getApinetNic('to-release'))!;
    expect(released.metadata.labels?.[keys.uidLabel]).toBeUndefined();
    expect(released.metadata.annotations?.[keys.nameAnnotation]).toBeUndefined();
    expect(released.spec.publicIPs ?? []).toEqual([]);
    expect(released.spec.prefixes ?? []).toEqual([]);
    expect(released.spec.natGateways).toEqual([NAT('IPv6', 'nat6')]);
    expect((await f.getVip(ns, 'vip'))!.spec.targetRef ?? undefined).toBeUndefined();
    expect((await f.getIp(vip.metadata.uid!))!.spec).not.toHaveProperty('claimRef');
  });

  it('R-NIC-10: a vanished NIC only loses the origin keys on its apinet NICs; publicIPs/prefixes stay', async () => {
    const ns = await f.namespace();
    await f.apinetNic('orphan', {
      metadata: { labels: { [keys.uidLabel]: 'dead-uid', [keys.namespaceLabel]: ns }, annotations: { [keys.nameAnnotation]: 'dead' } },
      spec: { prefixes: ['10.9.0.0/24'] },
    });
    await f.apinetNic('orphan-other-name', {
      metadata: { labels: { [keys.uidLabel]: 'x-uid', [keys.namespaceLabel]: ns }, annotations: { [keys.nameAnnotation]: 'alive-elsewhere' } },
    });
    await f.reconcile(ns, 'dead');
    const forgotten = (await f.getApinetNic('orphan'))!;
    expect(forgotten.metadata.labels?.[keys.uidLabel]).toBeUndefined();
    expect(forgotten.metadata.labels?.[keys.namespaceLabel]).toBeUndefined();
    expect(forgotten.metadata.annotations?.[keys.nameAnnotation]).toBeUndefined();
    expect(forgotten.spec.prefixes).toEqual(['10.9.0.0/24']);
    expect((await f.getApinetNic('orphan-other-name'))!.metadata.labels?.[keys.uidLabel]).toBe('x-uid');
  });

  it('R-NIC-10: a DELETE of an old NIC whose name a new NIC took forgets only what the old one held', async () => {
    const ns = await f.namespace();
    const live = await f.apinetNic('held-by-new');
    const nic = await f.nic(ns, 'nic', { providerID: f.providerId(live) });
    await f.reconcile(ns, 'nic');
    await f.apinetNic('held-by-old', {
      metadata: { labels: { [keys.uidLabel]: 'old-uid', [keys.namespaceLabel]: ns }, annotations: { [keys.nameAnnotation]: 'nic' } },
    });
    await h.reconcile(networkInterfaceReconciler, ns, 'nic', { op: 'DELETE', uid: 'old-uid' });
    expect((await f.getApinetNic('held-by-old'))!.metadata.labels?.[keys.uidLabel]).toBeUndefined();
    expect((await f.getApinetNic('held-by-new'))!.metadata.labels?.[keys.uidLabel]).toBe(nic.metadata.uid);
  });

  it('R-NIC-12: a converged NIC makes no write at all; API calls per reconcile measured', async () => {
    const ns = await f.namespace();
    await f.virtualIP(ns, 'vip');
    const anic = await f.apinetNic('steady', { spec: { natGateways: [NAT('IPv4', 'nat4'), NAT('IPv6', 'nat6')] } });
    const ephemeral = { ephemeral: { prefixTemplate: { spec: { ipFamily: 'IPv4', prefix: '10.2.0.0/28' } } } };
    await f.allocatedPrefix(ns, 'nic-pf-1', '10.2.0.0/28');
    await f.nic(ns, 'nic', { providerID: f.providerId(anic), prefixes: [{ value: '10.1.0.0/24' }, ephemeral], virtualIP: { virtualIPRef: { name: 'vip' } } });

    f.resetCounters();
    await f.reconcile(ns, 'nic');
    const first = f.calls();
    expect(first.apinet.writes).toBeGreaterThan(0);
    const converged = (await f.getApinetNic('steady'))!;

    f.resetCounters();
    await f.reconcile(ns, 'nic');
    const noop = f.calls();
    expect(noop.ironcore.writes).toBe(0);
    expect(noop.apinet.writes).toBe(0);
    // The held apinet NIC comes back from the NIC's origin LIST: one selective read, no GET, no full LIST.
    expect(noop.apinet.total).toBe(1);
    expect(noop.apinet.detail['list networkinterfaces']).toBe(1);
    expect((await f.getApinetNic('steady'))!.metadata.resourceVersion).toBe(converged.metadata.resourceVersion);
    expect(converged.metadata.namespace).toBe(ANS);
  });
});
