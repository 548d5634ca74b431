import { describe, expect, it } from 'vitest';
import { MANAGED_BY_ANNOTATION, WATCH_FILTER_LABEL, isExcluded } from '../../../shared/api/filters.ts';

const obj = (labels: Record<string, string> = {}, annotations: Record<string, string> = {}) => ({
  metadata: { name: 'n', namespace: 'default', labels, annotations },
});

describe('watch filter and managed-by', () => {
  it('R-GEN-03: an empty watch filter lets every object through', () => {
    expect(isExcluded(obj(), '')).toEqual({ excluded: false });
    expect(isExcluded(obj(), undefined)).toEqual({ excluded: false });
    expect(isExcluded({ metadata: {} }, '')).toEqual({ excluded: false });
  });

  it('R-GEN-03: with a filter, only objects whose label equals it exactly pass', () => {
    expect(isExcluded(obj({ [WATCH_FILTER_LABEL]: 'az1' }), 'az1')).toEqual({ excluded: false });
    const other = isExcluded(obj({ [WATCH_FILTER_LABEL]: 'az2' }), 'az1');
    expect(other).toMatchObject({ excluded: true, reason: 'watch-filter' });
    const missing = isExcluded(obj(), 'az1');
    expect(missing).toMatchObject({ excluded: true, reason: 'watch-filter' });
    if (missing.excluded) expect(missing.detail).toContain('missing');
    expect(isExcluded(obj({ [WATCH_FILTER_LABEL]: 'AZ1' }), 'az1').excluded).toBe(true);
  });

  it('R-GEN-04: the managed-by annotation excludes whatever its value, even empty', () => {
    for (const value of ['machinebroker', '']) {
      const result = isExcluded(obj({}, { [MANAGED_BY_ANNOTATION]: value }), '');
      expect(result).toMatchObject({ excluded: true, reason: 'managed-by' });
    }
    expect(isExcluded(obj({}, { 'other/annotation': 'x' }), '')).toEqual({ excluded: false });
  });

  it('R-GEN-04: managed-by wins over a matching watch filter label', () => {
    const result = isExcluded(obj({ [WATCH_FILTER_LABEL]: 'az1' }, { [MANAGED_BY_ANNOTATION]: 'x' }), 'az1');
    expect(result).toMatchObject({ excluded: true, reason: 'managed-by' });
  });
});
