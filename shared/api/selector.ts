import { isDNS1123Subdomain } from './names.ts';

/**
 * metav1.LabelSelector evaluation exactly as `metav1.LabelSelectorAsSelector` + `Matches`:
 * a nil selector matches nothing, an empty one everything; matchLabels are `key=value`
 * requirements; In/NotIn need values, Exists/DoesNotExist must have none; NotIn also matches
 * when the key is absent. An invalid selector is an error, not a non-match.
 */

export interface SelectorLike {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: readonly string[] | null }> | null;
}

export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
  constructor(readonly problems: string[]) {
    super(`invalid label selector: ${problems.join('; ')}`);
  }
}

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Kubernetes qualified name (`[prefix/]name`), the syntax of label keys. */
export function isQualifiedName(key: string): boolean {
  const slash = key.indexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  if (prefix !== undefined && !isDNS1123Subdomain(prefix)) return false;
  return name.length > 0 && name.length <= 63 && NAME_PART.test(name);
}

/** Kubernetes label value: empty, or at most 63 alphanumerics with `-_.` inside. */
export function isValidLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME_PART.test(value));
}

interface Requirement {
  key: string;
  operator: 'Equals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

function requirementsOf(selector: SelectorLike): Requirement[] {
  const problems: string[] = [];
  const reqs: Requirement[] = [];
  const checkKey = (key: string, where: string) => {
    if (!isQualifiedName(key)) problems.push(`${where}: key ${JSON.stringify(key)} is not a valid label key`);
  };
  const checkValues = (values: string[], where: string) => {
    for (const v of values) if (!isValidLabelValue(v)) problems.push(`${where}: value ${JSON.stringify(v)} is not a valid label value`);
  };
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    checkKey(key, 'matchLabels');
    checkValues([value], `matchLabels[${key}]`);
    reqs.push({ key, operator: 'Equals', values: [value] });
  }
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    const where = `matchExpressions[${i}]`;
    const values = [...(expr.values ?? [])];
    checkKey(expr.key, where);
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) problems.push(`${where}: values must be non-empty for operator ${expr.operator}`);
        checkValues(values, where);
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) problems.push(`${where}: values must be empty for operator ${expr.operator}`);
        break;
      default:
        problems.push(`${where}: ${JSON.stringify(expr.operator)} is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)`);
        return;
    }
    reqs.push({ key: expr.key, operator: expr.operator, values });
  });
  if (problems.length > 0) throw new LabelSelectorError(problems);
  return reqs;
}

/** The problems that make `selector` invalid (empty when valid). */
export function labelSelectorProblems(selector: SelectorLike): string[] {
  try {
    requirementsOf(selector);
    return [];
  } catch (err) {
    if (err instanceof LabelSelectorError) return err.problems;
    throw err;
  }
}

function matches(req: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, req.key);
  switch (req.operator) {
    case 'Equals':
    case 'In':
      return has && req.values.includes(labels[req.key]);
    case 'NotIn':
      return !has || !req.values.includes(labels[req.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** Whether `labels` match `selector`; throws `LabelSelectorError` for an invalid selector. */
export function matchesLabelSelector(
  selector: SelectorLike | null | undefined,
  labels: Readonly<Record<string, string>> | null | undefined,
): boolean {
  if (selector === null || selector === undefined) return false;
  const reqs = requirementsOf(selector);
  const actual = labels ?? {};
  return reqs.every((req) => matches(req, actual));
}

/**
 * The selector in `labelSelector=` query syntax (as Go's `Selector.String()`: requirements
 * sorted by key, values sorted). `''` selects everything; callers must handle a nil selector
 * (nothing) themselves.
 */
export function labelSelectorToString(selector: SelectorLike): string {
  const reqs = requirementsOf(selector);
  const sorted = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return sorted
    .map((r) => {
      const values = [...r.values].sort();
      switch (r.operator) {
        case 'Equals':
          return `${r.key}=${values[0]}`;
        case 'In':
          return `${r.key} in (${values.join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${values.join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
      }
    })
    .join(',');
}
