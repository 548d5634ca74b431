import type { KubeClient } from '../kube/client.ts';
import type { Lookups } from './lookups.ts';
import type { KubeObject } from './object.ts';

/** Production lookups: paginated LISTs through the two cluster clients (memory per page, not per cluster). */
export function kubeLookups(clients: { ironcore: KubeClient; apinet: KubeClient }): Lookups {
  const collect = async (items: AsyncIterable<unknown>): Promise<KubeObject[]> => {
    const out: KubeObject[] = [];
    for await (const item of items) out.push(item as KubeObject);
    return out;
  };
  return {
    listIroncore: (res, namespace) => collect(clients.ironcore.listAll(res, { namespace })),
    listApinet: (res, namespace, labelSelector) =>
      collect(clients.apinet.listAll(res, { namespace, ...(labelSelector ? { labelSelector } : {}) })),
  };
}
