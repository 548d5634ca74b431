/**
 * Request routing of the emulated API server: health, authentication (kube-api.md §12),
 * discovery and OpenAPI (§1), then the resource paths (§1.1) with counters and fault injection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KindDef } from './types.ts';
import type { Registry, Subresource } from './registry.ts';
import type { RequestCounters } from './counters.ts';
import type { FaultInjector } from './faults.ts';
import { sendError, sendJson } from './http.ts';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, openApiV3Doc, openApiV3Index, versionInfo } from './discovery.ts';
import { openApiV2Doc } from './openapi-v2.ts';
import {
  handleCreate, handleDelete, handleDeleteCollection, handleGet, handleList, handlePatch, handleUpdate, handleWatch, type ResourceRequest,
} from './handlers.ts';
import { asApiError, methodNotAllowed, pathNotFound, unauthorized } from './status.ts';
import { boolParam } from './http.ts';
import { ApiError } from './types.ts';

export interface ServerEnv {
  registry: Registry;
  token: string;
  counters: RequestCounters;
  faults: FaultInjector;
  bookmarkIntervalMs: number;
  /** Wait before 504 for a resourceVersion newer than the store (kube-api.md §4.5, §5.3). */
  tooLargeRvWaitMs: number;
  serverAddress: () => string;
}

const USER = { username: 'emulator-admin', uid: 'emulator-admin', groups: ['system:masters', 'system:authenticated'] };

interface ResourcePath {
  kind: KindDef;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** §1.1 path grammar below `/api/v1` or `/apis/G/V`; undefined = the generic 404. */
function resolve(registry: Registry, group: string, version: string, segs: string[]): ResourcePath | undefined {
  const kindOf = (r: string) => registry.kinds.byResource(group, version, r);
  if (segs[0] === 'namespaces' && segs.length >= 3) {
    const k = kindOf(segs[2]);
    if (k?.namespaced && segs.length <= 5) return { kind: k, namespace: segs[1], name: segs[3], sub: segs[4] };
  }
  const k = kindOf(segs[0]);
  if (!k || segs.length > 3) return undefined;
  return { kind: k, name: segs[1], sub: segs[2] };
}

export function createRequestHandler(env: ServerEnv) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(env, req, res).catch((e) => sendError(res, asApiError(e)));
  };
}

async function handle(env: ServerEnv, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://emulator');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (['/healthz', '/livez', '/readyz'].includes(path)) {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    return;
  }
  const auth = String(req.headers.authorization ?? '');
  if (auth !== `Bearer ${env.token}`) throw unauthorized();
  const accept = String(req.headers.accept ?? '');
  if (req.method === 'GET' && path === '/openapi/v2') {
    // §0/§1.6: JSON only; a client asking for nothing but the protobuf encoding gets 406.
    if (accept && !/application\/json|\*\/\*/.test(accept)) throw new ApiError(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
    return sendJson(res, 200, openApiV2Doc(env.registry.kinds));
  }
  if (accept && !/application\/json|\*\/\*|application\/yaml/.test(accept)) {
    throw new ApiError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml');
  }
  const kinds = env.registry.kinds;
  const segs = path.split('/').filter(Boolean);
  if (req.method === 'GET') {
    if (path === '/version') return sendJson(res, 200, versionInfo);
    if (path === '/api') return sendJson(res, 200, apiVersions(env.serverAddress()));
    if (path === '/apis') return sendJson(res, 200, apiGroupList(kinds));
    if (path === '/openapi/v3') return sendJson(res, 200, openApiV3Index(kinds));
    if (segs[0] === 'openapi' && segs[1] === 'v3') {
      const doc = segs[2] === 'api' ? openApiV3Doc(kinds, '', segs[3]) : openApiV3Doc(kinds, segs[3], segs[4]);
      if (doc) return sendJson(res, 200, doc);
      throw pathNotFound();
    }
    if (segs[0] === 'apis' && segs.length === 2) {
      const doc = apiGroupDoc(kinds, segs[1]);
      if (doc) return sendJson(res, 200, doc);
      throw pathNotFound();
    }
    if ((segs[0] === 'api' && segs.length === 2) || (segs[0] === 'apis' && segs.length === 3)) {
      const doc = segs[0] === 'api' ? apiResourceList(kinds, '', segs[1]) : apiResourceList(kinds, segs[1], segs[2]);
      if (doc) return sendJson(res, 200, doc);
      throw pathNotFound();
    }
  }
  const [group, version, rest] =
    segs[0] === 'api' && segs[1] ? ['', segs[1], segs.slice(2)] : segs[0] === 'apis' && segs[2] ? [segs[1], segs[2], segs.slice(3)] : [undefined, undefined, []];
  if (group === undefined || version === undefined || rest.length === 0) throw pathNotFound();
  const rp = resolve(env.registry, group, version, rest);
  if (!rp) throw pathNotFound();
  await serveResource(env, req, res, url.searchParams, rp);
}

async function serveResource(env: ServerEnv, req: IncomingMessage, res: ServerResponse, query: URLSearchParams, rp: ResourcePath): Promise<void> {
  const { kind, namespace, name, sub } = rp;
  if (sub !== undefined && (sub !== 'status' || !kind.statusSubresource)) throw pathNotFound();
  // Scope (§1.1): namespaced kinds without a namespace only for list/watch; cluster kinds never with one.
  if (!kind.namespaced && namespace !== undefined) throw pathNotFound();
  const collection = name === undefined;
  if (kind.namespaced && namespace === undefined && !(collection && req.method === 'GET')) throw pathNotFound();
  const method = req.method ?? 'GET';
  const watch = method === 'GET' && boolParam(query, 'watch');
  const verb = verbOf(method, collection, watch);
  if (!verb) throw pathNotFound();
  const resource = sub ? `${kind.resource}/${sub}` : kind.resource;
  if (sub && !['get', 'update', 'patch'].includes(verb)) throw methodNotAllowed(verb, kind);
  if (collection && ['update', 'patch', 'delete'].includes(verb)) throw methodNotAllowed(verb, kind);
  env.counters.record(verb, resource);
  const fault = env.faults.decide(verb, resource, kind, name ?? '');
  if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
  if (fault?.error) throw fault.error;
  const r: ResourceRequest = { req, res, query, kind, namespace, name, sub: sub as Subresource | undefined, user: USER, bookmarkIntervalMs: env.bookmarkIntervalMs, tooLargeRvWaitMs: env.tooLargeRvWaitMs };
  const reg = env.registry;
  switch (verb) {
    case 'get':
      return handleGet(reg, r);
    case 'list':
      return handleList(reg, r);
    case 'watch':
      return handleWatch(reg, r);
    case 'create':
      if (!collection) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
      return handleCreate(reg, r);
    case 'update':
      return handleUpdate(reg, r);
    case 'patch':
      return handlePatch(reg, r);
    case 'delete':
      return handleDelete(reg, r);
    case 'deletecollection':
      return handleDeleteCollection(reg, r);
  }
}

/** The API verb of a resource request (get, list, watch, create, update, patch, delete, deletecollection). */
export function verbOf(method: string, collection: boolean, watch: boolean): string | undefined {
  switch (method) {
    case 'GET':
      return watch ? 'watch' : collection ? 'list' : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return collection ? 'deletecollection' : 'delete';
    default:
      return undefined;
  }
}
