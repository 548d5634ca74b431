/**
 * Fixtures of the NetworkInterface integration tests: the parts other components play in a real
 * installation (SIM-06 apinet NICs and provider IDs, SIM-07 apinet NIC status, the VirtualIP
 * controller's apinet IP and `status.ip`, the ipam controller's Prefix phase), written straight
 * into the emulated clusters.
 */
import { randomUUID } from 'node:crypto';
import type { ApinetNetworkInterface as ApinetNic } from '../../../shared/api/apinet.ts';
import type { IroncoreNetworkInterface as IroncoreNic, IroncoreVirtualIP as IroncoreVip } from '../../../shared/api/ironcore.ts';
import { formatNetworkInterfaceProviderId } from '../../../shared/api/provider-id.ts';
import { apinet, apiVersionOf, ironcore, type ResourceInfo } from '../../../shared/api/resources.ts';
import { createKubeClient, loadKubeConfig } from '../../../shared/kube/index.ts';
import { kubeConfigTransport } from '../../../shared/kube/transport.ts';
import type { KubeObject } from '../../../shared/kube/types.ts';
import type { QueueMessage } from '../../../shared/queue/message.ts';
import type { ReconcileResult } from '../../../shared/queue/result.ts';
import { reconcilerFor, type KindReconciler } from '../../../shared/reconcile/runtime.ts';
import { deliverOnce } from '../../../shared/queue/delivery.ts';
import { networkInterfaceReconciler } from '../../../shared/reconcile/networkinterface.ts';
import { APINET_NAMESPACE, testReconcileContext, type Harness } from '../harness.ts';

export const ANS = APINET_NAMESPACE;
// The zod types allow `null` metadata where KubeObject does not; stored objects carry none.
type ApinetNetworkInterface = ApinetNic & KubeObject;
type IroncoreNetworkInterface = IroncoreNic & KubeObject;
type IroncoreVirtualIP = IroncoreVip & KubeObject;
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

export function nicFixtures(h: Harness) {
  const body = (res: ResourceInfo, namespace: string, name: string, rest: Record<string, unknown>): KubeObject => ({
    apiVersion: apiVersionOf(res),
    kind: res.kind,
    metadata: { name, namespace, ...((rest.metadata as object) ?? {}) },
    ...Object.fromEntries(Object.entries(rest).filter(([k]) => k !== 'metadata')),
  });

  const f = {
    /** SIM-06: the machine-pool provider's apinet NIC. */
    async apinetNic(name: string, extra: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> } = {}): Promise<ApinetNetworkInterface> {
      const obj = body(apinet.NetworkInterface, ANS, name, {
        metadata: extra.metadata ?? {},
        spec: { nodeRef: { name: 'node-1' }, networkRef: { name: 'apinet-net' }, ips: ['192.168.0.10'], ...extra.spec },
      });
      return h.apinet.apply<ApinetNetworkInterface>(apinet.NetworkInterface, obj, { fieldManager: 'machinepool', force: true });
    },
    /** SIM-07: metalnetlet reports the apinet NIC state and effective public IPs. */
    async apinetNicStatus(name: string, status: Record<string, unknown>): Promise<void> {
      await h.apinet.mergePatch(apinet.NetworkInterface, ANS, name, { status }, { subresource: 'status' });
    },
    getApinetNic: (name: string) => h.apinet.get<ApinetNetworkInterface>(apinet.NetworkInterface, ANS, name),
    providerId: (n: ApinetNetworkInterface, node = 'node-1') =>
      formatNetworkInterfaceProviderId({ namespace: ANS, name: n.metadata.name!, node, uid: n.metadata.uid! }),

    async nic(ns: string, name: string, spec: Record<string, unknown> = {}): Promise<IroncoreNetworkInterface> {
      const obj = body(ironcore.NetworkInterface, ns, name, {
        spec: { networkRef: { name: 'net' }, ipFamilies: ['IPv4'], ips: [{ value: '192.168.0.10' }], ...spec },
      });
      return h.ironcore.apply<IroncoreNetworkInterface>(ironcore.NetworkInterface, obj, { fieldManager: 'test', force: true });
    },
    patchNic: (ns: string, name: string, patch: Record<string, unknown>) => h.ironcore.mergePatch(ironcore.NetworkInterface, ns, name, patch),
    getNic: (ns: string, name: string) => h.ironcore.get<IroncoreNetworkInterface>(ironcore.NetworkInterface, ns, name),
    getVip: (ns: string, name: string) => h.ironcore.get<IroncoreVirtualIP>(ironcore.VirtualIP, ns, name),
    getIp: (name: string) => h.apinet.get(apinet.IP, ANS, name),

    /** A VirtualIP as the VirtualIP controller leaves it: apinet IP `ANS/<vip uid>` allocated (SRV-02), `status.ip` set. */
    async virtualIP(ns: string, name: string, targetRef?: { name: string; uid: string }): Promise<{ vip: IroncoreVirtualIP; ip: string }> {
      const vip = await h.ironcore.apply<IroncoreVirtualIP>(
        ironcore.VirtualIP,
        body(ironcore.VirtualIP, ns, name, { spec: { type: 'Public', ipFamily: 'IPv4', ...(targetRef ? { targetRef } : {}) } }),
        { fieldManager: 'test', force: true },
      );
      const ipObj = await h.apinet.apply(apinet.IP, body(apinet.IP, ANS, vip.metadata.uid!, { spec: { type: 'Public', ipFamily: 'IPv4' } }), {
        fieldManager: 'virtualip-controller',
        force: true,
      });
      const ip = (ipObj.spec as { ip: string }).ip;
      await h.ironcore.mergePatch(ironcore.VirtualIP, ns, name, { status: { ip } }, { subresource: 'status' });
      return { vip: (await f.getVip(ns, name))!, ip };
    },

    /** SIM-03: an ipam Prefix with `status.phase = Allocated`. */
    async allocatedPrefix(ns: string, name: string, prefix: string): Promise<void> {
      await h.ironcore.apply(ironcore.Prefix, body(ironcore.Prefix, ns, name, { spec: { ipFamily: 'IPv4', prefix } }), { fieldManager: 'test', force: true });
      await h.ironcore.mergePatch(ironcore.Prefix, ns, name, { status: { phase: 'Allocated' } }, { subresource: 'status' });
    },

    reconcile: (ns: string, name: string) => h.reconcile(networkInterfaceReconciler, ns, name),
    /** One real SQS delivery of one message for the key (for asserting a state between failures). */
    async deliverOnce(ns: string, name: string) {
      await h.trigger('NetworkInterface', ns, name);
      return deliverOnce({ sqs: h.sqsApi, queueUrl: h.sqs.queues.NetworkInterface, handler: h.handlerFor(networkInterfaceReconciler) });
    },
    async namespace(): Promise<string> {
      const ns = `nic-${randomUUID().slice(0, 8)}`;
      await h.namespace(ns);
      return ns;
    },

    resetCounters() {
      h.ironcoreEmulator.counters.reset();
      h.apinetEmulator.counters.reset();
    },
    /** API calls per cluster since the last reset, and the writes among them (all NIC writes are merge patches, none is an apply). */
    calls() {
      const sum = (c: typeof h.ironcoreEmulator.counters) => ({
        total: c.get(),
        writes: WRITE_VERBS.reduce((n, v) => n + c.get(v), 0),
        detail: c.snapshot(),
      });
      return { ironcore: sum(h.ironcoreEmulator.counters), apinet: sum(h.apinetEmulator.counters) };
    },
  };
  return f;
}

