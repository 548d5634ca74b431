/**
 * When is an ironcore object "converged"? Read-only checks shared by the demo's progress view,
 * the e2e tests and the benchmark, so all three mean the same thing. Per kind (behavior.md 3):
 * the finalizer is on (R-GEN-01), the apinet projection named after the UID exists (2.1), and
 * what apinetlet reports back is there — Network providerID + Available (R-NET-01), VirtualIP
 * status.ip (R-VIP-02), LoadBalancer status.ips (R-LB-01), NetworkInterface Available (R-NIC-02).
 */
import { finalizerOf } from '../../../shared/api/origin.ts';
import { apinet as apinetRes, ironcore as ironcoreRes, type PrimaryKind } from '../../../shared/api/resources.ts';
import type { KubeClient, KubeObject } from '../../../shared/kube/index.ts';

export interface Clusters {
  ironcore: KubeClient;
  apinet: KubeClient;
  apinetNamespace: string;
}

export interface ObjectProgress {
  kind: PrimaryKind;
  namespace: string;
  name: string;
  /** Short human state, e.g. `Available`, `ip 10.0.0.1`, `waiting: finalizer`. */
  state: string;
  converged: boolean;
}

/** The apinet kind each ironcore kind projects to (NetworkInterface: claimed, not created). */
export const PROJECTION: Record<PrimaryKind, keyof typeof apinetRes> = {
  Network: 'Network',
  LoadBalancer: 'LoadBalancer',
  NATGateway: 'NATGateway',
  NetworkPolicy: 'NetworkPolicy',
  VirtualIP: 'IP',
  NetworkInterface: 'NetworkInterface',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const spec = (o: KubeObject) => (o.spec ?? {}) as Record<string, unknown>;
const status = (o: KubeObject) => (o.status ?? {}) as Record<string, unknown>;

/** What is still missing for a live object whose projection was read (pure). */
export function progressOf(kind: PrimaryKind, obj: KubeObject, projection: KubeObject | undefined): { state: string; converged: boolean } {
  if (!(obj.metadata.finalizers ?? []).includes(finalizerOf(kind))) return { state: 'waiting: finalizer', converged: false };
  const pending = (state: string) => ({ state, converged: false });
  switch (kind) {
    case 'Network': {
      if (!str(spec(obj).providerID)) return pending('waiting: providerID');
      const state = str(status(obj).state) ?? 'no state';
      return { state, converged: state === 'Available' && !!projection };
    }
    case 'VirtualIP': {
      const ip = str(status(obj).ip);
      return ip && projection ? { state: `ip ${ip}`, converged: true } : pending('waiting: status.ip');
    }
    case 'LoadBalancer': {
      const ips = (status(obj).ips as string[] | undefined) ?? [];
      return ips.length && projection ? { state: `ips ${ips.join(',')}`, converged: true } : pending('waiting: status.ips');
    }
    case 'NetworkInterface': {
      const state = str(status(obj).state) ?? 'no state';
      return { state, converged: state === 'Available' && !!projection };
    }
    case 'NATGateway':
    case 'NetworkPolicy':
      return projection ? { state: 'projected', converged: true } : pending('waiting: apinet object');
  }
}

/** The apinet object an ironcore object is projected to (NetworkInterface: the one it claims). */
export async function projectionOf(c: Clusters, kind: PrimaryKind, obj: KubeObject): Promise<KubeObject | undefined> {
  const res = apinetRes[PROJECTION[kind]];
  if (kind === 'NetworkInterface') {
    const providerID = str(spec(obj).providerID);
    const uid = providerID?.split('/').pop();
    const name = providerID?.split('/').at(-3);
    if (!uid || !name) return undefined;
    const nic = await c.apinet.get(res, c.apinetNamespace, name);
    return nic?.metadata.uid === uid ? nic : undefined;
  }
  if (!obj.metadata.uid) return undefined;
  return c.apinet.get(res, c.apinetNamespace, obj.metadata.uid);
}

export async function observe(c: Clusters, kind: PrimaryKind, namespace: string, name: string): Promise<ObjectProgress> {
  const obj = await c.ironcore.get(ironcoreRes[kind], namespace, name);
  if (!obj) return { kind, namespace, name, state: 'not found', converged: false };
  if (obj.metadata.deletionTimestamp) return { kind, namespace, name, state: 'deleting', converged: false };
  return { kind, namespace, name, ...progressOf(kind, obj, await projectionOf(c, kind, obj)) };
}

/** Polls until every object converged or `timeoutMs` passes; resolves with the last observation. */
export async function waitConverged(
  c: Clusters,
  keys: { kind: PrimaryKind; namespace: string; name: string }[],
  opts: { timeoutMs?: number; intervalMs?: number; onProgress?: (p: ObjectProgress[]) => void } = {},
): Promise<ObjectProgress[]> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const seen = await Promise.all(keys.map((k) => observe(c, k.kind, k.namespace, k.name)));
    opts.onProgress?.(seen);
    if (seen.every((p) => p.converged) || Date.now() > deadline) return seen;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
