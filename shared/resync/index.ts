/**
 * The scheduled function's work (ARCHITECTURE.md 6): NAT gateway autoscaling, full resync of
 * every ironcore key, orphan sweep. Each phase checks the deadline and stops starting new work
 * when the Lambda's remaining time runs low; the next run starts over (it holds no state).
 *
 * Order: the origin metadata migration first (R-MIG-01: the Go apinetlet runs it before any
 * controller), NAT autoscaling (few objects, and demand that waits a period costs connectivity),
 * then the full resync, then orphans (their keys only matter once the live keys are queued).
 */
import { randomUUID } from 'node:crypto';
import { PRIMARY_KINDS, type PrimaryKind } from '../api/resources.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Enqueuer } from '../queue/enqueue.ts';
import { recordResync, type Metrics } from '../log.ts';
import { autoscaleNatGateways, natAutoscalingSources, type NatScaleEvent } from './autoscale.ts';
import { createDeadline } from './deadline.ts';
import { driftResync, driftSnapshot, type DriftReason } from './drift.ts';
import { fullResync } from './full.ts';
import { migrateOriginNameLabels } from './migrate.ts';
import { sweepOrphans } from './orphans.ts';
import { createEnqueueSink } from './sink.ts';
import { Snapshot } from './snapshot.ts';

export { NAT_AUTOSCALER_FIELD_MANAGER } from './autoscale.ts';
export { resyncMessage } from './full.ts';
export { driftResync, type DriftReason } from './drift.ts';
export { isOrphan, orphanCandidate, orphanMessage, PROJECTIONS } from './orphans.ts';
export { createDeadline, type Deadline } from './deadline.ts';
export { createEnqueueSink, type EnqueueSink, type SinkCounts } from './sink.ts';

export interface ResyncLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface ResyncDeps {
  ironcore: KubeClient;
  apinet: KubeClient;
  enqueuer: Enqueuer;
  logger?: ResyncLogger;
  /** Powertools metrics of each run (recordResync); none when absent. */
  metrics?: Metrics;
  /** For the names of new NAT IP entries; Math.random by default. */
  random?: () => number;
}

export interface ResyncOptions {
  apinetNamespace: string;
  /**
   * `full`: every ironcore key is enqueued, then the orphan sweep (the safety net, on its long
   * schedule); `drift`: only the keys whose listed state differs from what the cores compute,
   * orphans from the same LISTs (the frequent schedule). Default `full`.
   */
  mode?: 'full' | 'drift';
  /** APINETLET_DISABLE_NETWORK_PEERING, for the drift checks of Networks; default false. */
  peeringDisabled?: boolean;
  /** APINETLET_NODE_AFFINITY_AWARE, for the drift checks of LoadBalancers; default false. */
  nodeAffinityAware?: boolean;
  /** APINETLET_WATCH_FILTER (R-GEN-03); undefined = everything. */
  watchFilter?: string;
  /** NAT_AUTOSCALING; default true. */
  natAutoscaling?: boolean;
  /** Distinguishes this run's messages for SQS deduplication; a fresh UUID by default. */
  run?: string;
  /** LIST page size (`limit`); default 500. */
  pageSize?: number;
  /** The Lambda's getRemainingTimeInMillis; undefined = no limit. */
  remainingMs?: () => number;
  /** Time kept free at the end; default 20 % of the time left at start, at least 10 s. */
  reserveMs?: number;
  /** Messages per enqueue call and calls in flight (see createEnqueueSink). */
  chunkSize?: number;
  maxPendingChunks?: number;
  /** Skip phases (tests, benchmarks). */
  phases?: { migration?: boolean; full?: boolean; orphans?: boolean };
}

