/**
 * Discovery (legacy format only, kube-api.md §1.2–1.4) and the minimal OpenAPI v3 that lets
 * kubectl's default validation pass for create/apply/replace (§1.6).
 */
import { createHash } from 'node:crypto';
import type { KindDef } from './types.ts';
import type { Kinds } from './kinds.ts';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const versionInfo = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const gv = (group: string, version: string) => (group ? `${group}/${version}` : version);

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string, versions: string[]) {
  const vs = versions.map((version) => ({ groupVersion: gv(group, version), version }));
  return { name: group, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(kinds: Kinds) {
  const groups = new Map<string, string[]>();
  for (const g of kinds.groupVersions()) if (g.group) groups.set(g.group, [...(groups.get(g.group) ?? []), g.version]);
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups].map(([g, vs]) => apiGroup(g, vs)) };
}

export function apiGroupDoc(kinds: Kinds, group: string) {
  const versions = kinds.groupVersions().filter((g) => g.group === group).map((g) => g.version);
  return versions.length ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) } : undefined;
}

function storageVersionHash(k: KindDef): string {
  return createHash('sha256').update(`${k.group}/${k.version}/${k.kind}`).digest('base64').slice(0, 11);
}

/** §1.2: the main resource first, then `/status` (client-node takes the first kind match). */
export function apiResourceList(kinds: Kinds, group: string, version: string) {
  const ks = kinds.all.filter((k) => k.group === group && k.version === version);
  if (!ks.length) return undefined;
  const resources = ks.flatMap((k) => [
    {
      name: k.resource,
      singularName: k.singular,
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: VERBS,
      ...(k.shortNames?.length ? { shortNames: k.shortNames } : {}),
      storageVersionHash: storageVersionHash(k),
    },
    ...(k.statusSubresource ? [{ name: `${k.resource}/status`, singularName: '', namespaced: k.namespaced, kind: k.kind, verbs: ['get', 'patch', 'update'] }] : []),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv(group, version), resources };
}

function docPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function hashOf(group: string, version: string, kinds: Kinds): string {
  const names = kinds.all.filter((k) => k.group === group && k.version === version).map((k) => k.kind).join(',');
  return createHash('sha256').update(`${group}/${version}:${names}`).digest('hex').slice(0, 16).toUpperCase();
}

export function openApiV3Index(kinds: Kinds) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of kinds.groupVersions()) {
    const p = docPath(g.group, g.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(g.group, g.version, kinds)}` };
  }
  return { paths };
}

/** §1.6: per kind one path with a `patch` operation tagged with its GVK and listing fieldValidation. */
export function openApiV3Doc(kinds: Kinds, group: string, version: string) {
  const ks = kinds.all.filter((k) => k.group === group && k.version === version);
  if (!ks.length) return undefined;
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const k of ks) {
    const item = k.namespaced ? `${prefix}/namespaces/{namespace}/${k.resource}/{name}` : `${prefix}/${k.resource}/{name}`;
    const gvk = { group, version, kind: k.kind };
    const op = (verb: string) => ({
      operationId: `${verb}${k.kind}`,
      'x-kubernetes-action': verb,
      'x-kubernetes-group-version-kind': gvk,
      parameters: [
        { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
      ],
      responses: { '200': { description: 'OK' } },
    });
    paths[item] = { patch: op('patch'), put: op('put') };
    const schemaName = `${group ? group.split('.').reverse().join('.') : 'io.k8s.api.core'}.${version}.${k.kind}`;
    schemas[schemaName] = {
      type: 'object',
      'x-kubernetes-group-version-kind': [gvk],
      'x-kubernetes-preserve-unknown-fields': true,
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: versionInfo.gitVersion }, paths, components: { schemas } };
}
