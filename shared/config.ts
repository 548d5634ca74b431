import { z } from 'zod';
import { PRIMARY_KINDS, type PrimaryKind } from './api/resources.ts';

/**
 * The environment of every function (ARCHITECTURE.md 7), validated once at start. A bad setting
 * stops the function with ONE error that names every bad or missing variable and what to set.
 */
export interface Config {
  /** Namespace in the apinet cluster for all projections. */
  apinetNamespace: string;
  /** Path, YAML or base64 YAML; undefined → in-cluster / ~/.kube/config. */
  ironcoreKubeconfig?: string;
  apinetKubeconfig?: string;
  /** Only objects labelled `common.ironcore.dev/watch-filter=<value>`; undefined = all. */
  watchFilter?: string;
  nodeAffinityAware: boolean;
  disableNetworkPeering: boolean;
  /** FIFO queue per kind (QUEUE_URL_<KIND>); only the kinds that were set. */
  queueUrls: Partial<Record<PrimaryKind, string>>;
  webhookToken?: string;
  natAutoscaling: boolean;
  /** Seconds between resync runs of the local stack's timer. */
  resyncIntervalSeconds: number;
  /** Client-side request budget per function instance and cluster (APINETLET_KUBE_QPS, APINETLET_KUBE_BURST). */
  kubeBudget: { qps: number; burst: number };
  /** Seconds between full (every-key) resync runs of the local stack's timer; the frequent ones are drift-only. */
  fullResyncIntervalSeconds: number;
  /** SQS endpoint override for local use (SQS_ENDPOINT), e.g. http://127.0.0.1:4566. */
  sqsEndpoint?: string;
  /** AWS_REGION (the SDK default otherwise). */
  awsRegion?: string;
  /** SSM parameter names of the secrets (SecureString), read through shared/secrets.ts; they win over the plain variables. */
  ironcoreKubeconfigParameter?: string;
  apinetKubeconfigParameter?: string;
  webhookTokenParameter?: string;
  /** SSM endpoint override for local use (SSM_ENDPOINT). */
  ssmEndpoint?: string;
}

/** What the calling function cannot run without, beyond APINET_NAMESPACE. */
export interface ConfigNeeds {
  /** The webhooks: WEBHOOK_TOKEN. */
  webhookToken?: boolean;
  /** Queue URLs that must be set: some kinds, or 'all' (webhooks and resync enqueue to every kind). */
  queues?: readonly PrimaryKind[] | 'all';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** `QUEUE_URL_NETWORK`, `QUEUE_URL_LOADBALANCER`, … */
export const queueUrlVariable = (kind: PrimaryKind): string => `QUEUE_URL_${kind.toUpperCase()}`;

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const bool = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = v?.trim().toLowerCase();
      if (s === undefined || s === '') return def;
      if (s === 'true' || s === '1') return true;
      if (s === 'false' || s === '0') return false;
      ctx.addIssue({ code: 'custom', message: `must be true, false, 1 or 0 (got "${v}")` });
      return z.NEVER;
    });
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v : undefined));
const url = (hint: string) =>
  optionalText.refine((v) => v === undefined || URL.canParse(v), { message: `must be a URL (${hint})` });

const ssmName = optionalText.refine((v) => v === undefined || /^[A-Za-z0-9_.\-/]{1,2011}$/.test(v.trim()), {
  message: 'must be an SSM parameter name (letters, digits and _ . - /, e.g. /apinetlet/prod/webhook-token)',
});

/** A number > 0 (requests per second, burst size); `dflt` when unset. */
const positiveNumber = (dflt: number) =>
  optionalText.transform((v, ctx) => {
    if (v === undefined) return dflt;
    const n = Number(v.trim());
    if (!Number.isFinite(n) || n <= 0) {
      ctx.addIssue({ code: 'custom', message: `must be a number > 0 (got "${v}")` });
      return z.NEVER;
    }
    return n;
  });

