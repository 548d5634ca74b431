import { describe, expect, it } from 'vitest';
import {
  type AdmissionAttributesLike, type Webhook, admissionReview, denialError, orderedWebhooks, ruleMatches, shouldCall, verifyResponse,
} from '../../../infra/local/emulator/admission-match.ts';
import { ApiError, type KindDef, type KubeObject } from '../../../infra/local/emulator/types.ts';

const networks = {
  group: 'example.com', version: 'v1', kind: 'Network', resource: 'networks', singular: 'network',
  namespaced: true, statusSubresource: true, nameRule: 'subdomain',
} as KindDef;
const nodes = { ...networks, kind: 'Node', resource: 'nodes', namespaced: false } as KindDef;
const namespaces = { ...networks, group: '', kind: 'Namespace', resource: 'namespaces', namespaced: false } as KindDef;

const obj = (labels?: Record<string, string>): KubeObject =>
  ({ apiVersion: 'example.com/v1', kind: 'Network', metadata: { name: 'n1', namespace: 'default', ...(labels ? { labels } : {}) } });
const attrs = (over: Partial<AdmissionAttributesLike> = {}): AdmissionAttributesLike => ({
  kind: networks, operation: 'CREATE', namespace: 'default', name: 'n1', object: obj(), dryRun: false,
  userInfo: { username: 'alice', groups: ['system:authenticated'] }, ...over,
});
const rule = (resources: string[], more: Record<string, unknown> = {}) =>
  ({ operations: ['CREATE', 'UPDATE'], apiGroups: ['example.com'], apiVersions: ['v1'], resources, ...more });

describe('admission rule matching (kube-api.md 11.3)', () => {
  it('resources: plain, */status, plural/status, plural/*, *, */*', () => {
    const main = attrs();
    const status = attrs({ operation: 'UPDATE', subresource: 'status' });
    // `res/*` also matches the main resource: rules.go compares sub == "*" || sub == request's sub.
    const cases: [string, boolean, boolean][] = [
      ['networks', true, false], ['networks/status', false, true], ['networks/*', true, true],
      ['*/status', false, true], ['*', true, false], ['*/*', true, true], ['ips', false, false],
    ];
    for (const [res, onMain, onStatus] of cases) {
      expect([res, ruleMatches(rule([res]), main)]).toEqual([res, onMain]);
      expect([res, ruleMatches(rule([res]), status)]).toEqual([res, onStatus]);
    }
  });

  it('operations, groups and versions accept "*"; others must match', () => {
    expect(ruleMatches(rule(['networks']), attrs({ operation: 'DELETE' }))).toBe(false);
    expect(ruleMatches(rule(['networks'], { operations: ['*'] }), attrs({ operation: 'DELETE' }))).toBe(true);
    expect(ruleMatches(rule(['networks'], { apiGroups: ['other.io'] }), attrs())).toBe(false);
    expect(ruleMatches(rule(['networks'], { apiGroups: ['*'], apiVersions: ['*'] }), attrs())).toBe(true);
    expect(ruleMatches(rule(['networks'], { apiVersions: ['v2'] }), attrs())).toBe(false);
  });

  it('scope: Namespaced, Cluster (namespaces count as Cluster), *', () => {
    const all = rule(['*'], { apiGroups: ['*'] });
    expect(ruleMatches({ ...all, scope: 'Namespaced' }, attrs())).toBe(true);
    expect(ruleMatches({ ...all, scope: 'Cluster' }, attrs())).toBe(false);
    expect(ruleMatches({ ...all, scope: 'Cluster' }, attrs({ kind: nodes }))).toBe(true);
    expect(ruleMatches({ ...all, scope: 'Namespaced' }, attrs({ kind: namespaces }))).toBe(false);
    expect(ruleMatches({ ...all, scope: 'Cluster' }, attrs({ kind: namespaces }))).toBe(true);
  });

  it('namespaceSelector uses the namespace labels; cluster-scoped objects ignore it; missing namespace is 404', () => {
    const h: Webhook = { name: 'w', rules: [rule(['*'], { apiGroups: ['*'] })], namespaceSelector: { matchLabels: { env: 'prod' } } };
    expect(shouldCall(h, attrs(), () => ({ env: 'prod' }))).toBe(true);
    expect(shouldCall(h, attrs(), () => ({ env: 'dev' }))).toBe(false);
    expect(shouldCall(h, attrs({ kind: nodes, namespace: undefined }), () => undefined)).toBe(true);
    expect(shouldCall(h, attrs({ kind: namespaces, object: obj({ env: 'prod' }) }), () => undefined)).toBe(true);
    let err: unknown;
    try {
      shouldCall(h, attrs({ namespace: 'gone' }), () => undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 404, message: 'namespaces "gone" not found' });
  });

  it('objectSelector matches object or oldObject; matchExpressions operators', () => {
    const h: Webhook = {
      name: 'w', rules: [rule(['networks'])],
      objectSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'skip', operator: 'DoesNotExist' }] },
    };
    const ns = () => ({});
    expect(shouldCall(h, attrs({ object: obj({ tier: 'a' }) }), ns)).toBe(true);
    expect(shouldCall(h, attrs({ object: obj({ tier: 'c' }) }), ns)).toBe(false);
    expect(shouldCall(h, attrs({ object: obj({ tier: 'a', skip: '' }) }), ns)).toBe(false);
    expect(shouldCall(h, attrs({ operation: 'UPDATE', object: obj({}), oldObject: obj({ tier: 'b' }) }), ns)).toBe(true);
    expect(shouldCall(h, attrs({ object: undefined }), ns)).toBe(false);
  });

  it('webhooks are ordered by configuration name, then list order', () => {
    const cfg = (name: string, hooks: string[]) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'X', metadata: { name }, webhooks: hooks.map((n) => ({ name: n })) });
    expect(orderedWebhooks([cfg('b', ['b1', 'b2']), cfg('a', ['a2', 'a1'])]).map((h) => h.name)).toEqual(['a2', 'a1', 'b1', 'b2']);
  });
});

