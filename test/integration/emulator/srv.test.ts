/**
 * behavior.md SRV-01…09 and ironcore validation against the real emulator over HTTPS, through
 * @kubernetes/client-node as the functions use it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startEmulator, type Emulator } from '../../../infra/local/emulator/index.ts';

const APINET = { group: 'core.apinet.ironcore.dev', version: 'v1alpha1' };
const NETWORKING = { group: 'networking.ironcore.dev', version: 'v1alpha1' };
const IPAM = { group: 'ipam.ironcore.dev', version: 'v1alpha1' };
const NS = 'default';
const MANAGER = 'ironcore.dev/apinetlet';
type Obj = Record<string, any>;
type Group = { group: string; version: string };

class Client {
  readonly api: CustomObjectsApi;
  constructor(emulator: Emulator) {
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubeconfig());
    this.api = kc.makeApiClient(CustomObjectsApi);
  }
  create(g: Group, plural: string, body: Obj): Promise<Obj> {
    return this.api.createNamespacedCustomObject({ ...g, namespace: NS, plural, body });
  }
  get(g: Group, plural: string, name: string): Promise<Obj> {
    return this.api.getNamespacedCustomObject({ ...g, namespace: NS, plural, name });
  }
  list(g: Group, plural: string, fieldSelector?: string): Promise<Obj> {
    return this.api.listNamespacedCustomObject({ ...g, namespace: NS, plural, ...(fieldSelector ? { fieldSelector } : {}) });
  }
  mergePatch(g: Group, plural: string, name: string, body: Obj, fieldManager?: string): Promise<Obj> {
    return this.api.patchNamespacedCustomObject({ ...g, namespace: NS, plural, name, body, ...(fieldManager ? { fieldManager } : {}) }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  }
  mergePatchStatus(g: Group, plural: string, name: string, body: Obj): Promise<Obj> {
    return this.api.patchNamespacedCustomObjectStatus({ ...g, namespace: NS, plural, name, body, fieldManager: 'test-status' }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  }
  apply(g: Group, plural: string, body: Obj, fieldManager = MANAGER): Promise<Obj> {
    return this.api.patchNamespacedCustomObject(
      { ...g, namespace: NS, plural, name: body['metadata'].name, body, fieldManager, force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
  }
  delete(g: Group, plural: string, name: string): Promise<Obj> {
    return this.api.deleteNamespacedCustomObject({ ...g, namespace: NS, plural, name });
  }
}

/** The Kubernetes Status of a rejected request. */
async function rejection(p: Promise<unknown>): Promise<{ code: number; body: Obj }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) return { code: e.code, body: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
    throw e;
  }
  throw new Error('the request was expected to fail');
}

