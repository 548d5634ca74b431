/** The side-by-side numbers of one differential run: settle latency and requests per operation. */
import type { AtRest, StepResult } from './run.ts';
import type { SideName } from './sides.ts';

export interface SideSummary {
  p50: number;
  p99: number;
  max: number;
  requestsPerOp: number;
  requests: number;
}

export interface Summary {
  steps: number;
  passed: number;
  sides: Record<SideName, SideSummary>;
  atRest?: AtRest & { objects: Record<SideName, number> };
  /** Per operation type (the word before the first space of the step): count and each side's numbers. */
  byOp?: Record<string, { count: number } & Record<SideName, SideSummary>>;
}

function quantile(xs: number[], q: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

export function summarise(steps: StepResult[], atRest: AtRest | undefined, objects: Record<SideName, number>): Summary {
  // Operations nobody reacts to (namespace creates) settle at 0 s and would flatten the quantiles.
  const side = (n: SideName): SideSummary => {
    const settle = steps.map((s) => s.settle[n]).filter((x) => x > 0);
    const requests = steps.reduce((a, s) => a + s.requests[n], 0);
    return { p50: quantile(settle, 0.5), p99: quantile(settle, 0.99), max: Math.max(0, ...settle), requests, requestsPerOp: steps.length ? requests / steps.length : 0 };
  };
  const byOp: NonNullable<Summary['byOp']> = {};
  for (const type of [...new Set(steps.map((s) => s.op.split(' ')[0]!))].sort()) {
    const of = steps.filter((s) => s.op.split(' ')[0] === type);
    const sub = (n: SideName): SideSummary => {
      const settle = of.map((s) => s.settle[n]).filter((x) => x > 0);
      const requests = of.reduce((a, s) => a + s.requests[n], 0);
      return { p50: quantile(settle, 0.5), p99: quantile(settle, 0.99), max: Math.max(0, ...settle), requests, requestsPerOp: requests / of.length };
    };
    byOp[type] = { count: of.length, go: sub('go'), ts: sub('ts') };
  }
  return {
    byOp,
    steps: steps.length,
    passed: steps.filter((s) => s.unexplained.length === 0).length,
    sides: { go: side('go'), ts: side('ts') },
    ...(atRest ? { atRest: { ...atRest, objects } } : {}),
  };
}

export function summaryMarkdown(s: Summary, command: string): string {
  const f = (x: number) => x.toFixed(2);
  const rows = [
    `| | Go apinetlet v0.3.0 | this project |`,
    `|---|---|---|`,
    `| settle p50 (s) | ${f(s.sides.go.p50)} | ${f(s.sides.ts.p50)} |`,
    `| settle p99 (s) | ${f(s.sides.go.p99)} | ${f(s.sides.ts.p99)} |`,
    `| settle max (s) | ${f(s.sides.go.max)} | ${f(s.sides.ts.max)} |`,
    `| API requests per operation | ${f(s.sides.go.requestsPerOp)} | ${f(s.sides.ts.requestsPerOp)} |`,
  ];
  if (s.atRest) {
    const perHour = (n: number, objs: number) => (objs ? (n / s.atRest!.windowS) * 3600 / objs : 0);
    rows.push(
      `| requests in ${s.atRest.windowS} s of rest without a resync, per object per hour (${s.atRest.objects.go} objects) | ${f(perHour(s.atRest.go, s.atRest.objects.go))} | ${f(perHour(s.atRest.ts, s.atRest.objects.ts))} |`,
      `| one drift-only resync run (every 5 min), requests per object | – | ${f(s.atRest.objects.ts ? s.atRest.tsDrift / s.atRest.objects.ts : 0)} |`,
      `| one every-key resync run (every 10 h), requests per object | – (controller-runtime re-delivers from its cache every 10 h: 0 requests) | ${f(s.atRest.objects.ts ? s.atRest.tsFull / s.atRest.objects.ts : 0)} |`,
      `| one drift-only run itself: requests ironcore / apinet, messages, keys in drift | – | ${s.atRest.runs?.drift ? `${s.atRest.runs.drift.requests.ironcore} / ${s.atRest.runs.drift.requests.apinet}, ${s.atRest.runs.drift.messages}, ${Object.entries(s.atRest.runs.drift.drift).flatMap(([k, v]) => Object.entries(v).map(([why, n]) => `${k} ${why} ${n}`)).join('; ') || 'none'}` : 'n/a'} |`,
      `| at rest, requests per object per hour at the default schedules | ${f(perHour(s.atRest.go, s.atRest.objects.go))} | ${f(s.atRest.objects.ts ? (s.atRest.tsDrift * 12 + s.atRest.tsFull / 10) / s.atRest.objects.ts : 0)} |`,
    );
  }
  const perOp = s.byOp
    ? [
        '',
        '| operation | steps | settle p50 Go / ours (s) | settle p99 Go / ours (s) | settle max Go / ours (s) | requests per operation Go / ours |',
        '|---|---:|---|---|---|---|',
        ...Object.entries(s.byOp).map(([op, o]) => `| ${op} | ${o.count} | ${f(o.go.p50)} / ${f(o.ts.p50)} | ${f(o.go.p99)} / ${f(o.ts.p99)} | ${f(o.go.max)} / ${f(o.ts.max)} | ${f(o.go.requestsPerOp)} / ${f(o.ts.requestsPerOp)} |`),
      ]
    : [];
  return [`Command: \`${command}\` — ${s.steps} steps, ${s.passed} agreed.`, '', ...rows, ...perOp, ''].join('\n');
}
