/**
 * Reads the SQS queues declared in serverless.yml (the one source of truth) and creates them in a
 * local SQS-protocol server (fauxqs), dead-letter redrive included.
 */
import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { startFauxqs } from 'fauxqs';
import { PRIMARY_KINDS, type PrimaryKind } from '../../../shared/api/resources.ts';

/** CloudFormation short-form tags, kept as plain objects so references can be resolved. */
const cfnTags = ['Ref', 'GetAtt', 'Sub', 'Join', 'Select', 'If', 'Equals', 'ImportValue', 'FindInMap', 'GetAZs', 'Split', 'Not', 'And', 'Or', 'Base64', 'Cidr'].flatMap(
  (name) =>
    (['scalar', 'sequence', 'mapping'] as const).map(
      (kind) => new yaml.Type(`!${name}`, { kind, construct: (data: unknown) => ({ [`Fn::${name}`]: data }) }),
    ),
);
const CFN_SCHEMA = yaml.DEFAULT_SCHEMA.extend(cfnTags);

export interface DeclaredQueue {
  logicalId: string;
  name: string;
  attributes: Record<string, string>;
  /** Logical id of the dead-letter queue, if any. */
  deadLetterQueue?: string;
  maxReceiveCount?: number;
}

export interface DeclaredQueues {
  queues: DeclaredQueue[];
  /** Which queue (logical id) feeds which kind, from the QUEUE_URL_<KIND> environment entries. */
  kindQueues: Record<PrimaryKind, string>;
}

function resolveVars(value: string, stage: string): string {
  return value.replace(/\$\{sls:stage\}/g, stage).replace(/\$\{self:service\}/g, 'apinetlet');
}

function logicalIdOf(ref: unknown): string | undefined {
  if (ref && typeof ref === 'object') {
    const r = ref as Record<string, unknown>;
    if (typeof r['Fn::Ref'] === 'string') return r['Fn::Ref'];
    if (typeof r.Ref === 'string') return r.Ref;
    const att = r['Fn::GetAtt'];
    if (typeof att === 'string') return att.split('.')[0];
    if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  }
  return undefined;
}

/** Parses serverless.yml text into the queues it declares; throws naming what is missing. */
export function declaredQueues(serverlessYml: string, stage = 'local'): DeclaredQueues {
  const doc = yaml.load(serverlessYml, { schema: CFN_SCHEMA }) as Record<string, any>;
  const resources: Record<string, any> = doc?.resources?.Resources ?? {};
  const queues: DeclaredQueue[] = [];
  for (const [logicalId, res] of Object.entries(resources)) {
    if (res?.Type !== 'AWS::SQS::Queue') continue;
    const props = res.Properties ?? {};
    if (typeof props.QueueName !== 'string') throw new Error(`serverless.yml: queue ${logicalId} has no Properties.QueueName`);
    const attributes: Record<string, string> = {};
    if (props.FifoQueue) attributes.FifoQueue = 'true';
    if (props.ContentBasedDeduplication !== undefined) attributes.ContentBasedDeduplication = String(props.ContentBasedDeduplication);
    if (props.VisibilityTimeout !== undefined) attributes.VisibilityTimeout = String(props.VisibilityTimeout);
    if (props.MessageRetentionPeriod !== undefined) attributes.MessageRetentionPeriod = String(props.MessageRetentionPeriod);
    const redrive = props.RedrivePolicy;
    queues.push({
      logicalId,
      name: resolveVars(props.QueueName, stage),
      attributes,
      deadLetterQueue: redrive ? logicalIdOf(redrive.deadLetterTargetArn) : undefined,
      maxReceiveCount: redrive ? Number(redrive.maxReceiveCount) : undefined,
    });
  }
  const env: Record<string, unknown> = doc?.provider?.environment ?? {};
  const kindQueues = {} as Record<PrimaryKind, string>;
  const missing: string[] = [];
  for (const kind of PRIMARY_KINDS) {
    const id = logicalIdOf(env[`QUEUE_URL_${kind.toUpperCase()}`]);
    if (!id || !queues.some((q) => q.logicalId === id)) missing.push(`QUEUE_URL_${kind.toUpperCase()}`);
    else kindQueues[kind] = id;
  }
  if (missing.length) throw new Error(`serverless.yml: provider.environment must reference a declared queue for ${missing.join(', ')}`);
  return { queues, kindQueues };
}

export interface LocalSqs {
  endpoint: string;
  /** Queue URL per kind. */
  queues: Record<PrimaryKind, string>;
  /** Dead-letter queue URL per kind. */
  deadLetterQueues: Partial<Record<PrimaryKind, string>>;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';


/** Starts fauxqs on a free local port with every queue of serverless.yml (dead-letter queues first). */
export async function startLocalSqs(opts: { serverlessYmlPath: string; port?: number; stage?: string }): Promise<LocalSqs> {
  const declared = declaredQueues(await readFile(opts.serverlessYmlPath, 'utf8'), opts.stage);
  // No `host`: fauxqs then makes queue URLs `http://127.0.0.1:<port>/…`. With a host it makes
  // `sqs.<region>.<host>:<port>`, which for an IP address is no valid URL (the last label is numeric).
  const server = await startFauxqs({ port: opts.port ?? 0, logger: false, defaultRegion: REGION });
  const created = new Map<string, { queueUrl: string; queueArn: string }>();
  const ordered = [...declared.queues].sort((a, b) => Number(!!a.deadLetterQueue) - Number(!!b.deadLetterQueue));
  for (const q of ordered) {
    const attributes = { ...q.attributes };
    if (q.deadLetterQueue) {
      const dlq = created.get(q.deadLetterQueue);
      if (!dlq) throw new Error(`serverless.yml: dead-letter queue ${q.deadLetterQueue} of ${q.logicalId} is not declared`);
      attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(q.maxReceiveCount ?? 5) });
    }
    const { queueUrl, queueArn } = server.createQueue(q.name, { attributes });
    created.set(q.logicalId, { queueUrl, queueArn });
  }
  const queues = {} as Record<PrimaryKind, string>;
  const deadLetterQueues: Partial<Record<PrimaryKind, string>> = {};
  for (const kind of PRIMARY_KINDS) {
    const q = declared.queues.find((x) => x.logicalId === declared.kindQueues[kind])!;
    queues[kind] = created.get(q.logicalId)!.queueUrl;
    if (q.deadLetterQueue) deadLetterQueues[kind] = created.get(q.deadLetterQueue)!.queueUrl;
  }
  return { endpoint: server.address, queues, deadLetterQueues, stop: () => server.stop() };
}
