/**
 * Runs a script on both sides, step by step: the same operation on both at the same moment, then
 * wait until both are quiet, then compare the normalised snapshots. Measures, per side, the seconds
 * from each operation until its last visible change and the requests the side's controller sent
 * (counted by its kube-apiservers' audit logs).
 */
import { explain } from './allow.ts';
import { applyOp, type Outcome } from './apply.ts';
import { describeOp, type Op, type Script } from './ops.ts';
import { differences, Names, snapshot, type Difference, type Snapshot } from './snapshot.ts';
import type { Requests, Side, SideName } from './sides.ts';

export interface StepResult {
  index: number;
  op: string;
  outcome: Record<SideName, Outcome>;
  /** Seconds from the operation until the side's last visible change. */
  settle: Record<SideName, number>;
  requests: Record<SideName, number>;
  /** Differences no rule explains (the step fails). */
  unexplained: Difference[];
  /** Differences a rule of behavior.md explains. */
  explained: { diff: Difference; rule: string }[];
}

export interface RunOptions {
  /** Unchanged this long = quiet (default 1 s; a side still busy after that fails to agree and is polled again). */
  quietMs?: number;
  /** After quiet and still different, wait this long for the sides to agree (default 12 s). */
  agreeMs?: number;
  onStep?: (r: StepResult) => void;
}

const sum = (r: Requests) => [...Object.values(r.ironcore), ...Object.values(r.apinet)].reduce((a, b) => a + b, 0);

export class Differential {
  readonly names: Record<SideName, Names> = { go: new Names(), ts: new Names() };
  readonly history: Op[] = [];
  readonly requestsByVerb: Record<SideName, Requests> = { go: { ironcore: {}, apinet: {} }, ts: { ironcore: {}, apinet: {} } };
  last: Record<SideName, Snapshot> = { go: {}, ts: {} };
  constructor(readonly sides: Record<SideName, Side>) {}

  private async requests(side: SideName): Promise<number> {
    const r = await this.sides[side].takeRequests();
    for (const c of ['ironcore', 'apinet'] as const) for (const [v, n] of Object.entries(r[c])) this.requestsByVerb[side][c][v] = (this.requestsByVerb[side][c][v] ?? 0) + n;
    return sum(r);
  }

