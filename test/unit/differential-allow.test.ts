/**
 * The differential's allow-list entries for ironcore-net server races (test/differential/allow.ts):
 * each explains only the shape of difference the server produces and leaves the rest a difference.
 */
import { describe, expect, it } from 'vitest';
import { explain } from '../differential/allow.ts';
import type { Op } from '../differential/ops.ts';
import type { Snapshot } from '../differential/snapshot.ts';

const net = '<Network/rnd-1/net5>';
const gw = (_name: string, network: string) => ({ spec: { networkRef: { name: network } } });
// Keys in sorted order, as snapshot.ts writes them.
const nic = (claimer: string) => ({
  annotations: {},
  labels: {},
  spec: { natGateways: [{ claimRef: { name: claimer, uid: `<apinet NATGateway/${claimer}>` }, ipFamily: 'IPv4' }], networkRef: { name: net } },
});
const ctxOf = (go: Snapshot, ts: Snapshot) => ({ history: [], go, ts });

describe('differential allow-list: which NATGateway of a network claims a NIC (controller-manager)', () => {
  const both: Snapshot = {
    'apinet NATGateway <NATGateway/rnd-1/natgw7>': gw('natgw7', net),
    'apinet NATGateway <NATGateway/rnd-1/natgw12>': gw('natgw12', net),
    'apinet NATGateway <NATGateway/rnd-1/other>': gw('other', '<Network/rnd-1/net9>'),
  };
  it('explains two NATGateways of the NIC’s own network', () => {
    const d = { key: 'apinet NetworkInterface anic25', go: nic('<NATGateway/rnd-1/natgw12>'), ts: nic('<NATGateway/rnd-1/natgw7>') };
    expect(explain(d, ctxOf(both, both)).rules).toEqual([expect.stringContaining('which of a network')]);
  });
  it('keeps a claim by a NATGateway of another network, or of none, a difference', () => {
    const other = { key: 'apinet NetworkInterface anic25', go: nic('<NATGateway/rnd-1/natgw12>'), ts: nic('<NATGateway/rnd-1/other>') };
    expect(explain(other, ctxOf(both, both)).rules).toBeUndefined();
    const gone = { key: 'apinet NetworkInterface anic25', go: nic('<NATGateway/rnd-1/natgw12>'), ts: nic('<NATGateway/rnd-1/ghost>') };
    expect(explain(gone, ctxOf(both, both)).rules).toBeUndefined();
    const none = { key: 'apinet NetworkInterface anic25', go: nic('<NATGateway/rnd-1/natgw12>'), ts: { annotations: {}, labels: {}, spec: { networkRef: { name: net } } } };
    expect(explain(none, ctxOf(both, both)).rules).toBeUndefined();
  });
});

describe('differential allow-list: an IP object left behind by a reverted NATGateway update', () => {
  const ip = { annotations: {}, labels: {}, spec: { type: 'Public' } };
  it('leaves out only the IP objects snapshot.ts names leaked', () => {
    expect(explain({ key: 'apinet IP <IP leaked by <NATGateway/rnd-55/natgw195> ~1>', go: undefined, ts: ip }, ctxOf({}, {})).rules).toHaveLength(1);
    expect(explain({ key: 'apinet IP <IP #0 of <NATGateway/rnd-55/natgw195>>', go: undefined, ts: ip }, ctxOf({}, {})).rules).toBeUndefined();
  });
});

describe('differential allow-list: a released LoadBalancer address held by a second LoadBalancer', () => {
  const lb = (ip: string) => ({ annotations: {}, labels: {}, spec: { ips: [{ ip, name: 'ipv4' }] } });
  const key = 'apinet LoadBalancer <LoadBalancer/rnd-1/lb17>';
  it('explains the address named after another LoadBalancer on one side', () => {
    const d = { key, go: lb('<ip ipv4 of LoadBalancer <LoadBalancer/rnd-34/lb93>>'), ts: lb('<ip ipv4 of LoadBalancer <LoadBalancer/rnd-1/lb17>>') };
    expect(explain(d, ctxOf({}, {})).rules).toHaveLength(1);
  });
  it('keeps two different own addresses a difference', () => {
    const d = { key, go: { annotations: {}, labels: {}, spec: { ips: [] } }, ts: lb('<ip ipv4 of LoadBalancer <LoadBalancer/rnd-1/lb17>>') };
    expect(explain(d, ctxOf({}, {})).rules).toBeUndefined();
  });
});

describe('differential allow-list: which of several NICs waiting for a released VirtualIP claims it (R-NIC-05)', () => {
  // Seed 3, random steps 53–230: nic51 holds vip40, nic86 and nic27 start waiting for it, nic51 lets it go.
  const history: Op[] = [
    { op: 'vip.create', ns: 'rnd-26', name: 'vip40' },
    { op: 'nic.create', ns: 'rnd-26', name: 'nic51', network: 'net41', ip: '10.3.0.22', app: 'db', vip: 'vip40' },
    { op: 'nic.create', ns: 'rnd-26', name: 'nic86', network: 'net69', ip: '10.3.0.28', app: 'cache', vip: 'vip79' },
    { op: 'nic.create', ns: 'rnd-26', name: 'nic27', network: 'ghost-net28', ip: '10.3.0.16', app: 'web' },
    { op: 'nic.vip', ns: 'rnd-26', name: 'nic86', vip: 'vip40' },
    { op: 'nic.vip', ns: 'rnd-26', name: 'nic27', vip: 'vip40' },
    { op: 'nic.vip', ns: 'rnd-26', name: 'nic51' },
  ];
  const vip = (claimer: string) => ({ deleting: false, finalizers: ['apinet.ironcore.dev/virtualip'], status: { ip: '<ip of <VirtualIP/rnd-26/vip40>>' }, targetRef: { name: claimer, uid: `<NetworkInterface/rnd-26/${claimer}>` } });
  const key = 'ironcore VirtualIP rnd-26/vip40';
  it('explains two different claimers that both reference the VirtualIP', () => {
    expect(explain({ key, go: vip('nic86'), ts: vip('nic27') }, { history, go: {}, ts: {} }).rules).toEqual([expect.stringContaining('R-NIC-05')]);
  });
  it('keeps a claimer that no longer references it, or a lone contender, a difference', () => {
    expect(explain({ key, go: vip('nic86'), ts: vip('nic51') }, { history, go: {}, ts: {} }).rules).toBeUndefined();
    const oneWaiting = history.filter((o) => !(o.op === 'nic.vip' && o.name === 'nic27'));
    expect(explain({ key, go: vip('nic86'), ts: vip('nic27') }, { history: oneWaiting, go: {}, ts: {} }).rules).toBeUndefined();
    const deleted: Op[] = [...history, { op: 'delete', kind: 'NetworkInterface', ns: 'rnd-26', name: 'nic27' }];
    expect(explain({ key, go: vip('nic86'), ts: vip('nic27') }, { history: deleted, go: {}, ts: {} }).rules).toBeUndefined();
  });
});
