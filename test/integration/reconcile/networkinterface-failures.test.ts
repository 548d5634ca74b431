/**
 * NetworkInterface reconcile under failures injected into the emulated clusters: transient 500s,
 * 409 races on guarded writes, a crash between the apinet write and the ironcore status patch, a
 * failing release during deletion, and the apinet server rejecting a public IP (SRV-05). In every
 * case the key converges through real SQS redeliveries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finalizerOf, originKeysOf } from '../../../shared/api/origin.ts';
import { apinet, ironcore } from '../../../shared/api/resources.ts';
import { networkInterfaceReconciler } from '../../../shared/reconcile/networkinterface.ts';
import { startHarness, type Harness } from '../harness.ts';
import { ANS, nicFixtures } from './networkinterface-fixtures.ts';

const keys = originKeysOf('NetworkInterface');
const FINALIZER = finalizerOf('NetworkInterface');

let h: Harness;
let f: ReturnType<typeof nicFixtures>;

beforeAll(async () => {
  h = await startHarness();
  f = nicFixtures(h);
}, 60_000);
afterAll(async () => h?.stop());

describe('NetworkInterface reconcile under failures', () => {
  it('R-NIC-02: a 500 on the apinet NIC write fails the delivery; the redelivery converges', async () => {
    const ns = await f.namespace();
    const anic = await f.apinetNic('fault-500');
    const nic = await f.nic(ns, 'nic', { providerID: f.providerId(anic) });
    h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networkinterfaces', status: 500, count: 1 });
    await h.trigger('NetworkInterface', ns, 'nic');
    const { deliveries, remaining } = await h.drain(networkInterfaceReconciler);
    expect(remaining).toBe(0);
    expect(deliveries).toBeGreaterThanOrEqual(2);
    expect((await f.getApinetNic('fault-500'))!.metadata.labels?.[keys.uidLabel]).toBe(nic.metadata.uid);
    expect((await f.getNic(ns, 'nic'))!.status?.ips).toEqual(['192.168.0.10']);
  });

  it('R-NIC-07: a 409 on the guarded claim is re-read and re-planned within the same delivery', async () => {
    const ns = await f.namespace();
    const anic = await f.apinetNic('fault-409');
    const nic = await f.nic(ns, 'nic', { providerID: f.providerId(anic) });
    h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networkinterfaces', status: 409, count: 1 });
    await h.trigger('NetworkInterface', ns, 'nic');
    const { deliveries, remaining } = await h.drain(networkInterfaceReconciler);
    expect(remaining).toBe(0);
    expect(deliveries).toBe(1);
    expect((await f.getApinetNic('fault-409'))!.metadata.labels?.[keys.uidLabel]).toBe(nic.metadata.uid);
  });

  it('R-NIC-07: a claim racing a real writer (stale resourceVersion) does not overwrite the winner', async () => {
    const ns = await f.namespace();
    const anic = await f.apinetNic('raced');
    await f.nic(ns, 'nic', { providerID: f.providerId(anic) });
    // Another NIC wins the race between our list and our patch: hold our patch, commit the winner's meanwhile.
    h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networkinterfaces', delayMs: 1000, count: 1 });
    const patchesBefore = h.apinetEmulator.counters.get('patch', 'networkinterfaces');
    await h.trigger('NetworkInterface', ns, 'nic');
    const drained = h.drain(networkInterfaceReconciler);
    const deadline = Date.now() + 10_000;
    while (h.apinetEmulator.counters.get('patch', 'networkinterfaces') === patchesBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await h.apinet.mergePatch(apinet.NetworkInterface, ANS, 'raced', {
      metadata: { labels: { [keys.uidLabel]: 'winner-uid', [keys.namespaceLabel]: ns }, annotations: { [keys.nameAnnotation]: 'winner' } },
    });
    expect((await drained).remaining).toBe(0);
    expect((await f.getApinetNic('raced'))!.metadata.labels?.[keys.uidLabel]).toBe('winner-uid');
    const status = (await f.getNic(ns, 'nic'))!.status;
    expect(status?.state).toBe('Pending');
    expect(status?.ips ?? undefined).toBeUndefined(); // R-NIC-01: the NIC never held it, nothing mirrored
  });

  it('R-NIC-02: a crash between the apinet write and the status patch is finished by the next reconcile', async () => {
    const ns = await f.namespace();
    const anic = await f.apinetNic('half-done', { spec: { ips: ['192.168.0.42'] } });
    await f.nic(ns, 'nic', { providerID: f.providerId(anic), prefixes: [{ value: '10.1.0.0/24' }] });
    h.ironcoreEmulator.faults.inject({ verb: 'patch', resource: 'networkinterfaces/status', status: 500, count: 1 });
    const first = await f.deliverOnce(ns, 'nic');
    expect(first.failed).toBe(1);
    expect((await f.getApinetNic('half-done'))!.spec.prefixes).toEqual(['10.1.0.0/24']); // apinet side written
    expect((await f.getNic(ns, 'nic'))!.status?.ips ?? undefined).toBeUndefined(); // status not yet

    f.resetCounters();
    expect((await h.drain(networkInterfaceReconciler)).remaining).toBe(0);
    const status = (await f.getNic(ns, 'nic'))!.status!;
    expect(status.ips).toEqual(['192.168.0.42']);
    expect(status.prefixes).toEqual(['10.1.0.0/24']);
    expect(f.calls().apinet.writes).toBe(0); // nothing left to write on the apinet side
  });

  it('R-NIC-09: the finalizer stays while releasing the apinet NIC fails; the retry releases it and the NIC goes', async () => {
    const ns = await f.namespace();
    const anic = await f.apinetNic('held');
    await f.nic(ns, 'nic', { providerID: f.providerId(anic), prefixes: [{ value: '10.1.0.0/24' }] });
    await f.reconcile(ns, 'nic');
    await h.ironcore.delete(ironcore.NetworkInterface, ns, 'nic');

    h.apinetEmulator.faults.inject({ verb: 'patch', resource: 'networkinterfaces', status: 500, count: 1 });
    const first = await f.deliverOnce(ns, 'nic');
    expect(first.failed).toBe(1);
    const deleting = (await f.getNic(ns, 'nic'))!;
    expect(deleting.metadata.deletionTimestamp).toBeTruthy();
    expect(deleting.metadata.finalizers).toContain(FINALIZER);
    expect((await f.getApinetNic('held'))!.metadata.labels?.[keys.uidLabel]).toBe(deleting.metadata.uid);

    expect((await h.drain(networkInterfaceReconciler)).remaining).toBe(0);
    expect(await f.getNic(ns, 'nic')).toBeUndefined();
    const released = (await f.getApinetNic('held'))!;
    expect(released.metadata.labels?.[keys.uidLabel]).toBeUndefined();
    expect(released.spec.prefixes ?? []).toEqual([]);
  });

  it('SRV-05: the apinet server rejects a public IP whose IP object is missing; once it exists the NIC converges', async () => {
    const ns = await f.namespace();
    const { vip, ip } = await f.virtualIP(ns, 'vip');
    await h.apinet.delete(apinet.IP, ANS, vip.metadata.uid!); // the VirtualIP controller has not (re)created it yet
    const anic = await f.apinetNic('needs-ip');
    const nic = await f.nic(ns, 'nic', { providerID: f.providerId(anic), virtualIP: { virtualIPRef: { name: 'vip' } } });

    await h.trigger('NetworkInterface', ns, 'nic');
    expect((await h.drain(networkInterfaceReconciler, { timeoutMs: 2500 })).remaining).toBe(1);
    expect((await f.getVip(ns, 'vip'))!.spec.targetRef?.uid).toBe(nic.metadata.uid); // VIP claimed first
    expect((await f.getApinetNic('needs-ip'))!.spec.publicIPs ?? []).toEqual([]);

    await h.apinet.apply(
      apinet.IP,
      { apiVersion: 'core.apinet.ironcore.dev/v1alpha1', kind: 'IP', metadata: { name: vip.metadata.uid!, namespace: ANS }, spec: { type: 'Public', ipFamily: 'IPv4', ip } },
      { fieldManager: 'virtualip-controller', force: true },
    );
    expect((await h.drain(networkInterfaceReconciler, { timeoutMs: 30_000 })).remaining).toBe(0);
    expect((await f.getApinetNic('needs-ip'))!.spec.publicIPs).toEqual([{ name: ip, ipFamily: 'IPv4', ip }]);
    expect(((await f.getIp(vip.metadata.uid!))!.spec as { claimRef?: { uid: string } }).claimRef?.uid).toBe(anic.metadata.uid);
  }, 45_000);
});