describe('AdmissionReview and responses (11.4, 11.5)', () => {
  it('request body carries kind, resource, subResource, userInfo, null oldObject on CREATE, options', () => {
    const r = admissionReview(attrs({ subresource: 'status', operation: 'UPDATE', oldObject: obj() }), 'u-1', obj()).request as Record<string, unknown>;
    expect(r).toMatchObject({
      uid: 'u-1', kind: { group: 'example.com', version: 'v1', kind: 'Network' },
      resource: { group: 'example.com', version: 'v1', resource: 'networks' }, subResource: 'status', requestSubResource: 'status',
      name: 'n1', namespace: 'default', operation: 'UPDATE', dryRun: false,
      userInfo: { username: 'alice', groups: ['system:authenticated'], extra: {} },
      options: { kind: 'UpdateOptions', apiVersion: 'meta.k8s.io/v1' },
    });
    const create = admissionReview(attrs({ name: '' }), 'u-2', obj()).request as Record<string, unknown>;
    expect(create.oldObject).toBeNull();
    expect('name' in create).toBe(false);
    expect('subResource' in create).toBe(false);
  });

  it('verifies uid echo and patch/patchType pairing', () => {
    const resp = (r: Record<string, unknown>) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: r });
    expect(verifyResponse(resp({ uid: 'B', allowed: true }), 'A', true)).toBe('expected response.uid="A", got "B"');
    expect(verifyResponse(resp({ uid: 'A', allowed: true, patch: 'W10=' }), 'A', true)).toBe('webhook returned response.patch but not response.patchType');
    expect(verifyResponse(resp({ uid: 'A', allowed: true, patch: 'W10=', patchType: 'JSONPatch' }), 'A', false)).toBe('validating webhook may not return response.patch');
    expect(verifyResponse({ apiVersion: 'v1', kind: 'Status' }, 'A', true)).toContain('expected webhook response of admission.k8s.io/v1');
    expect(verifyResponse(resp({ uid: 'A', allowed: true, warnings: ['w'] }), 'A', true)).toEqual({ allowed: true, warnings: ['w'] });
  });

  it('denial: code below 400 becomes 400; message prefixed; reason passed through', () => {
    const e = denialError('vnetwork.example.com', { code: 403, reason: 'Forbidden', message: 'spec.id is immutable' });
    expect([e.code, e.reason, e.message]).toEqual([403, 'Forbidden', 'admission webhook "vnetwork.example.com" denied the request: spec.id is immutable']);
    expect(denialError('w', { code: 200 }).code).toBe(400);
    expect(denialError('w', undefined).message).toBe('admission webhook "w" denied the request without explanation');
    expect(denialError('w', { reason: 'Nope' }).message).toBe('admission webhook "w" denied the request: Nope');
  });
});
