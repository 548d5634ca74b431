/** Pure parts of versioned reads: Store.stateAt snapshots and the LIST plan (kube-api.md §4.2, §4.5). */
import { describe, expect, it } from 'vitest';
import { Store } from '../../../infra/local/emulator/store.ts';
import { listParams, planList } from '../../../infra/local/emulator/list-options.ts';
import { encodeContinue } from '../../../infra/local/emulator/list.ts';
import type { KindDef, KubeObject } from '../../../infra/local/emulator/types.ts';

const kind: KindDef = { group: 'g', version: 'v1', kind: 'K', resource: 'ks', singular: 'k', namespaced: true, statusSubresource: false, nameRule: 'subdomain' };
const other: KindDef = { ...kind, kind: 'O', resource: 'os', singular: 'o' };
const obj = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'g/v1', kind: 'K', metadata: { namespace: 'ns', name }, spec });
const view = (os: KubeObject[] | undefined) => os?.map((o) => [o.metadata.name, o.metadata.resourceVersion, (o.spec as { v?: number }).v]);

describe('Store.stateAt (§4.2 snapshots from the event log)', () => {
  it('undoes creations, updates and deletions newer than the version, and only of the kind asked for', () => {
    const s = new Store(100);
    s.put(kind, obj('a', { v: 1 }));
    s.put(kind, obj('b', { v: 1 }));
    const at = s.currentRv();
    const before = view(s.list(kind));
    s.put(kind, obj('a', { v: 2 }));
    s.remove(kind, 'ns', 'b');
    s.put(kind, obj('c', { v: 1 }));
    s.put(other, obj('z'));
    expect(view(s.stateAt(kind, at))).toEqual(before);
    expect(view(s.stateAt(kind, s.currentRv()))).toEqual(view(s.list(kind)));
    expect(s.stateAt(other, at)).toEqual([]);
  });

  it('is undefined once the window no longer reaches back to the version', () => {
    const s = new Store(2);
    s.put(kind, obj('a'));
    const at = s.currentRv();
    s.put(kind, obj('b'));
    expect(s.stateAt(kind, at)).toBeDefined();
    s.put(kind, obj('c'));
    s.put(kind, obj('d'));
    expect(s.stateAt(kind, at)).toBeUndefined();
  });
});

describe('planList (§4.5 table)', () => {
  const plan = (q: string) => planList(listParams(new URLSearchParams(q)));
  it.each([
    ['', { at: 'current' }],
    ['resourceVersion=0', { at: 'current' }],
    ['resourceVersion=7', { at: 'current', minRv: 7 }],
    ['resourceVersion=7&resourceVersionMatch=NotOlderThan', { at: 'current', minRv: 7 }],
    ['resourceVersion=7&resourceVersionMatch=Exact', { at: 'exact', rv: 7, minRv: 7 }],
    ['resourceVersion=7&limit=2', { at: 'exact', rv: 7, minRv: 7 }],
    [`continue=${encodeContinue(9, 'ns/b')}`, { at: 'exact', rv: 9, minRv: 9, start: 'ns/b' }],
    [`continue=${encodeContinue(-1, 'ns/b')}`, { at: 'current', start: 'ns/b' }],
  ])('%s', (q, want) => {
    expect(plan(q)).toEqual(want);
  });
  it('rejects a version next to continue and a non-numeric version with 400', () => {
    expect(() => plan(`resourceVersion=3&continue=${encodeContinue(9, 'ns/b')}`)).toThrow(expect.objectContaining({ code: 400, message: 'specifying resource version is not allowed when using continue' }));
    expect(() => plan('resourceVersion=x')).toThrow(expect.objectContaining({ code: 400, message: 'invalid resource version: x' }));
  });
});