export interface ResyncSummary {
  run: string;
  mode: 'full' | 'drift';
  /** drift mode: keys enqueued per kind and reason (orphans included); empty in full mode. */
  drift: Record<PrimaryKind, Partial<Record<DriftReason, number>>> | Record<string, never>;
  /** drift mode: apinet projections listed per origin kind. */
  projectionsListed?: Record<PrimaryKind, number>;
  /** Keys put on the queues by the full resync, per kind. */
  enqueued: Record<PrimaryKind, number>;
  listed: Record<PrimaryKind, number>;
  /** Listed but left out by the watch filter or an external manager (R-GEN-03/04). */
  excluded: Record<PrimaryKind, number>;
  /** Projections whose source is gone, per origin kind (each key enqueued). */
  orphans: Record<PrimaryKind, number>;
  /** Messages SQS did not take (after the enqueuer's retries). */
  enqueueFailed: number;
  nat: { enabled: boolean; autoscalers: number; scaled: NatScaleEvent[]; unchanged: number; skipped: number; conflicts: number };
  /** R-MIG-01: projections moved from the old name label to the name annotation. */
  migrated: number;
  /** Set when the run stopped starting new work because the remaining time fell below the reserve. */
  stoppedEarly?: { remainingMs: number; incomplete: string[] };
  errors: string[];
  /** Messages SQS took in this run (keys + orphans). */
  messages: number;
  /** API requests this run sent, per cluster (the clients' own counts). */
  requests: { ironcore: number; apinet: number };
  /** Peak resident set size of the process so far (process.resourceUsage().maxRSS), bytes. */
  peakRssBytes: number;
  durationMs: number;
}

const MAX_ERRORS = 50;

