import { describe, expect, it } from 'vitest';
import { applyWouldChangeNothing, bodyFieldPaths, managedFieldPaths } from '../../../shared/reconcile/core/apply-noop.ts';
import { carriesFields } from '../../../shared/reconcile/core/carries.ts';

const M = 'ironcore.dev/apinetlet';
const body = {
  apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
  kind: 'Network',
  metadata: { name: 'u1', namespace: 'apinet', labels: { a: '1' }, annotations: { n: 'x' } },
  spec: { peerings: [{ name: 'p', id: '7' }] },
};
const fields = { 'f:metadata': { 'f:labels': { 'f:a': {} }, 'f:annotations': { 'f:n': {} } }, 'f:spec': { 'f:peerings': { 'k:{"name":"p"}': { '.': {}, 'f:name': {}, 'f:id': {} } } } };
const observed = (over: { fieldsV1?: unknown; manager?: string; operation?: string; spec?: unknown; labels?: Record<string, string> } = {}) => ({
  apiVersion: body.apiVersion,
  kind: 'Network',
  metadata: {
    name: 'u1', namespace: 'apinet', uid: 'x', resourceVersion: '5',
    labels: over.labels ?? { a: '1' }, annotations: { n: 'x' },
    managedFields: [{ manager: over.manager ?? M, operation: over.operation ?? 'Apply', apiVersion: body.apiVersion, fieldsType: 'FieldsV1', fieldsV1: over.fieldsV1 ?? fields }],
  },
  spec: over.spec ?? { id: '42', peerings: [{ name: 'p', id: '7' }] },
});

describe('no-op apply detection (issue 12, part 3)', () => {
  it('field paths of a body and of a FieldsV1 set have the same shape', () => {
    expect([...bodyFieldPaths(body)].sort()).toEqual(['metadata.annotations.n', 'metadata.labels.a', 'spec.peerings']);
    expect([...managedFieldPaths(fields)].sort()).toEqual(['metadata.annotations.n', 'metadata.labels.a', 'spec.peerings']);
  });

  it('skips only when our Apply entry owns exactly the body fields and every value is equal', () => {
    expect(applyWouldChangeNothing(observed(), body, M)).toBe(true);
    // server-owned spec.id does not count; a different value does
    expect(applyWouldChangeNothing(observed({ spec: { id: '42', peerings: [{ name: 'p', id: '8' }] } }), body, M)).toBe(false);
    expect(applyWouldChangeNothing(observed({ spec: { id: '42', peerings: [] } }), body, M)).toBe(false);
    expect(applyWouldChangeNothing(observed({ labels: { a: '2' } }), body, M)).toBe(false);
    // we own a field the body no longer sends: the apply would remove it
    expect(applyWouldChangeNothing(observed({ fieldsV1: { ...fields, 'f:metadata': { ...fields['f:metadata'], 'f:labels': { 'f:a': {}, 'f:old': {} } } } }), body, M)).toBe(false);
    // another manager owns it, or our entry is an Update: an apply would take ownership
    expect(applyWouldChangeNothing(observed({ manager: 'kubectl' }), body, M)).toBe(false);
    expect(applyWouldChangeNothing(observed({ operation: 'Update' }), body, M)).toBe(false);
    expect(applyWouldChangeNothing(undefined, body, M)).toBe(false);
  });

  it('atomic maps (a LabelSelector, a LocalObjectReference: `f:selector: {}`) are owned and compared whole', () => {
    // what the real apinet server records for a LoadBalancer (apinet-api.md §3.4); label keys contain dots
    const lbBody = {
      apiVersion: 'core.apinet.ironcore.dev/v1alpha1',
      kind: 'LoadBalancer',
      metadata: { name: 'u2', namespace: 'apinet', labels: { 'apinetlet.ironcore.dev/loadbalancer-uid': 'u2' } },
      spec: { networkRef: { name: 'n' }, selector: { matchLabels: { 'apinetlet.ironcore.dev/loadbalancer-uid': 'u2' } } },
    };
    const lbFields = { 'f:metadata': { 'f:labels': { 'f:apinetlet.ironcore.dev/loadbalancer-uid': {} } }, 'f:spec': { 'f:networkRef': {}, 'f:selector': {} } };
    const lb = (spec: Record<string, unknown>, fieldsV1: unknown = lbFields) => ({
      ...lbBody,
      metadata: { ...lbBody.metadata, uid: 'x', managedFields: [{ manager: M, operation: 'Apply', apiVersion: lbBody.apiVersion, fieldsType: 'FieldsV1', fieldsV1 }] },
      spec,
    });
    expect(applyWouldChangeNothing(lb(lbBody.spec), lbBody, M)).toBe(true);
    // the stored selector has more than we send: the apply would replace the atomic map
    expect(applyWouldChangeNothing(lb({ ...lbBody.spec, selector: { matchLabels: { ...lbBody.spec.selector.matchLabels, extra: 'x' } } }), lbBody, M)).toBe(false);
    expect(applyWouldChangeNothing(lb({ ...lbBody.spec, networkRef: { name: 'other' } }), lbBody, M)).toBe(false);
    // an owned atomic map the body no longer sends at all: the apply would remove it
    expect(applyWouldChangeNothing(lb(lbBody.spec), { ...lbBody, spec: { networkRef: { name: 'n' } } }, M)).toBe(false);
    // granular ownership (the emulator before §3.4) is still recognised
    const granular = { ...lbFields, 'f:spec': { 'f:networkRef': { 'f:name': {} }, 'f:selector': { 'f:matchLabels': { 'f:apinetlet.ironcore.dev/loadbalancer-uid': {} } } } };
    expect(applyWouldChangeNothing(lb(lbBody.spec, granular), lbBody, M)).toBe(true);
  });

  it('carriesFields: desired is a subset, lists compared element by element, absent = null = []', () => {
    expect(carriesFields({ a: 1, b: 2 }, { a: 1 })).toBe(true);
    expect(carriesFields({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(carriesFields({}, { l: [] })).toBe(true);
    expect(carriesFields({ l: [{ x: 1, y: 2 }] }, { l: [{ x: 1 }] })).toBe(true);
    expect(carriesFields({ l: [{ x: 1 }, { x: 2 }] }, { l: [{ x: 1 }] })).toBe(false);
  });
});
