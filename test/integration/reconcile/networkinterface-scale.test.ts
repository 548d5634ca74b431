/**
 * NetworkInterface reconcile cost with many apinet NICs in `ANS` (core/networkinterface-reads.ts):
 * a reconcile reads the apinet NICs stemming from the NIC (origin-label LIST) and the one its
 * provider ID wants (GET by the name segment), not every apinet NIC; only a provider ID whose name
 * segment misses falls back to the full LIST (R-NIC-13 matches by UID alone). The requests are
 * observed on the apinet client's transport (real HTTP to the emulator), outcomes in the clusters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originKeysOf } from '../../../shared/api/origin.ts';
import { ironcore } from '../../../shared/api/resources.ts';
import { networkInterfaceReconciler } from '../../../shared/reconcile/networkinterface.ts';
import { startHarness, type Harness } from '../harness.ts';
import { nicFixtures, observedApinet } from './networkinterface-fixtures.ts';

const keys = originKeysOf('NetworkInterface');
const UNRELATED = 50;

let h: Harness;
let f: ReturnType<typeof nicFixtures>;
let o: ReturnType<typeof observedApinet>;

beforeAll(async () => {
  h = await startHarness();
  f = nicFixtures(h);
  o = observedApinet(h);
  // 50 apinet NICs that have nothing to do with the NICs under test: free ones and ones held by others.
  for (let i = 0; i < UNRELATED; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, j) => {
        const n = i + j;
        const metadata = n % 2 === 0 ? {} : { labels: { [keys.uidLabel]: `other-${n}`, [keys.namespaceLabel]: 'elsewhere' }, annotations: { [keys.nameAnnotation]: `other-${n}` } };
        return f.apinetNic(`unrelated-${n}`, { metadata });
      }),
    );
  }
}, 120_000);
afterAll(async () => h?.stop());

/** Every apinet NIC LIST of the observed reconciles was the NIC's origin LIST; returns the items they read. */
function expectOnlyOriginLists(nicUid: string): number {
  const lists = o.lists('networkinterfaces');
  expect(lists.length).toBeGreaterThan(0);
  for (const l of lists) expect(l.labelSelector).toBe(`${keys.uidLabel}=${nicUid}`);
  return lists.reduce((n, l) => n + (l.items ?? 0), 0);
}