const apinetObj = (kind: string, name: string, rest: Obj = {}): Obj => ({ apiVersion: `${APINET.group}/${APINET.version}`, kind, metadata: { name }, ...rest });
const ironcoreObj = (kind: string, name: string, rest: Obj = {}, g: Group = NETWORKING): Obj => ({ apiVersion: `${g.group}/${g.version}`, kind, metadata: { name }, ...rest });
const inPool = (ip: unknown) => typeof ip === 'string' && /^10\.0\.0\.([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$/.test(ip);

let apinetEmu: Emulator;
let ironcoreEmu: Emulator;
let apinet: Client;
let ironcore: Client;

beforeAll(async () => {
  [apinetEmu, ironcoreEmu] = await Promise.all([startEmulator({ flavour: 'apinet', port: 0 }), startEmulator({ flavour: 'ironcore', port: 0 })]);
  apinet = new Client(apinetEmu);
  ironcore = new Client(ironcoreEmu);
});

afterAll(async () => {
  await Promise.all([apinetEmu?.stop(), ironcoreEmu?.stop()]);
});

describe('apinet server behaviour', () => {
  it('SRV-01: a Network without spec.id gets a unique integer VNI in 200…2^24-1', async () => {
    const a = await apinet.create(APINET, 'networks', apinetObj('Network', 'srv01-a', { spec: {} }));
    const b = await apinet.create(APINET, 'networks', apinetObj('Network', 'srv01-b', { spec: {} }));
    for (const n of [a, b]) {
      expect(n['spec'].id).toMatch(/^[0-9]+$/);
      expect(Number(n['spec'].id)).toBeGreaterThanOrEqual(200);
      expect(Number(n['spec'].id)).toBeLessThan(2 ** 24);
    }
    expect(a['spec'].id).not.toBe(b['spec'].id);
    expect((await apinet.get(APINET, 'networks', 'srv01-a'))['spec'].id).toBe(a['spec'].id);
  });

  it('SRV-02: a public IP gets a pool address, the two labels, and is found by fieldSelector spec.ip', async () => {
    const ip = await apinet.create(APINET, 'ips', apinetObj('IP', 'srv02', { spec: { type: 'Public', ipFamily: 'IPv4' } }));
    expect(inPool(ip['spec'].ip)).toBe(true);
    expect(ip['metadata'].labels).toMatchObject({ 'apinet.ironcore.dev/ip-family': 'IPv4', 'apinet.ironcore.dev/ip': ip['spec'].ip });
    const found = await apinet.list(APINET, 'ips', `spec.ip=${ip['spec'].ip}`);
    expect(found['items'].map((i: Obj) => i['metadata'].name)).toEqual(['srv02']);
  });

  it('SRV-03: NATGateway ips[] without ip are allocated, backed by an IP owned and claimed by the gateway', async () => {
    const gw = await apinet.apply(APINET, 'natgateways', apinetObj('NATGateway', 'srv03', { spec: { ipFamily: 'IPv4', networkRef: { name: 'net' }, portsPerNetworkInterface: 2048 } }));
    const patched = await apinet.mergePatch(APINET, 'natgateways', 'srv03', { spec: { ips: [{ name: 'ip-1' }] } }, 'autoscaler');
    const addr = patched['spec'].ips[0].ip;
    expect(inPool(addr)).toBe(true);
    const backing = (await apinet.list(APINET, 'ips', `spec.ip=${addr}`))['items'];
    expect(backing).toHaveLength(1);
    expect(backing[0]['metadata'].ownerReferences).toEqual([expect.objectContaining({ kind: 'NATGateway', name: 'srv03', uid: gw['metadata'].uid, controller: true })]);
    expect(backing[0]['spec'].claimRef).toEqual({ group: APINET.group, resource: 'natgateways', name: 'srv03', uid: gw['metadata'].uid });
  });

  it('SRV-04: public LoadBalancer IPs are allocated, Internal ones stored as given', async () => {
    const lb = (name: string, type: string, ips: Obj[]) => apinetObj('LoadBalancer', name, {
      spec: { type, networkRef: { name: 'net' }, ips, selector: { matchLabels: { lb: name } }, template: { metadata: { labels: { lb: name } }, spec: {} } },
    });
    const pub = await apinet.apply(APINET, 'loadbalancers', lb('srv04-pub', 'Public', [{ name: 'ipv4', ipFamily: 'IPv4' }]));
    expect(inPool(pub['spec'].ips[0].ip)).toBe(true);
    const internal = await apinet.apply(APINET, 'loadbalancers', lb('srv04-int', 'Internal', [{ name: 'ip-0', ipFamily: 'IPv4', ip: '192.168.7.7' }]));
    expect(internal['spec'].ips).toEqual([{ name: 'ip-0', ipFamily: 'IPv4', ip: '192.168.7.7' }]);
    expect((await apinet.list(APINET, 'ips', 'spec.ip=192.168.7.7'))['items']).toHaveLength(0);
  });

  it('SRV-05: a NIC claims an existing IP, is rejected for a missing one, releases the claim when removed', async () => {
    const ip = await apinet.create(APINET, 'ips', apinetObj('IP', 'srv05-vip', { spec: { type: 'Public', ipFamily: 'IPv4' } }));
    const addr = ip['spec'].ip;
    const nic = await apinet.create(APINET, 'networkinterfaces', apinetObj('NetworkInterface', 'srv05', { spec: { nodeRef: { name: 'node-1' }, networkRef: { name: 'net' }, ips: ['192.168.0.10'] } }));
    const missing = await rejection(apinet.mergePatch(APINET, 'networkinterfaces', 'srv05', { spec: { publicIPs: [{ name: 'v', ipFamily: 'IPv4', ip: '10.0.0.254' === addr ? '10.0.0.253' : '10.0.0.254' }] } }));
    expect(missing.code).toBe(500);
    await apinet.mergePatch(APINET, 'networkinterfaces', 'srv05', { spec: { publicIPs: [{ name: 'v', ipFamily: 'IPv4', ip: addr }] } });
    expect((await apinet.get(APINET, 'ips', 'srv05-vip'))['spec'].claimRef).toEqual({ group: APINET.group, resource: 'networkinterfaces', name: 'srv05', uid: nic['metadata'].uid });
    await apinet.mergePatch(APINET, 'networkinterfaces', 'srv05', { spec: { publicIPs: null } });
    const released = await apinet.get(APINET, 'ips', 'srv05-vip');
    expect(released['spec'].claimRef).toBeUndefined();
  });

  it('SRV-06: fields of another manager and server-filled fields survive a forced apply by the apinetlet', async () => {
    const spec = { ipFamily: 'IPv4', networkRef: { name: 'net' }, portsPerNetworkInterface: 2048 };
    await apinet.apply(APINET, 'natgateways', apinetObj('NATGateway', 'srv06', { spec }));
    const patched = await apinet.mergePatch(APINET, 'natgateways', 'srv06', { spec: { ips: [{ name: 'ip-1' }] } }, 'autoscaler');
    const reapplied = await apinet.apply(APINET, 'natgateways', apinetObj('NATGateway', 'srv06', { spec: { ...spec, portsPerNetworkInterface: 4096 } }));
    expect(reapplied['spec'].portsPerNetworkInterface).toBe(4096);
    expect(reapplied['spec'].ips).toEqual(patched['spec'].ips);
    const net = await apinet.apply(APINET, 'networks', apinetObj('Network', 'srv06', { spec: {} }));
    const again = await apinet.apply(APINET, 'networks', apinetObj('Network', 'srv06', { spec: { peerings: [] } }));
    expect(again['spec'].id).toBe(net['spec'].id);
  });

  it('SRV-07: status written via /status survives a spec apply', async () => {
    await apinet.apply(APINET, 'networks', apinetObj('Network', 'srv07', { spec: {} }));
    await apinet.mergePatchStatus(APINET, 'networks', 'srv07', { status: { peerings: { partition1: [{ id: 4711, state: 'Ready' }] } } });
    const applied = await apinet.apply(APINET, 'networks', apinetObj('Network', 'srv07', { spec: { peerings: [{ name: 'p', id: '4711' }] } }));
    expect(applied['status']).toEqual({ peerings: { partition1: [{ id: 4711, state: 'Ready' }] } });
    expect(applied['spec'].peerings).toEqual([{ name: 'p', id: '4711' }]);
  });
});

describe('ironcore server behaviour', () => {
  const prefix = (name: string) => ironcoreObj('Prefix', name, { spec: { prefix: '10.9.0.0/24' } }, IPAM);

  it('SRV-08: Prefix status.phase can be written by a plain main-resource merge patch', async () => {
    await ironcore.create(IPAM, 'prefixes', prefix('srv08-main'));
    await ironcore.mergePatch(IPAM, 'prefixes', 'srv08-main', { status: { phase: 'Allocated' } });
    expect((await ironcore.get(IPAM, 'prefixes', 'srv08-main'))['status'].phase).toBe('Allocated');
  });

  it('SRV-08: Prefix status.phase can be written through /status', async () => {
    await ironcore.create(IPAM, 'prefixes', prefix('srv08-status'));
    await ironcore.mergePatchStatus(IPAM, 'prefixes', 'srv08-status', { status: { phase: 'Allocated' } });
    expect((await ironcore.get(IPAM, 'prefixes', 'srv08-status'))['status'].phase).toBe('Allocated');
  });

  it('SRV-09: finalizers block deletion until the last one is removed', async () => {
    await ironcore.create(NETWORKING, 'networks', { ...ironcoreObj('Network', 'srv09'), metadata: { name: 'srv09', finalizers: ['apinet.ironcore.dev/network'] } });
    await ironcore.delete(NETWORKING, 'networks', 'srv09');
    const deleting = await ironcore.get(NETWORKING, 'networks', 'srv09');
    expect(deleting['metadata'].deletionTimestamp).toBeTruthy();
    await ironcore.mergePatch(NETWORKING, 'networks', 'srv09', { metadata: { finalizers: null } });
    expect((await rejection(ironcore.get(NETWORKING, 'networks', 'srv09'))).code).toBe(404);
  });

  it('SRV-09: generateName gives unique names, every create gets a uid', async () => {
    const body = { ...ironcoreObj('NetworkPolicy', ''), metadata: { generateName: 'np-' }, spec: { networkRef: { name: 'net' }, networkInterfaceSelector: {}, policyTypes: ['Ingress'] } };
    const [a, b] = await Promise.all([ironcore.create(NETWORKING, 'networkpolicies', body), ironcore.create(NETWORKING, 'networkpolicies', body)]);
    expect(a['metadata'].name).toMatch(/^np-/);
    expect(a['metadata'].name).not.toBe(b['metadata'].name);
    expect(a['metadata'].uid).toBeTruthy();
    expect(a['metadata'].uid).not.toBe(b['metadata'].uid);
  });

  it('ironcore validation: a NIC IP of the wrong family is 422 at spec.ips[0].value', async () => {
    const r = await rejection(ironcore.create(NETWORKING, 'networkinterfaces', ironcoreObj('NetworkInterface', 'bad-nic', {
      spec: { networkRef: { name: 'net' }, ipFamilies: ['IPv6'], ips: [{ value: '10.0.0.1' }] },
    })));
    expect(r.code).toBe(422);
    expect(r.body['reason']).toBe('Invalid');
    expect(r.body['details'].causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.ips[0].value', message: 'Invalid value: "10.0.0.1": expected ip family IPv6 but got IPv4' }]);
  });

  it('ironcore validation: a VirtualIP name must be a DNS label; NATGateway ports must be a power of 2', async () => {
    const vip = await rejection(ironcore.create(NETWORKING, 'virtualips', ironcoreObj('VirtualIP', 'a.b', { spec: { type: 'Public', ipFamily: 'IPv4' } })));
    expect(vip.code).toBe(422);
    expect(vip.body['details'].causes.map((c: Obj) => c['field'])).toContain('metadata.name');
    const ngw = await rejection(ironcore.create(NETWORKING, 'natgateways', ironcoreObj('NATGateway', 'ngw', { spec: { type: 'Public', ipFamily: 'IPv4', networkRef: { name: 'net' }, portsPerNetworkInterface: 100 } })));
    expect(ngw.code).toBe(422);
    expect(ngw.body['details'].causes.map((c: Obj) => c['field'])).toEqual(['spec.portsPerNetworkInterface']);
  });

  it('ironcore defaulting is visible over the wire: NATGateway ports 2048, Public LB ips dropped', async () => {
    const ngw = await ironcore.create(NETWORKING, 'natgateways', ironcoreObj('NATGateway', 'dflt', { spec: { type: 'Public', ipFamily: 'IPv4', networkRef: { name: 'net' } } }));
    expect(ngw['spec'].portsPerNetworkInterface).toBe(2048);
    const lb = await ironcore.create(NETWORKING, 'loadbalancers', ironcoreObj('LoadBalancer', 'dflt', { spec: { type: 'Public', networkRef: { name: 'net' }, ips: [{ value: '10.0.0.1' }] } }));
    expect(lb['spec'].ipFamilies).toEqual(['IPv4']);
    expect(lb['spec'].ips).toBeUndefined();
  });
});
