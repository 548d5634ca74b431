import { describe, expect, it } from 'vitest';
import { LabelSelectorError, labelSelectorProblems, labelSelectorToString, matchesLabelSelector } from '../../../shared/api/selector.ts';

const labels = { app: 'web', tier: 'front', 'example.com/zone': 'a' };

describe('label selector semantics (metav1.LabelSelectorAsSelector)', () => {
  it('an empty selector matches everything, a nil selector nothing', () => {
    expect(matchesLabelSelector({}, labels)).toBe(true);
    expect(matchesLabelSelector({}, {})).toBe(true);
    expect(matchesLabelSelector({ matchLabels: {}, matchExpressions: [] }, undefined)).toBe(true);
    expect(matchesLabelSelector(null, labels)).toBe(false);
    expect(matchesLabelSelector(undefined, labels)).toBe(false);
  });

  it('matchLabels requires every pair', () => {
    expect(matchesLabelSelector({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchLabels: { app: 'web', tier: 'back' } }, labels)).toBe(false);
    expect(matchesLabelSelector({ matchLabels: { missing: '' } }, labels)).toBe(false);
    expect(matchesLabelSelector({ matchLabels: { missing: '' } }, { missing: '' })).toBe(true);
  });

  it('In and NotIn; NotIn also matches an absent key', () => {
    const inSel = { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] };
    expect(matchesLabelSelector(inSel, labels)).toBe(true);
    expect(matchesLabelSelector(inSel, { app: 'cache' })).toBe(false);
    expect(matchesLabelSelector(inSel, {})).toBe(false);
    const notIn = { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] };
    expect(matchesLabelSelector(notIn, labels)).toBe(false);
    expect(matchesLabelSelector(notIn, { app: 'db' })).toBe(true);
    expect(matchesLabelSelector(notIn, {})).toBe(true);
  });

  it('Exists and DoesNotExist', () => {
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'example.com/zone', operator: 'Exists' }] }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'gone', operator: 'Exists' }] }, labels)).toBe(false);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'gone', operator: 'DoesNotExist', values: [] }] }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels)).toBe(false);
  });

  it('matchLabels and expressions are ANDed', () => {
    const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] };
    expect(matchesLabelSelector(sel, labels)).toBe(false);
    expect(matchesLabelSelector(sel, { app: 'web', tier: 'mid' })).toBe(true);
  });

  it('invalid selectors are errors, not non-matches', () => {
    expect(() => matchesLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, labels)).toThrow(LabelSelectorError);
    expect(() => matchesLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, labels)).toThrow(/values must be empty/);
    expect(() => matchesLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, labels)).toThrow(/not a valid label selector operator/);
    expect(labelSelectorProblems({ matchLabels: { 'bad key!': 'x' } })).toHaveLength(1);
    expect(labelSelectorProblems({ matchLabels: { ok: 'bad value!' } })).toHaveLength(1);
    expect(labelSelectorProblems({ matchLabels: { 'example.com/ok': 'v-1.2_3' } })).toEqual([]);
  });

  it('prints the labelSelector query syntax sorted by key', () => {
    expect(
      labelSelectorToString({
        matchLabels: { z: '1', app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['b', 'a'] },
          { key: 'env', operator: 'NotIn', values: ['prod'] },
          { key: 'has', operator: 'Exists' },
          { key: 'hasnt', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,env notin (prod),has,!hasnt,tier in (a,b),z=1');
    expect(labelSelectorToString({})).toBe('');
  });
});
