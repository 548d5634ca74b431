/**
 * Differences between the Go apinetlet and this project that behavior.md fixes on purpose. Each
 * entry names its rule and rewrites only the shape of difference that rule produces (usually the
 * Go side's value into what the rule makes of it); a difference is explained when the two values
 * are equal after the entries that apply, and it then names the entries that changed something.
 * Anything else is a real difference and fails the step.
 */
import type { Op } from './ops.ts';
import type { Difference, Snapshot } from './snapshot.ts';
import type { SideName } from './sides.ts';

export interface AllowContext {
  history: Op[];
  go: Snapshot;
  ts: Snapshot;
}

export interface Allowance {
  /** The rule of behavior.md (or ironcore-net release) behind the difference. */
  rule: string;
  why: string;
  /** Snapshot keys the entry looks at. */
  applies(key: string): boolean;
  /** The value as the rule would have it (returns it unchanged when the rule has nothing to say). */
  normalise(side: SideName, value: unknown, ctx: AllowContext, key: string): unknown;
}

const ORIGIN_NAME = /^apinetlet\.ironcore\.dev\/[a-z]+-name$/;

export const ALLOWANCES: Allowance[] = [
  {
    rule: 'R-MIG-01 / behavior.md 2.2 (origin name annotation)',
    why:
      'ironcore-net v0.3.0 writes the origin name as the label apinetlet.ironcore.dev/<kind>-name; behavior.md 2.2 ' +
      'puts it in an annotation of the same key (the layout R-MIG-01 migrates to; names longer than 63 characters ' +
      'do not fit a label value).',
    applies: (key) => key.startsWith('apinet '),
    normalise: (side, value) => (side === 'go' ? nameLabelToAnnotation(value) : value),
  },
  {
    rule: 'apinet-api.md §6.3 (server: ephemeral IP of a LoadBalancer released by ipaddressgc)',
    why:
      "Not a controller difference: ironcore-net's ipaddressgc checks an IPAddress's claimer (the LoadBalancer's " +
      'ephemeral IP object) with a live GET and can find it missing in the moment between the two creates, so it ' +
      'releases the address and the IP object goes, while the LoadBalancer keeps the address. It happens on either ' +
      'side, at random (seen with kubectl applying the same body too). The LoadBalancer entry, its address and the ' +
      'ironcore status are still compared; only the server-made IP object is left out.',
    applies: (key) => key.startsWith('apinet IP '),
    normalise: (_side, value) =>
      value && typeof value === 'object' && ((value as { ownerReferences?: { kind?: string }[] }).ownerReferences ?? []).some((r) => r.kind === 'LoadBalancer') ? undefined : value,
  },
  {
    rule: 'ironcore-net v0.3.0 ipallocator (server: an IP object left behind by a reverted NATGateway update)',
    why:
      "Not a controller difference: ironcore-net's apiserver creates the IP object of a new NATGateway entry inside " +
      "the update (ipallocator AllocateUpdate); when the update fails (the NAT autoscaler's optimistic-lock patch " +
      'conflicting with another write of the gateway), its RevertFunc releases the old addresses instead of the ' +
      'allocated ones, so the new IP object stays, claimed and owned by the gateway but in none of its spec.ips ' +
      "entries. Which update conflicts is the server's timing, on either side. snapshot.ts names such an IP object " +
      '`<IP leaked by …>`; only it is left out — the gateway, its entries and the IP objects of its entries are compared.',
    applies: (key) => key.startsWith('apinet IP <IP leaked by '),
    normalise: () => undefined,
  },
  {
    rule: "ironcore-net v0.3.0 controller-manager (server: which of a network's NATGateways claims a NIC)",
    why:
      "Not a controller difference: a NetworkInterface's spec.natGateways claim is written by ironcore-net's " +
      'controller-manager (natgateway controller, manageNATTable → ClaimNetworkInterfaceNAT; field manager ' +
      'apinet-controller-manager on both sides), not by an apinetlet. With several NATGateways in one network, each ' +
      'one enqueued by a new NIC tries to claim it and the first reconcile wins, which is the workqueue order of the ' +
      'server. The claim is compared as "a NATGateway of the NIC\'s own network" (the claimer must exist there).',
    applies: (key) => key.startsWith('apinet NetworkInterface '),
    normalise(side, value, ctx) {
      const v = value as { spec?: { networkRef?: { name?: string }; natGateways?: { claimRef?: { name?: string; uid?: string } }[] } } | undefined;
      const network = v?.spec?.networkRef?.name;
      if (!v?.spec?.natGateways?.length || !network) return value;
      const ofNetwork = (name: string | undefined) =>
        ((ctx[side][`apinet NATGateway ${name}`] as { spec?: { networkRef?: { name?: string } } } | undefined)?.spec?.networkRef?.name ?? null) === network;
      return {
        ...v,
        spec: {
          ...v.spec,
          natGateways: v.spec.natGateways.map((g) =>
            g.claimRef && ofNetwork(g.claimRef.name) ? { ...g, claimRef: { ...g.claimRef, name: `<a NATGateway of ${network}>`, uid: `<a NATGateway of ${network}>` } } : g,
          ),
        },
      };
    },
  },
  {
    rule: 'R-NIC-05 (first claim wins: which of several NICs waiting for a released VirtualIP claims it)',
    why:
      'R-NIC-05 leaves a VirtualIP that targets another object alone, so NICs that reference a claimed VirtualIP ' +
      'wait; when the holder lets it go, the first of them to reconcile claims it. Which one is first is each ' +
      "controller's queue order, not a rule: the Go apinetlet enqueues the waiting NICs from its informer's " +
      'namespace index (a set, no order) and reconciles them one by one; this project reconciles the keys the ' +
      "VirtualIP's watch event enqueued concurrently. The claim is compared as \"a NIC that references this " +
      'VirtualIP" (from the operation history) when at least two do; a NIC that does not reference it stays a difference.',
    applies: (key) => key.startsWith('ironcore VirtualIP '),
    normalise(_side, value, ctx, key) {
      const v = value as { targetRef?: { name?: string; uid?: string } } | undefined;
      const claimer = v?.targetRef?.name;
      if (!claimer) return value;
      const [ns, vip] = key.slice('ironcore VirtualIP '.length).split('/') as [string, string];
      const waiting = nicsReferencing(ctx.history, ns, vip);
      if (waiting.size < 2 || !waiting.has(claimer)) return value;
      const any = `<a NetworkInterface of ${ns} referencing ${vip}>`;
      return { ...v, targetRef: { ...v!.targetRef, name: any, uid: any } };
    },
  },
  {
    rule: 'apinet-api.md §6.3 (server: a released LoadBalancer address handed to the next claimer)',
    why:
      "The consequence of the entry above: once ipaddressgc has released a LoadBalancer's ephemeral IP, the pool " +
      'gives the address to the next claimer (a VirtualIP, a NATGateway) while the LoadBalancer still lists it, so on ' +
      "that side the address is named after its other holder. Where that happens is the server's race, not a " +
      'controller decision; the LoadBalancer entry is then compared by its own name.',
    applies: (key) => key.startsWith('apinet LoadBalancer ') || key.startsWith('ironcore LoadBalancer '),
    normalise(side, value, ctx, key) {
      if (!value || typeof value !== 'object') return value;
      // Held by another: named by an IP object, or by another LoadBalancer's entry (the pool gave the
      // released address to a second LoadBalancer, and list order picks which one names it).
      const heldBy = (lb: string) => (ip: unknown) => typeof ip === 'string' && (ip.startsWith('<ip of ') || (/^<ip \S+ of LoadBalancer /.test(ip) && !ip.endsWith(` of LoadBalancer ${lb}>`)));
      if (key.startsWith('apinet ')) {
        const lb = key.slice('apinet LoadBalancer '.length);
        const held = heldBy(lb);
        const v = value as { spec?: { ips?: { name?: string; ip?: string }[] } };
        if (!v.spec?.ips?.some((e) => held(e.ip))) return value;
        return { ...v, spec: { ...v.spec, ips: v.spec.ips.map((e) => (held(e.ip) ? { ...e, ip: `<ip ${e.name} of LoadBalancer ${lb}>` } : e)) } };
      }
      const [ns, name] = key.slice('ironcore LoadBalancer '.length).split('/');
      const lb = `<LoadBalancer/${ns}/${name}>`;
      const held = heldBy(lb);
      const v = value as { status?: { ips?: string[] } };
      if (!v.status?.ips?.some(held)) return value;
      const entries = ((ctx[side][`apinet LoadBalancer ${lb}`] as { spec?: { ips?: { name?: string }[] } } | undefined)?.spec?.ips ?? []);
      return { ...v, status: { ...v.status, ips: v.status.ips.map((ip, i) => (held(ip) ? `<ip ${entries[i]?.name ?? 'ipv4'} of LoadBalancer ${lb}>` : ip)) } };
    },
  },
];

