/**
 * The diff `npm run plan` prints for an apinet object: its spec, labels and annotations (what the
 * apinetlet owns) now versus after the planned write, as YAML lines marked `-` / `+` / ` `.
 */
import yaml from 'js-yaml';
import type { KubeObject } from '../../shared/kube/types.ts';

/** The part of an object a plan compares. */
export function comparable(obj: KubeObject | undefined): Record<string, unknown> | null {
  if (!obj) return null;
  const o = obj as KubeObject & { spec?: unknown };
  return { metadata: { labels: o.metadata.labels ?? {}, annotations: o.metadata.annotations ?? {} }, spec: o.spec ?? {} };
}

export function planDiff(before: KubeObject | undefined, after: KubeObject | undefined): string {
  const a = before ? yaml.dump(comparable(before), { sortKeys: true }).trimEnd().split('\n') : [];
  const b = after ? yaml.dump(comparable(after), { sortKeys: true }).trimEnd().split('\n') : [];
  if (!before && !after) return '  (nothing)';
  // Longest common subsequence of lines.
  const m = a.length;
  const n = b.length;
  const lcs: number[][] = Array.from({ length: m + 1 }, () => new Array<number>(n + 1).fill(0));
  for (let i = m - 1; i >= 0; i--) for (let j = n - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < m || j < n) {
    if (i < m && j < n && a[i] === b[j]) {
      lines.push(`  ${a[i++]}`);
      j++;
    } else if (j < n && (i >= m || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) lines.push(`+ ${b[j++]}`);
    else lines.push(`- ${a[i++]}`);
  }
  const changed = lines.some((l) => l[0] !== ' ');
  return changed ? lines.join('\n') : `  (no change)\n${lines.join('\n')}`;
}