  /**
   * Polls a side until its snapshot has not changed for quietMs; returns it and the time its last
   * change was seen (`from` is the snapshot before; resolution: one poll, 200 ms plus the LISTs).
   */
  private async quiet(side: SideName, from: Snapshot, since: number, quietMs: number, maxMs: number): Promise<{ snap: Snapshot; lastChange: number }> {
    let prev = stable(from);
    let snap = from;
    let lastChange = since;
    let stableSince = Date.now();
    const start = stableSince;
    for (;;) {
      const next = await snapshot(this.sides[side], this.names[side]);
      const now = Date.now();
      const s = stable(next);
      if (s !== prev) {
        if (process.env.DIFF_DEBUG) console.error(side, now - start, JSON.stringify(differences(snap, next)).slice(0, 600));
        lastChange = now;
        prev = s;
        stableSince = now;
      }
      snap = next;
      if (now - stableSince >= quietMs || now - start > maxMs) return { snap, lastChange };
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async step(index: number, op: Op, opts: RunOptions = {}): Promise<StepResult> {
    const quietMs = opts.quietMs ?? 1_000;
    const agreeMs = opts.agreeMs ?? 12_000;
    await Promise.all([this.requests('go'), this.requests('ts')]);
    const t0 = Date.now();
    const [go, ts] = await Promise.all([applyOp(this.sides.go, op), applyOp(this.sides.ts, op)]);
    this.history.push(op);
    const deadline = Date.now() + agreeMs;
    let q: Record<SideName, { snap: Snapshot; lastChange: number }> | undefined;
    let diffs: Difference[];
    let rest: { unexplained: Difference[]; explained: { diff: Difference; rule: string }[] };
    for (;;) {
      const [qg, qt] = await Promise.all([this.quiet('go', q?.go.snap ?? this.last.go, q?.go.lastChange ?? t0, quietMs, 60_000), this.quiet('ts', q?.ts.snap ?? this.last.ts, q?.ts.lastChange ?? t0, quietMs, 60_000)]);
      q = { go: qg, ts: qt };
      diffs = differences(qg.snap, qt.snap);
      rest = this.explain(diffs, { go: qg.snap, ts: qt.snap });
      if (rest.unexplained.length === 0 || Date.now() > deadline) break;
    }
    this.last = { go: q.go.snap, ts: q.ts.snap };
    const result: StepResult = {
      index,
      op: describeOp(op),
      outcome: { go, ts },
      settle: { go: (q.go.lastChange - t0) / 1000, ts: (q.ts.lastChange - t0) / 1000 },
      requests: { go: await this.requests('go'), ts: await this.requests('ts') },
      ...rest,
    };
    if (go !== ts) result.unexplained.unshift({ key: `outcome of ${result.op}`, go, ts });
    opts.onStep?.(result);
    return result;
  }

  /** `now`: the snapshots compared (the rules look up other objects of the same moment). */
  private explain(diffs: Difference[], now: Record<SideName, Snapshot>) {
    const unexplained: Difference[] = [];
    const explained: { diff: Difference; rule: string }[] = [];
    for (const d of diffs) {
      const e = explain(d, { history: this.history, go: now.go, ts: now.ts });
      if (e.rules) explained.push({ diff: d, rule: e.rules.join(' + ') });
      // What is left after the rules that apply, so the report shows the part no rule explains.
      else unexplained.push({ key: d.key, go: e.go, ts: e.ts });
    }
    return { unexplained, explained };
  }

  async script(s: Script, opts: RunOptions = {}): Promise<StepResult[]> {
    const out: StepResult[] = [];
    for (const [i, op] of s.ops.entries()) out.push(await this.step(i, op, opts));
    return out;
  }

  /** Objects at rest (ironcore primaries on each side). */
  objectsAtRest(side: SideName): number {
    return Object.keys(this.last[side]).filter((k) => k.startsWith('ironcore ')).length;
  }

  /**
   * Requests over `ms` of rest, per side; for ts also one run of each scheduled resync measured on
   * its own (the drift-only run every 5 min, the every-key run every 10 h), with the reconciles of
   * the keys it enqueued (they settle within seconds).
   */
  async atRest(ms: number): Promise<AtRest> {
    await Promise.all([this.requests('go'), this.requests('ts')]);
    await new Promise((r) => setTimeout(r, ms));
    const go = await this.requests('go');
    const ts = await this.requests('ts');
    const runs: AtRest['runs'] = {};
    const resync = async (mode: 'drift' | 'full') => {
      const s = (await this.sides.ts.resync?.(mode)) as { messages?: number; drift?: Record<string, Record<string, number>>; requests?: { ironcore: number; apinet: number } } | undefined;
      runs[mode] = { messages: s?.messages ?? 0, requests: s?.requests ?? { ironcore: 0, apinet: 0 }, drift: Object.fromEntries(Object.entries(s?.drift ?? {}).filter(([, v]) => Object.keys(v).length > 0)) };
      await new Promise((r) => setTimeout(r, 4_000));
      return this.requests('ts');
    };
    const tsDrift = await resync('drift');
    const tsFull = await resync('full');
    return { windowS: ms / 1000, go, ts, tsDrift, tsFull, runs };
  }
}

export interface AtRest {
  windowS: number;
  go: number;
  ts: number;
  /** Requests of one drift-only resync run (and what it caused). */
  tsDrift: number;
  /** Requests of one every-key resync run (and the reconciles it caused). */
  tsFull: number;
  /** The runs' own reports: messages sent, requests the resync itself sent, drift keys per kind and reason. */
  runs: Partial<Record<'drift' | 'full', { messages: number; requests: { ironcore: number; apinet: number }; drift: Record<string, Record<string, number>> }>>;
}

/** JSON of a snapshot independent of key order. */
const stable = (s: Snapshot) => JSON.stringify(Object.keys(s).sort().map((k) => [k, s[k]]));

/** The first differing object, field by field: `path: go=… ts=…` per differing leaf. */
export function formatDiff(d: Difference): string {
  const lines: string[] = [];
  const walk = (path: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    const obj = (v: unknown) => v !== null && typeof v === 'object';
    if (obj(a) && obj(b) && Array.isArray(a) === Array.isArray(b)) {
      const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])];
      for (const k of keys) walk(path ? `${path}.${k}` : k, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
      return;
    }
    lines.push(`  ${path || '(object)'}: go=${a === undefined ? '(absent)' : JSON.stringify(a)} ts=${b === undefined ? '(absent)' : JSON.stringify(b)}`);
  };
  walk('', d.go, d.ts);
  return `${d.key}\n${lines.join('\n')}`;
}