/** The NICs of `ns` whose latest operation names `vip` as their VirtualIP (deleted NICs and namespaces left out). */
export function nicsReferencing(history: readonly Op[], ns: string, vip: string): Set<string> {
  const refs = new Map<string, string | undefined>();
  for (const op of history) {
    if (op.op === 'ns.delete' && op.ns === ns) refs.clear();
    else if ((op.op === 'nic.create' || op.op === 'nic.vip') && op.ns === ns) refs.set(op.name, op.vip);
    else if (op.op === 'delete' && op.kind === 'NetworkInterface' && op.ns === ns) refs.delete(op.name);
  }
  return new Set([...refs].filter(([, v]) => v === vip).map(([n]) => n));
}

/**
 * Everywhere in the value: an origin-name key in a `labels` map moves to the `annotations` map
 * beside it; in a `matchLabels` map (selectors over those labels) it is dropped.
 */
function nameLabelToAnnotation(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(nameLabelToAnnotation);
  if (!v || typeof v !== 'object') return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) o[k] = nameLabelToAnnotation(x);
  for (const key of ['labels', 'matchLabels'] as const) {
    const labels = o[key] as Record<string, string> | undefined;
    if (!labels || typeof labels !== 'object') continue;
    const names = Object.keys(labels).filter((k) => ORIGIN_NAME.test(k));
    if (!names.length) continue;
    const kept = { ...labels };
    for (const k of names) delete kept[k];
    o[key] = kept;
    if (key === 'labels') o.annotations = sortKeys({ ...((o.annotations as Record<string, string>) ?? {}), ...Object.fromEntries(names.map((k) => [k, labels[k]!])) });
  }
  return sortKeys(o);
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** The rules that explain `d` together, or undefined when it stays a difference. */
export function explain(d: Difference, ctx: AllowContext): { rules: string[]; go: unknown; ts: unknown } | { rules?: undefined; go: unknown; ts: unknown } {
  let { go, ts } = d;
  const rules: string[] = [];
  for (const a of ALLOWANCES) {
    if (!a.applies(d.key)) continue;
    const g = a.normalise('go', go, ctx, d.key);
    const t = a.normalise('ts', ts, ctx, d.key);
    if (JSON.stringify(g) !== JSON.stringify(go) || JSON.stringify(t) !== JSON.stringify(ts)) rules.push(a.rule);
    go = g;
    ts = t;
  }
  return JSON.stringify(go) === JSON.stringify(ts) ? { rules, go, ts } : { go, ts };
}
