/** Fixtures of the resync integration tests: valid ironcore objects and a queue reader. */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ironcore, PRIMARY_KINDS, type PrimaryKind } from '../../../shared/api/resources.ts';
import type { KubeClient } from '../../../shared/kube/index.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import { parseQueueMessage, type QueueMessage } from '../../../shared/queue/message.ts';

const API = 'networking.ironcore.dev/v1alpha1';

/** A minimal valid spec per kind (ironcore-api.md); `net` is the Network the others name. */
export function specOf(kind: PrimaryKind, net = 'net'): Record<string, unknown> {
  switch (kind) {
    case 'Network':
      return {};
    case 'VirtualIP':
      return { type: 'Public', ipFamily: 'IPv4' };
    case 'NATGateway':
      return { type: 'Public', ipFamily: 'IPv4', networkRef: { name: net } };
    case 'LoadBalancer':
      return { type: 'Public', ipFamilies: ['IPv4'], networkRef: { name: net } };
    case 'NetworkPolicy':
      return { networkRef: { name: net }, networkInterfaceSelector: {}, policyTypes: ['Ingress'] };
    case 'NetworkInterface':
      return { networkRef: { name: net }, ipFamilies: ['IPv4'], ips: [{ value: '10.0.0.1' }] };
  }
}

export async function createIroncore(
  client: KubeClient,
  kind: PrimaryKind,
  namespace: string,
  name: string,
  meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): Promise<KubeObject> {
  return client.apply(ironcore[kind], { apiVersion: API, kind, metadata: { namespace, name, ...meta }, spec: specOf(kind) }, { fieldManager: 'test' });
}

/** Receives and deletes every message of the six queues until they stay empty; returns their bodies. */
export async function takeAll(sqs: SQSClient, queues: Record<PrimaryKind, string>): Promise<QueueMessage[]> {
  const out: QueueMessage[] = [];
  for (const kind of PRIMARY_KINDS) {
    let empties = 0;
    while (empties < 2) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues[kind], MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30 }));
      const msgs = r.Messages ?? [];
      if (msgs.length === 0) {
        empties++;
        continue;
      }
      empties = 0;
      for (const m of msgs) {
        const parsed = parseQueueMessage(m.Body ?? '');
        if (!parsed.ok) throw new Error(`queue ${kind}: unparsable message ${m.Body}: ${parsed.reason}`);
        out.push(parsed.message);
      }
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queues[kind], Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
    }
  }
  return out;
}

export const keyOf = (m: Pick<QueueMessage, 'kind' | 'namespace' | 'name'>) => `${m.kind} ${m.namespace}/${m.name}`;
