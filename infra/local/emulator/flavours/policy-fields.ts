/**
 * Parts of a NetworkPolicy rule that the ironcore and apinet API servers validate alike (a peer
 * and a port); the two servers differ only in which object kinds a peer may select.
 */
import type { FieldCause } from '../types.ts';
import { asArray, asRecord, enumCheck, forbidden, invalid, labelSelector } from './field.ts';
import { parsePrefix, prefixContains } from './netip.ts';

const present = (v: unknown) => v !== undefined && v !== null;

/** One peer at `r`: an objectSelector of one of `kinds` or an ipBlock (a valid CIDR whose excepts it contains), not both. */
export function policyPeer(peer: unknown, r: string, kinds: readonly string[]): FieldCause[] {
  const p = asRecord(peer);
  if (present(p['objectSelector']) && present(p['ipBlock'])) return [forbidden(`${r}.ipBlock`, 'cannot specify multiple peers')];
  const out: FieldCause[] = [];
  if (present(p['objectSelector'])) {
    const sel = asRecord(p['objectSelector']);
    out.push(...enumCheck(sel['kind'], kinds, `${r}.objectSelector.kind`, 'must specify kind'));
    out.push(...labelSelector(sel, `${r}.objectSelector`));
  }
  if (present(p['ipBlock'])) {
    const b = asRecord(p['ipBlock']);
    const cidr = typeof b['cidr'] === 'string' ? parsePrefix(b['cidr']) : undefined;
    if (!cidr) return [...out, invalid(`${r}.ipBlock.cidr`, b['cidr'] ?? null, 'must specify valid cidr')];
    asArray(b['except']).forEach((ev, n) => {
      const ex = typeof ev === 'string' ? parsePrefix(ev) : undefined;
      if (!ex) out.push(invalid(`${r}.ipBlock.except[${n}]`, ev ?? null, 'must specify valid except value'));
      else if (!prefixContains(cidr, ex)) out.push(forbidden(`${r}.ipBlock.except[${n}]`, `cidr ${b['cidr']} does not contain except ${ev}`));
    });
  }
  return out;
}

/** One port at `q`: port 0 (any) or 1–65535; endPort only with a port and not below it; a known protocol. */
export function policyPort(port: unknown, q: string): FieldCause[] {
  const p = asRecord(port);
  const out: FieldCause[] = [];
  const n = Number(p['port'] ?? 0);
  if (n !== 0 && !(Number.isInteger(n) && n >= 1 && n <= 65535)) out.push(invalid(`${q}.port`, n, 'must be between 1 and 65535, inclusive'));
  if (present(p['endPort'])) {
    if (n === 0) out.push(forbidden(`${q}.endPort`, 'must not specify endPort without port'));
    else if (Number(p['endPort']) < n) out.push(forbidden(`${q}.endPort`, `endPort ${p['endPort']} must not be smaller than port ${n}`));
  }
  if (present(p['protocol'])) out.push(...enumCheck(p['protocol'], ['SCTP', 'TCP', 'UDP'], `${q}.protocol`, 'must specify protocol'));
  return out;
}
