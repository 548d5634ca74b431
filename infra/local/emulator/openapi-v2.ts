/**
 * A minimal Swagger 2.0 document for `/openapi/v2` (kube-api.md §1.6): kubectl versions that
 * predate or fall back from `/openapi/v3` read it for `create`/`apply`/`replace` validation and for
 * the `fieldValidation` support check, which looks for a `patch` operation tagged with the kind's
 * `x-kubernetes-group-version-kind` that lists the query parameter. Schemas are open
 * (`x-kubernetes-preserve-unknown-fields`): the server validates, as it does for v3.
 */
import type { KindDef } from './types.ts';
import type { Kinds } from './kinds.ts';
import { versionInfo } from './discovery.ts';

/** Definition name as the real server spells it: reversed group, version, kind (`dev.example.v1.Net`). */
export function definitionName(k: Pick<KindDef, 'group' | 'version' | 'kind'>): string {
  return `${k.group ? k.group.split('.').reverse().join('.') : 'io.k8s.api.core'}.${k.version}.${k.kind}`;
}

const queryParam = (name: string, description: string) => ({ name, in: 'query', type: 'string', uniqueItems: true, description });
const pathParam = (name: string) => ({ name, in: 'path', required: true, type: 'string', uniqueItems: true });

const WRITE_PARAMS = [
  queryParam('dryRun', 'When present, indicates that modifications should not be persisted.'),
  queryParam('fieldManager', 'A name associated with the actor or entity that is making these changes.'),
  queryParam('fieldValidation', 'How the server treats unknown or duplicate fields: Ignore, Warn or Strict.'),
];

export function openApiV2Doc(kinds: Kinds) {
  const paths: Record<string, unknown> = {};
  const definitions: Record<string, unknown> = {};
  for (const k of kinds.all) {
    const prefix = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
    const collection = k.namespaced ? `${prefix}/namespaces/{namespace}/${k.resource}` : `${prefix}/${k.resource}`;
    const gvk = { group: k.group, version: k.version, kind: k.kind };
    const ref = { $ref: `#/definitions/${definitionName(k)}` };
    const op = (action: string, verb: string, code: string, extra: unknown[] = []) => ({
      operationId: `${verb}${k.namespaced ? 'Namespaced' : ''}${k.kind}`,
      consumes: action === 'patch' ? ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'] : ['application/json', 'application/yaml'],
      produces: ['application/json', 'application/yaml'],
      schemes: ['https'],
      parameters: [...WRITE_PARAMS, ...extra],
      responses: { [code]: { description: 'OK', schema: ref }, '401': { description: 'Unauthorized' } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
    });
    const body = { name: 'body', in: 'body', required: true, schema: ref };
    const scope = k.namespaced ? [pathParam('namespace')] : [];
    paths[collection] = { post: op('post', 'create', '201', [body]), parameters: scope };
    paths[`${collection}/{name}`] = {
      put: op('put', 'replace', '200', [body]),
      patch: op('patch', 'patch', '200', [{ name: 'body', in: 'body', required: true, schema: { type: 'object' } }, queryParam('force', 'Force is going to "force" Apply requests.')]),
      parameters: [pathParam('name'), ...scope],
    };
    definitions[definitionName(k)] = {
      description: `${k.kind} served by the emulator; the server validates its content.`,
      type: 'object',
      'x-kubernetes-group-version-kind': [gvk],
      'x-kubernetes-preserve-unknown-fields': true,
    };
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: versionInfo.gitVersion }, paths, definitions };
}