describe('NetworkInterface reconcile among many apinet NICs', () => {
  it('R-NIC-02/R-NIC-13: claim by the provider ID reads the named apinet NIC and the origin LIST, never all apinet NICs', async () => {
    const ns = await f.namespace();
    const anic = await f.apinetNic('scale-claim');
    const nic = await f.nic(ns, 'nic', { providerID: f.providerId(anic) });

    o.clear();
    await o.reconcile(networkInterfaceReconciler, ns, 'nic');
    expect((await f.getApinetNic('scale-claim'))!.metadata.labels?.[keys.uidLabel]).toBe(nic.metadata.uid);
    expect(expectOnlyOriginLists(nic.metadata.uid!)).toBe(0); // nothing held yet
    expect(o.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/networkinterfaces/scale-claim'))).toHaveLength(1);

    // Converged: one selective LIST returning the held apinet NIC is the whole apinet cost.
    o.clear();
    await o.reconcile(networkInterfaceReconciler, ns, 'nic');
    expect(o.requests).toHaveLength(1);
    expect(expectOnlyOriginLists(nic.metadata.uid!)).toBe(1);
  });

  it('R-NIC-13: a provider ID whose name segment misses still claims by UID (full LIST fallback), then reads selectively', async () => {
    const ns = await f.namespace();
    const anic = await f.apinetNic('scale-renamed');
    const providerID = f.providerId(anic).replace('/scale-renamed/', '/not-the-name/');
    const nic = await f.nic(ns, 'nic', { providerID });

    o.clear();
    await o.reconcile(networkInterfaceReconciler, ns, 'nic');
    expect((await f.getApinetNic('scale-renamed'))!.metadata.labels?.[keys.uidLabel]).toBe(nic.metadata.uid);
    const full = o.lists('networkinterfaces').filter((l) => l.labelSelector === undefined);
    expect(full).toHaveLength(1);
    expect(full[0].items).toBeGreaterThan(UNRELATED);

    o.clear();
    await o.reconcile(networkInterfaceReconciler, ns, 'nic');
    expect(expectOnlyOriginLists(nic.metadata.uid!)).toBe(1);
    expect(o.requests).toHaveLength(1);
  });

  it('R-NIC-07: an apinet NIC held by another NIC is recognised from its own origin labels, without listing all', async () => {
    const ns = await f.namespace();
    const taken = await f.apinetNic('scale-taken', {
      metadata: { labels: { [keys.uidLabel]: 'another-nic-uid', [keys.namespaceLabel]: 'x' }, annotations: { [keys.nameAnnotation]: 'another' } },
    });
    const nic = await f.nic(ns, 'nic', { providerID: f.providerId(taken) });

    o.clear();
    await o.reconcile(networkInterfaceReconciler, ns, 'nic');
    expectOnlyOriginLists(nic.metadata.uid!);
    const after = (await f.getApinetNic('scale-taken'))!;
    expect(after.metadata.resourceVersion).toBe(taken.metadata.resourceVersion);
    expect((await f.getNic(ns, 'nic'))!.status?.state).toBe('Pending');
  });

  it('R-NIC-08: a provider ID change releases the old apinet NIC (found by the origin LIST) and adopts the new one', async () => {
    const ns = await f.namespace();
    const a = await f.apinetNic('scale-a');
    const b = await f.apinetNic('scale-b');
    const nic = await f.nic(ns, 'nic', { providerID: f.providerId(a), prefixes: [{ value: '10.9.0.0/24' }] });
    await o.reconcile(networkInterfaceReconciler, ns, 'nic');
    expect((await f.getApinetNic('scale-a'))!.spec.prefixes).toEqual(['10.9.0.0/24']);

    await f.patchNic(ns, 'nic', { spec: { providerID: f.providerId(b) } });
    o.clear();
    await o.reconcile(networkInterfaceReconciler, ns, 'nic');
    expectOnlyOriginLists(nic.metadata.uid!);
    const released = (await f.getApinetNic('scale-a'))!;
    expect(released.metadata.labels?.[keys.uidLabel]).toBeUndefined();
    expect(released.spec.prefixes ?? undefined).toBeUndefined();
    expect((await f.getApinetNic('scale-b'))!.metadata.labels?.[keys.uidLabel]).toBe(nic.metadata.uid);
  });

  it('R-NIC-09: deletion releases what stems from the NIC with the origin LIST only', async () => {
    const ns = await f.namespace();
    const anic = await f.apinetNic('scale-del');
    const nic = await f.nic(ns, 'nic', { providerID: f.providerId(anic) });
    await o.reconcile(networkInterfaceReconciler, ns, 'nic');
    await h.ironcore.delete(ironcore.NetworkInterface, ns, 'nic');

    o.clear();
    await o.reconcile(networkInterfaceReconciler, ns, 'nic');
    expect(expectOnlyOriginLists(nic.metadata.uid!)).toBe(1);
    expect((await f.getApinetNic('scale-del'))!.metadata.labels?.[keys.uidLabel]).toBeUndefined();
    expect(await f.getNic(ns, 'nic')).toBeUndefined();
  });

  it('R-NIC-01: without a provider ID only the origin LIST is read', async () => {
    const ns = await f.namespace();
    const nic = await f.nic(ns, 'nic');
    o.clear();
    await o.reconcile(networkInterfaceReconciler, ns, 'nic');
    expect(expectOnlyOriginLists(nic.metadata.uid!)).toBe(0);
    expect(o.requests).toHaveLength(1);
    expect((await f.getNic(ns, 'nic'))!.status?.state).toBe('Pending');
  });
});