export async function runResync(deps: ResyncDeps, opts: ResyncOptions): Promise<ResyncSummary> {
  const started = Date.now();
  const total = (c: KubeClient) => Object.values(c.apiCallTotals()).reduce((a, b) => a + b, 0);
  const requestsBefore = { ironcore: total(deps.ironcore), apinet: total(deps.apinet) };
  const run = opts.run ?? randomUUID();
  const pageSize = opts.pageSize ?? 500;
  const deadline = createDeadline(opts.remainingMs, opts.reserveMs);
  const log = deps.logger;
  const errors: string[] = [];
  const incomplete: string[] = [];

  const mode = opts.mode ?? 'full';
  const migrate = async () => {
    const m = await migrateOriginNameLabels({ apinet: deps.apinet, deadline }, { apinetNamespace: opts.apinetNamespace, pageSize });
    errors.push(...m.errors);
    if (m.stopped) incomplete.push('migration');
    if (m.conflicts) log?.warn(`origin migration: ${m.conflicts} object(s) changed meanwhile; the next run migrates them`);
    return m;
  };
  // Drift mode: the migration's own LISTs only when the drift snapshot saw old labels (below), so a
  // run at rest sends one LIST per page, kind and cluster.
  let migration = opts.phases?.migration === false || mode === 'drift' ? undefined : await migrate();

  const natEnabled = opts.natAutoscaling ?? true;
  // Drift mode: one snapshot for the NAT autoscaling and the drift checks, which read the same
  // autoscaler and NATGateway lists (one LIST of each per run). Full mode: the phase's own two LISTs.
  const natUses = natEnabled ? [natAutoscalingSources(opts.apinetNamespace)] : [];
  const snapshot =
    mode === 'drift' && opts.phases?.full !== false
      ? driftSnapshot(deps, pageSize, opts.apinetNamespace, PRIMARY_KINDS, natUses)
      : new Snapshot({ ironcore: deps.ironcore, apinet: deps.apinet }, pageSize, natUses);
  const nat = natEnabled ? await autoscaleNatGateways({ apinet: deps.apinet, deadline, snapshot, random: deps.random }, { apinetNamespace: opts.apinetNamespace }) : undefined;
  if (nat) {
    errors.push(...nat.errors);
    if (nat.stopped) incomplete.push('nat-autoscaling');
    for (const c of nat.conflicts) log?.warn(`NAT autoscaling conflict: ${c}`);
  }

  const sink = createEnqueueSink(deps.enqueuer, { chunkSize: opts.chunkSize, maxPending: opts.maxPendingChunks });
  let full: Awaited<ReturnType<typeof fullResync>> | undefined;
  let orphans: Awaited<ReturnType<typeof sweepOrphans>> | undefined;
  let drift: Awaited<ReturnType<typeof driftResync>> | undefined;
  let afterFull: ReturnType<typeof sink.counts>;
  if (mode === 'drift') {
    drift =
      opts.phases?.full === false
        ? undefined
        : await driftResync(
            { ironcore: deps.ironcore, apinet: deps.apinet, sink, deadline, snapshot },
            { run, watchFilter: opts.watchFilter, pageSize, settings: { apinetNamespace: opts.apinetNamespace, peeringDisabled: opts.peeringDisabled ?? false, nodeAffinityAware: opts.nodeAffinityAware ?? false } },
          );
    await sink.flush();
    afterFull = sink.counts();
    if (drift && drift.unmigrated > 0 && opts.phases?.migration !== false) migration = await migrate();
    if (drift) {
      errors.push(...drift.errors);
      incomplete.push(...drift.incomplete.map((k) => `drift:${k}`));
      // Orphan messages are part of `orphans`, not of `enqueued`.
      for (const k of Object.keys(drift.orphans) as PrimaryKind[]) afterFull.sent[k] -= drift.orphans[k];
    }
  } else {
    full =
      opts.phases?.full === false
        ? undefined
        : await fullResync({ ironcore: deps.ironcore, sink, deadline }, { run, watchFilter: opts.watchFilter, pageSize });
    if (full) {
      errors.push(...full.errors);
      incomplete.push(...full.incomplete.map((k) => `full:${k}`));
    }
    // Flushed before the sweep so the per-kind counts of the full resync are its own.
    await sink.flush();
    afterFull = sink.counts();

    orphans =
      opts.phases?.orphans === false
        ? undefined
        : await sweepOrphans({ ironcore: deps.ironcore, apinet: deps.apinet, sink, deadline }, { run, apinetNamespace: opts.apinetNamespace, pageSize });
  }
  await sink.flush();
  const counts = sink.counts();
  if (orphans) {
    errors.push(...orphans.errors);
    incomplete.push(...orphans.incomplete.map((k) => `orphans:${k}`));
  }
  const enqueueFailed = Object.values(counts.failed).reduce((a, b) => a + b, 0);
  if (enqueueFailed > 0) errors.push(`enqueue: ${enqueueFailed} message(s) not sent; first: ${counts.failureSamples.join('; ')}`);

  const stopped = Boolean(migration?.stopped || nat?.stopped || full?.stopped || orphans?.stopped || drift?.stopped);
  const summary: ResyncSummary = {
    run,
    mode,
    drift: drift?.drift ?? {},
    ...(drift ? { projectionsListed: drift.projections } : {}),
    enqueued: afterFull.sent,
    listed: full?.listed ?? drift?.listed ?? zero(),
    excluded: full?.excluded ?? drift?.excluded ?? zero(),
    orphans: orphans?.orphans ?? drift?.orphans ?? zero(),
    enqueueFailed,
    nat: {
      enabled: natEnabled,
      autoscalers: nat?.autoscalers ?? 0,
      scaled: nat?.scaled ?? [],
      unchanged: nat?.unchanged ?? 0,
      skipped: nat?.skipped ?? 0,
      conflicts: nat?.conflicts.length ?? 0,
    },
    migrated: migration?.migrated ?? 0,
    ...(stopped ? { stoppedEarly: { remainingMs: deadline.remainingMs(), incomplete } } : {}),
    errors: errors.slice(0, MAX_ERRORS),
    messages: Object.values(counts.sent).reduce((a, b) => a + b, 0),
    requests: { ironcore: total(deps.ironcore) - requestsBefore.ironcore, apinet: total(deps.apinet) - requestsBefore.apinet },
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    durationMs: Date.now() - started,
  };
  if (deps.metrics) recordResync(deps.metrics, { mode, listed: summary.listed, drift: summary.drift, messages: summary.messages, requests: summary.requests, durationMs: summary.durationMs, peakRssBytes: summary.peakRssBytes });

  if (stopped) {
    log?.warn(`resync stopped early: ${summary.stoppedEarly?.remainingMs} ms left (reserve ${deadline.reserveMs} ms); not finished: ${incomplete.join(', ')}; the next run starts over`);
  }
  for (const e of summary.errors) log?.error(e);
  log?.info('resync done', {
    run,
    mode,
    ...(drift ? { drift: drift.drift, driftSamples: drift.samples } : {}),
    enqueued: summary.enqueued,
    excluded: summary.excluded,
    orphans: summary.orphans,
    enqueueFailed,
    natGatewaysScaled: summary.nat.scaled.length,
    migrated: summary.migrated,
    nat: summary.nat,
    listed: summary.listed,
    messages: summary.messages,
    requests: summary.requests,
    peakRssBytes: summary.peakRssBytes,
    durationMs: summary.durationMs,
  });
  return summary;
}

function zero(): Record<PrimaryKind, number> {
  return { Network: 0, LoadBalancer: 0, NATGateway: 0, NetworkPolicy: 0, VirtualIP: 0, NetworkInterface: 0 };
}
