import type { PrimaryKind } from '../../../shared/api/resources.ts';
import type { QueueMessage } from '../../../shared/queue/message.ts';
import type { Enqueuer } from '../../../shared/queue/enqueue.ts';

export const TOKEN = 's3cret-token';

const plural: Record<PrimaryKind, string> = {
  Network: 'networks',
  LoadBalancer: 'loadbalancers',
  NATGateway: 'natgateways',
  NetworkPolicy: 'networkpolicies',
  VirtualIP: 'virtualips',
  NetworkInterface: 'networkinterfaces',
};

/** A valid object of each primary kind (shapes from ironcore-api.md section 4). */
export function ironcoreObject(kind: PrimaryKind, name = `my-${kind.toLowerCase()}`): Record<string, any> {
  const spec: Record<PrimaryKind, unknown> = {
    Network: { peerings: [] },
    LoadBalancer: { type: 'Public', ipFamilies: ['IPv4'], networkRef: { name: 'net' }, ports: [{ port: 443 }] },
    NATGateway: { type: 'Public', ipFamily: 'IPv4', networkRef: { name: 'net' } },
    NetworkPolicy: {
      networkRef: { name: 'net' },
      networkInterfaceSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ objectSelector: { kind: 'NetworkInterface', matchLabels: { app: 'web' } } }] }],
      policyTypes: ['Ingress'],
    },
    VirtualIP: { type: 'Public', ipFamily: 'IPv4' },
    NetworkInterface: {
      networkRef: { name: 'net' },
      ipFamilies: ['IPv4'],
      ips: [{ value: '10.0.0.5' }],
      providerID: 'ironcore-net://apinet-ns/nic-abc/node-1/9c7e5d1a-1111-4111-8111-000000000003',
    },
  };
  return {
    apiVersion: 'networking.ironcore.dev/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '41' },
    spec: structuredClone(spec[kind]),
  };
}

export interface ReviewOptions {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  object?: Record<string, any> | null;
  oldObject?: Record<string, any> | null;
  dryRun?: boolean;
  uid?: string;
  subResource?: string;
}

/** An AdmissionReview as kube-api.md 11.4 shows it. */
export function review(kind: PrimaryKind, opts: ReviewOptions): Record<string, any> {
  const subject = opts.object ?? opts.oldObject;
  return {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid: opts.uid ?? crypto.randomUUID(),
      kind: { group: 'networking.ironcore.dev', version: 'v1alpha1', kind },
      resource: { group: 'networking.ironcore.dev', version: 'v1alpha1', resource: plural[kind] },
      ...(opts.subResource ? { subResource: opts.subResource } : {}),
      name: subject?.metadata?.name,
      namespace: subject?.metadata?.namespace ?? 'default',
      operation: opts.operation,
      userInfo: { username: 'tester', groups: ['system:authenticated'] },
      object: opts.object ?? null,
      oldObject: opts.oldObject ?? null,
      dryRun: opts.dryRun ?? false,
    },
  };
}

/** An in-memory queue; `fail` makes every enqueue reject like an unreachable SQS. */
export class MemoryQueue implements Enqueuer {
  readonly messages: QueueMessage[] = [];
  fail = false;
  async enqueue(messages: QueueMessage[]): Promise<void> {
    if (this.fail) throw new Error('queue unreachable');
    this.messages.push(...messages);
  }
}

export function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://webhook.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function decodePatch(patch: string): unknown {
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(patch), (ch) => ch.charCodeAt(0))));
}
