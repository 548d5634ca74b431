/** Pure LIST helpers: selector grammar and paging (kube-api.md §4). */
import { describe, expect, it } from 'vitest';
import { matchesLabels, paginate, parseFieldSelector, parseLabelSelector, decodeContinue } from '../../../infra/local/emulator/list.ts';
import { mergePatch } from '../../../infra/local/emulator/patch.ts';
import type { KindDef, KubeObject } from '../../../infra/local/emulator/types.ts';

const kind: KindDef = { group: 'g', version: 'v1', kind: 'K', resource: 'ks', singular: 'k', namespaced: true, statusSubresource: false, nameRule: 'subdomain' };
const obj = (ns: string, name: string): KubeObject => ({ apiVersion: 'g/v1', kind: 'K', metadata: { namespace: ns, name } });

describe('label selectors (§4.3)', () => {
  const l = { app: 'web', tier: '3' };
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (web, db)', true],
    ['app notin (web)', false],
    ['missing notin (web)', true],
    ['app', true],
    ['!app', false],
    ['tier>2', true],
    ['tier<3', false],
    ['app=web,!missing', true],
    ['', true],
  ])('%s → %s', (sel, want) => {
    expect(matchesLabels(parseLabelSelector(sel), l)).toBe(want);
  });
  it('rejects garbage with a 400', () => {
    expect(() => parseLabelSelector('app in web')).toThrow(expect.objectContaining({ code: 400 }));
    expect(() => parseLabelSelector('a=b=c')).toThrow(expect.objectContaining({ code: 400 }));
  });
});

describe('field selectors (§4.4)', () => {
  it('parses escapes and refuses unknown fields', () => {
    expect(parseFieldSelector('metadata.name=a\\,b', kind)).toEqual([{ field: 'metadata.name', op: 'eq', value: 'a,b' }]);
    expect(() => parseFieldSelector('spec.x=1', kind)).toThrow(expect.objectContaining({ code: 400 }));
  });
});

describe('paging (§4.2)', () => {
  it('continues after the last key and counts the rest only without selectors', () => {
    const all = [obj('a', '1'), obj('a', '2'), obj('b', '1')];
    const p1 = paginate(all, { limit: 2, rv: 7, selected: false });
    expect(p1.items.map((o) => o.metadata.name)).toEqual(['1', '2']);
    expect(p1.remainingItemCount).toBe(1);
    const t = decodeContinue(p1.continue!);
    expect(t.rv).toBe(7);
    expect(paginate(all, { limit: 2, start: t.start, rv: 7, selected: false }).items).toEqual([obj('b', '1')]);
    expect(paginate(all, { limit: 2, rv: 7, selected: true }).remainingItemCount).toBeUndefined();
    expect(() => decodeContinue('garbage')).toThrow(expect.objectContaining({ code: 400 }));
  });
});

describe('merge patch (RFC 7386)', () => {
  it('merges objects, deletes nulls, replaces lists', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({ a: { c: 2, d: 3 }, l: [3] });
  });
});
