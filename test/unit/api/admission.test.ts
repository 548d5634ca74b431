import { describe, expect, it } from 'vitest';
import { AdmissionReview, AdmissionReviewResponse, admissionReviewResponse } from '../../../shared/api/admission.ts';

const review = {
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: '1c4b0a43-5f63-4e1e-9a0b-3b8d0c5b6c11',
    kind: { group: 'networking.ironcore.dev', version: 'v1alpha1', kind: 'Network' },
    resource: { group: 'networking.ironcore.dev', version: 'v1alpha1', resource: 'networks' },
    requestKind: { group: 'networking.ironcore.dev', version: 'v1alpha1', kind: 'Network' },
    requestResource: { group: 'networking.ironcore.dev', version: 'v1alpha1', resource: 'networks' },
    namespace: 'default',
    operation: 'CREATE',
    userInfo: { username: 'admin', groups: ['system:masters'], extra: {} },
    object: { apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'Network', metadata: { generateName: 'net-', namespace: 'default' }, spec: {} },
    oldObject: null,
    dryRun: false,
    options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
  },
};

describe('AdmissionReview v1', () => {
  it('accepts a CREATE review without name and uid (mutating webhook view)', () => {
    const parsed = AdmissionReview.parse(review);
    expect(parsed.request.operation).toBe('CREATE');
    expect(parsed.request.object?.metadata.generateName).toBe('net-');
    expect(parsed.request.oldObject).toBeNull();
  });

  it('accepts a DELETE review with object null', () => {
    const del = { ...review, request: { ...review.request, operation: 'DELETE', name: 'n', object: null, oldObject: review.request.object } };
    expect(AdmissionReview.parse(del).request.object).toBeNull();
  });

  it('rejects a v1beta1 review, naming apiVersion', () => {
    const result = AdmissionReview.safeParse({ ...review, apiVersion: 'admission.k8s.io/v1beta1' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['apiVersion']);
  });

  it('rejects bodies that are not a review', () => {
    const notReview = AdmissionReview.safeParse({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } });
    expect(notReview.success).toBe(false);
    expect(notReview.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['apiVersion', 'kind', 'request']);
    const badOp = AdmissionReview.safeParse({ ...review, request: { ...review.request, operation: 'PATCH' } });
    expect(badOp.error!.issues.map((i) => i.path.join('.'))).toEqual(['request.operation']);
    const noUid = AdmissionReview.safeParse({ ...review, request: { ...review.request, uid: '' } });
    expect(noUid.error!.issues.map((i) => i.path.join('.'))).toEqual(['request.uid']);
    expect(AdmissionReview.safeParse('{}').success).toBe(false);
  });

  it('builds a response carrying the request uid and a base64 JSON patch', () => {
    const ops = [{ op: 'add', path: '/metadata/finalizers', value: ['apinet.ironcore.dev/network'] }];
    const res = admissionReviewResponse(review.request, { allowed: true, patch: ops, warnings: ['w'] });
    expect(res.response.uid).toBe(review.request.uid);
    expect(res.response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(res.response.patch!, 'base64').toString('utf8'))).toEqual(ops);
    expect(AdmissionReviewResponse.parse(res)).toEqual(res);
  });

  it('omits an empty patch and carries a denial status', () => {
    const res = admissionReviewResponse(review.request, { allowed: false, patch: [], status: { code: 403, message: 'spec.providerID is immutable', reason: 'Forbidden' } });
    expect(res.response).toEqual({ uid: review.request.uid, allowed: false, status: { code: 403, message: 'spec.providerID is immutable', reason: 'Forbidden' } });
  });

  it('rejects a response with patch but no patchType', () => {
    const result = AdmissionReviewResponse.safeParse({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u', allowed: true, patch: 'W10=' } });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['response.patchType']);
  });
});
