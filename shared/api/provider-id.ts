import { isDNS1123Subdomain } from './names.ts';

/**
 * Provider IDs (behavior.md 2.4, R-PROV-01..03, apinet-api.md 8.6):
 * NIC `ironcore-net://<namespace>/<name>/<node>/<uid>`,
 * Network `ironcore-net://<namespace>/<name>/<id>/<uid>`.
 * Parsing strips an optional prefix and needs exactly four `/`-separated segments.
 */

export const PROVIDER_ID_PREFIX = 'ironcore-net://';

export type ProviderIdFormat = 'NetworkInterface' | 'Network';

/** A provider ID that does not parse; the message contains the input (fixing R-PROV-02's Go quirk). */
export class ProviderIdError extends Error {
  override readonly name = 'ProviderIdError';
  constructor(
    readonly format: ProviderIdFormat,
    readonly input: string,
    readonly problem: string,
  ) {
    super(`invalid ${format} provider ID ${JSON.stringify(input)}: ${problem}`);
  }
}

export interface NetworkInterfaceProviderId {
  namespace: string;
  name: string;
  /** apinet Node hosting the NIC; a DNS-1123 subdomain. */
  node: string;
  uid: string;
}

export interface NetworkProviderId {
  namespace: string;
  name: string;
  /** The network's VNI (`spec.id`) as a decimal string. */
  id: string;
  uid: string;
}

function fourSegments(format: ProviderIdFormat, input: string): [string, string, string, string] {
  if (typeof input !== 'string') throw new ProviderIdError(format, String(input), 'expected a string');
  const rest = input.startsWith(PROVIDER_ID_PREFIX) ? input.slice(PROVIDER_ID_PREFIX.length) : input;
  const parts = rest.split('/');
  if (parts.length !== 4) {
    const shape = format === 'Network' ? '<namespace>/<name>/<id>/<uid>' : '<namespace>/<name>/<node>/<uid>';
    throw new ProviderIdError(format, input, `expected 4 '/'-separated parts (${PROVIDER_ID_PREFIX}${shape}), found ${parts.length}`);
  }
  return parts as [string, string, string, string];
}

export function formatNetworkInterfaceProviderId(id: NetworkInterfaceProviderId): string {
  return `${PROVIDER_ID_PREFIX}${id.namespace}/${id.name}/${id.node}/${id.uid}`;
}

/** R-PROV-01: four segments and a DNS-1123 subdomain node; namespace, name and uid are not checked (as in Go). */
export function parseNetworkInterfaceProviderId(input: string): NetworkInterfaceProviderId {
  const [namespace, name, node, uid] = fourSegments('NetworkInterface', input);
  if (!isDNS1123Subdomain(node)) {
    throw new ProviderIdError('NetworkInterface', input, `node ${JSON.stringify(node)} is not a DNS-1123 subdomain (lower-case alphanumerics, '-' and '.')`);
  }
  return { namespace, name, node, uid };
}

/** Like `parseNetworkInterfaceProviderId` but `undefined` for an unparsable ID (LB destinations without a target). */
export function tryParseNetworkInterfaceProviderId(input: string | null | undefined): NetworkInterfaceProviderId | undefined {
  if (!input) return undefined;
  try {
    return parseNetworkInterfaceProviderId(input);
  } catch (err) {
    if (err instanceof ProviderIdError) return undefined;
    throw err;
  }
}

export function formatNetworkProviderId(id: NetworkProviderId): string {
  return `${PROVIDER_ID_PREFIX}${id.namespace}/${id.name}/${id.id}/${id.uid}`;
}

/** R-PROV-02: four segments, no validation of the segments. */
export function parseNetworkProviderId(input: string): NetworkProviderId {
  const [namespace, name, id, uid] = fourSegments('Network', input);
  return { namespace, name, id, uid };
}