/** One apinet request a reconcile sent, as the transport saw it. */
export interface ObservedRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly labelSelector: string | undefined;
  /** `items` of a LIST answer (undefined for other answers). */
  readonly items: number | undefined;
  readonly bytes: number;
}

/**
 * Runs reconciles with an apinet client whose transport records every request (method, path,
 * labelSelector, list size), wrapping the real kubeconfig transport: what the function sends, not
 * a mock. The ironcore client is the harness' one.
 */
export function observedApinet(h: Harness) {
  const kc = loadKubeConfig(h.apinetEmulator.kubeconfig(), 'apinet kubeconfig');
  const base = kubeConfigTransport(kc, 15_000);
  const requests: ObservedRequest[] = [];
  const apinetClient = createKubeClient(kc, {
    transport: async (req, ctx) => {
      const answer = await base(req, ctx);
      const url = new URL(req.path, 'http://x');
      const parsed = req.method === 'GET' && answer.body ? (JSON.parse(answer.body) as { items?: unknown[] }) : undefined;
      requests.push({
        method: req.method,
        path: url.pathname,
        labelSelector: url.searchParams.get('labelSelector') ?? undefined,
        items: Array.isArray(parsed?.items) ? parsed.items.length : undefined,
        bytes: answer.body.length,
      });
      return answer;
    },
  });
  const env = { ...h.env, apinet: apinetClient };
  return {
    requests,
    /** LIST requests (GETs of a collection path) since the last `clear`. */
    lists: (plural: string) => requests.filter((r) => r.method === 'GET' && r.items !== undefined && r.path.endsWith(`/${plural}`)),
    clear: () => void requests.splice(0),
    /** One reconcile of the key, as the reconcile function runs it (lifecycle, finalizer, metrics). */
    reconcile<T extends KubeObject>(reconciler: KindReconciler<T>, namespace: string, name: string): Promise<ReconcileResult> {
      const msg: QueueMessage = { v: 1, kind: reconciler.kind, namespace, name, source: 'resync' };
      return reconcilerFor(reconciler, env)(msg, testReconcileContext());
    },
  };
}
