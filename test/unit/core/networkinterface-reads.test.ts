import { describe, expect, it } from 'vitest';
import { ApinetNetworkInterface } from '../../../shared/api/apinet.ts';
import { IroncoreNetworkInterface } from '../../../shared/api/ironcore.ts';
import {
  apinetNetworkInterfaceReads,
  apinetNetworkInterfacesThatMatter,
  findWantedApinetNetworkInterface,
} from '../../../shared/reconcile/core/networkinterface-reads.ts';
import { planNetworkInterface } from '../../../shared/reconcile/core/networkinterface.ts';

const ANS = 'apinet';
const NIC_UID = '3f1a2b4c-0000-4000-8000-000000000003';
const UID_LABEL = 'apinetlet.ironcore.dev/networkinterface-uid';
const NS_LABEL = 'apinetlet.ironcore.dev/networkinterface-namespace';
const NAME_ANN = 'apinetlet.ironcore.dev/networkinterface-name';

const nic = (providerID?: string) =>
  IroncoreNetworkInterface.parse({
    apiVersion: 'networking.ironcore.dev/v1alpha1',
    kind: 'NetworkInterface',
    metadata: { name: 'nic', namespace: 'default', uid: NIC_UID, finalizers: ['apinet.ironcore.dev/networkinterface'] },
    spec: { networkRef: { name: 'net' }, ips: [{ value: '10.0.0.5' }], ...(providerID ? { providerID } : {}) },
  });

const apinetNic = (name: string, uid: string, holder?: string) =>
  ApinetNetworkInterface.parse({
    apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
    kind: 'NetworkInterface',
    metadata: {
      name,
      namespace: ANS,
      uid,
      resourceVersion: '1',
      ...(holder ? { labels: { [UID_LABEL]: holder, [NS_LABEL]: 'default' }, annotations: { [NAME_ANN]: 'nic' } } : {}),
    },
    spec: { nodeRef: { name: 'node-1' }, networkRef: { name: 'net' }, ips: ['192.168.0.1'] },
  });

describe('apinet NIC reads of a NetworkInterface reconcile', () => {
  it('R-NIC-13: the provider ID gives the wanted UID and the name to GET; the origin selector names the NIC uid', () => {
    const reads = apinetNetworkInterfaceReads(nic('ironcore-net://apinet/anic-1/node-1/uid-b'));
    expect(reads).toEqual({ originSelector: `${UID_LABEL}=${NIC_UID}`, wantedUid: 'uid-b', candidateName: 'anic-1' });
  });

  it('R-NIC-01/R-NIC-13: no or an unparsable provider ID wants nothing (only the origin LIST)', () => {
    expect(apinetNetworkInterfaceReads(nic()).wantedUid).toBeUndefined();
    const bad = apinetNetworkInterfaceReads(nic('ironcore-net://apinet/anic-1/Node_1/uid-b'));
    expect(bad.wantedUid).toBeUndefined();
    expect(bad.candidateName).toBeUndefined();
  });

  it('a `..` name segment is not read by GET (it would address another path)', () => {
    const reads = apinetNetworkInterfaceReads(nic('ironcore-net://apinet/../node-1/uid-b'));
    expect(reads.wantedUid).toBe('uid-b');
    expect(reads.candidateName).toBeUndefined();
  });

  it('R-NIC-13: the named object counts only when its UID is the wanted one', () => {
    const reads = apinetNetworkInterfaceReads(nic('ironcore-net://apinet/anic-1/node-1/uid-b'));
    expect(findWantedApinetNetworkInterface(reads, [apinetNic('anic-1', 'uid-other')])).toBeUndefined();
    expect(findWantedApinetNetworkInterface(reads, [undefined, apinetNic('renamed', 'uid-b')])?.metadata.name).toBe('renamed');
  });

  it('each apinet NIC once by name, the wanted read first', () => {
    const wanted = apinetNic('b', 'uid-b', NIC_UID);
    const merged = apinetNetworkInterfacesThatMatter(wanted, [apinetNic('a', 'uid-a', NIC_UID), apinetNic('b', 'uid-b', NIC_UID)]);
    expect(merged.map((n) => n.metadata.name)).toEqual(['b', 'a']);
    expect(merged[0]).toBe(wanted);
  });

  it('R-NIC-07/R-NIC-08: the plan over the NICs that matter equals the plan over every apinet NIC of ANS', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const settings = { apinetNamespace: ANS };
    const all = [
      apinetNic('old', 'uid-a', NIC_UID), // held, no longer wanted → released
      apinetNic('want', 'uid-b'), // free, wanted → adopted
      apinetNic('taken', 'uid-c', 'another-uid'),
      apinetNic('free', 'uid-d'),
    ];
    for (const providerID of ['ironcore-net://apinet/want/node-1/uid-b', 'ironcore-net://apinet/taken/node-1/uid-c', undefined]) {
      const n = nic(providerID);
      const reads = apinetNetworkInterfaceReads(n);
      const stemming = all.filter((a) => a.metadata.labels?.[UID_LABEL] === NIC_UID); // what the origin LIST answers
      const matter = apinetNetworkInterfacesThatMatter(findWantedApinetNetworkInterface(reads, all), stemming);
      const base = { networkInterface: n, virtualIPs: [], prefixes: {}, settings };
      expect(planNetworkInterface({ ...base, apinetNetworkInterfaces: matter }, now)).toEqual(planNetworkInterface({ ...base, apinetNetworkInterfaces: all }, now));
    }
  });
});