const EnvSchema = z.object({
  APINET_NAMESPACE: z
    .string({ error: 'is required: the namespace in the apinet cluster for all projections, e.g. APINET_NAMESPACE=apinet' })
    .trim()
    .min(1, 'is required: the namespace in the apinet cluster for all projections, e.g. APINET_NAMESPACE=apinet')
    .max(63, 'must be at most 63 characters (a namespace name)')
    .regex(dnsLabel, 'must be a namespace name (lowercase letters, digits and "-", starting and ending alphanumeric)'),
  IRONCORE_KUBECONFIG: optionalText,
  APINET_KUBECONFIG: optionalText,
  APINETLET_WATCH_FILTER: optionalText.refine((v) => v === undefined || (v.length <= 63 && labelValue.test(v)), {
    message: 'must be a label value (at most 63 of A-Z a-z 0-9 - _ ., alphanumeric at both ends)',
  }),
  APINETLET_NODE_AFFINITY_AWARE: bool(false),
  APINETLET_DISABLE_NETWORK_PEERING: bool(false),
  WEBHOOK_TOKEN: optionalText,
  NAT_AUTOSCALING: bool(true),
  APINETLET_RESYNC_INTERVAL: optionalText.transform((v, ctx) => {
    if (v === undefined) return 300;
    const n = Number(v.trim());
    if (!Number.isInteger(n) || n < 1) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number of seconds >= 1 (got "${v}")` });
      return z.NEVER;
    }
    return n;
  }),
  APINETLET_FULL_RESYNC_INTERVAL: optionalText.transform((v, ctx) => {
    if (v === undefined) return 36_000;
    const n = Number(v.trim());
    if (!Number.isInteger(n) || n < 1) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number of seconds >= 1 (got "${v}")` });
      return z.NEVER;
    }
    return n;
  }),
  APINETLET_KUBE_QPS: positiveNumber(20),
  APINETLET_KUBE_BURST: positiveNumber(30),
  SQS_ENDPOINT: url('the SQS endpoint for local use, e.g. http://127.0.0.1:4566'),
  SSM_ENDPOINT: url('the SSM endpoint for local use, e.g. http://127.0.0.1:5000'),
  IRONCORE_KUBECONFIG_PARAMETER: ssmName,
  APINET_KUBECONFIG_PARAMETER: ssmName,
  WEBHOOK_TOKEN_PARAMETER: ssmName,
  AWS_REGION: optionalText,
  ...Object.fromEntries(PRIMARY_KINDS.map((k) => [queueUrlVariable(k), url(`the ${k} FIFO queue URL`)])),
});

/** Reads the configuration from `env` (process.env by default); throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env, needs: ConfigNeeds = {}): Config {
  const parsed = EnvSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${String(issue.path[0] ?? '(environment)')} ${issue.message}`);
  }
  const queueUrls: Partial<Record<PrimaryKind, string>> = {};
  for (const kind of PRIMARY_KINDS) {
    const v = env[queueUrlVariable(kind)]?.trim();
    if (v && URL.canParse(v)) queueUrls[kind] = v;
  }
  const neededKinds = needs.queues === 'all' ? PRIMARY_KINDS : (needs.queues ?? []);
  for (const kind of neededKinds) {
    if (!env[queueUrlVariable(kind)]?.trim()) problems.push(`${queueUrlVariable(kind)} is required: set it to the URL of the ${kind} FIFO queue`);
  }
  if (needs.webhookToken && !env.WEBHOOK_TOKEN?.trim() && !env.WEBHOOK_TOKEN_PARAMETER?.trim()) {
    problems.push('WEBHOOK_TOKEN_PARAMETER (or WEBHOOK_TOKEN) is required: the SSM parameter holding the secret the API servers present to the webhooks (or, locally, the secret itself)');
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    apinetNamespace: e.APINET_NAMESPACE,
    ironcoreKubeconfig: e.IRONCORE_KUBECONFIG,
    apinetKubeconfig: e.APINET_KUBECONFIG,
    watchFilter: e.APINETLET_WATCH_FILTER,
    nodeAffinityAware: e.APINETLET_NODE_AFFINITY_AWARE,
    disableNetworkPeering: e.APINETLET_DISABLE_NETWORK_PEERING,
    queueUrls,
    webhookToken: e.WEBHOOK_TOKEN,
    natAutoscaling: e.NAT_AUTOSCALING,
    resyncIntervalSeconds: e.APINETLET_RESYNC_INTERVAL,
    fullResyncIntervalSeconds: e.APINETLET_FULL_RESYNC_INTERVAL,
    kubeBudget: { qps: e.APINETLET_KUBE_QPS, burst: e.APINETLET_KUBE_BURST },
    sqsEndpoint: e.SQS_ENDPOINT,
    awsRegion: e.AWS_REGION,
    ironcoreKubeconfigParameter: e.IRONCORE_KUBECONFIG_PARAMETER?.trim(),
    apinetKubeconfigParameter: e.APINET_KUBECONFIG_PARAMETER?.trim(),
    webhookTokenParameter: e.WEBHOOK_TOKEN_PARAMETER?.trim(),
    ssmEndpoint: e.SSM_ENDPOINT,
  };
}
