/**
 * `npm run redrive -- --kind Network [--dry-run]`: lists the keys in a kind's dead-letter queue
 * (receive count, first sent, last error) and moves them back onto the kind's main queue
 * (shared/queue/redrive.ts). The last error is the newest Warning Event the reconcile recorded on
 * the ironcore object (shared/reconcile/events.ts), read with the operator's ironcore kubeconfig.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PRIMARY_KINDS, type PrimaryKind } from '../../shared/api/resources.ts';
import { queueUrlVariable } from '../../shared/config.ts';
import { deadLetterQueueUrlOf, redriveDeadLetters } from '../../shared/queue/redrive.ts';
import { createSqsClient } from '../../shared/queue/sqs.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from '../../shared/kube/index.ts';
import { lastWarningOf } from '../../shared/reconcile/events.ts';
import { oneOf, parseCommandLine } from './cli-args.ts';
import { DEFAULT_DIR } from './stack/args.ts';

const LOCAL_KUBECONFIG = join(DEFAULT_DIR, 'ironcore.kubeconfig');
const HELP = `Usage: npm run redrive -- --kind <Kind|all> [--dry-run] [--queue-url URL] [--dlq-url URL] [--endpoint URL] [--region R] [--ironcore-kubeconfig F]

Lists the keys in a kind's dead-letter queue with their receive counts and last error, and moves
them back onto the kind's main FIFO queue (same body and MessageGroupId, a deduplication id of
their own).

  --kind K       ${PRIMARY_KINDS.join(', ')} or all
  --dry-run      list only; move nothing
  --queue-url U  the main queue (default: $QUEUE_URL_<KIND>, e.g. QUEUE_URL_NETWORK)
  --dlq-url U    the dead-letter queue (default: the main queue's name with -dlq before .fifo)
  --endpoint U   SQS endpoint (default: $SQS_ENDPOINT, else AWS)
  --region R     AWS region (default: $AWS_REGION)
  --ironcore-kubeconfig F
                 where the last errors are read: the newest Warning Event apinetlet recorded on
                 each key's ironcore object (needs \`list events\`). Default: $IRONCORE_KUBECONFIG,
                 else ${LOCAL_KUBECONFIG} when it exists (npm start); without one, no last error
                 is shown. Every reconcile log line carries the key and messageId printed here too.`;

const cli = parseCommandLine({
  command: 'npm run redrive --',
  help: HELP,
  options: {
    kind: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'queue-url': { type: 'string' },
    'dlq-url': { type: 'string' },
    endpoint: { type: 'string' },
    region: { type: 'string' },
    'ironcore-kubeconfig': { type: 'string' },
  },
});
const { values } = cli;
const kindArg = oneOf(cli, '--kind', values.kind, [...PRIMARY_KINDS, 'all'] as const);
const kinds: PrimaryKind[] = kindArg === 'all' ? [...PRIMARY_KINDS] : [kindArg];
if (kinds.length > 1 && (values['queue-url'] || values['dlq-url'])) cli.fail('--queue-url/--dlq-url name one queue; use them with one --kind');
const isUrl = (s: string) => /^https?:\/\/\S+$/.test(s);
for (const f of ['queue-url', 'dlq-url', 'endpoint'] as const) {
  const v = values[f];
  if (v !== undefined && !isUrl(v)) cli.fail(`--${f} must be an http(s) URL (got ${JSON.stringify(v)})`);
}
const endpoint = values.endpoint ?? process.env.SQS_ENDPOINT;
const sqs = createSqsClient({ endpoint, region: values.region ?? process.env.AWS_REGION, ...(endpoint ? { credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local' } } : {}) });

const kubeconfigFile = values['ironcore-kubeconfig'] ?? (process.env.IRONCORE_KUBECONFIG?.trim() || (existsSync(LOCAL_KUBECONFIG) ? LOCAL_KUBECONFIG : undefined));
let ironcoreClient: KubeClient | undefined;
if (kubeconfigFile) {
  try {
    ironcoreClient = createKubeClient(loadKubeConfig(kubeconfigFile, 'ironcore kubeconfig'));
  } catch (err) {
    cli.fail(`--ironcore-kubeconfig: ${(err as Error).message.split('\n')[0]}`);
  }
}
/** One lookup problem is printed once; then the remaining keys say "not looked up". */
let lookupProblem: string | undefined;
async function lastErrorText(kind: PrimaryKind, d: { key: string; uid?: string }): Promise<string> {
  if (!ironcoreClient) return 'not looked up (no ironcore kubeconfig; pass --ironcore-kubeconfig)';
  if (lookupProblem) return 'not looked up (see above)';
  const [namespace, name] = d.key.split('/');
  if (!namespace || !name) return 'unknown (the key is not <namespace>/<name>)';
  try {
    const w = await lastWarningOf(ironcoreClient, kind, { namespace, name, uid: d.uid });
    if (!w) return 'no Warning Event recorded (see the reconcile logs by key and messageId)';
    return `${w.reason}: ${w.message}${w.count > 1 ? ` (${w.count} times` : ' (once'}${w.at ? `, last ${w.at})` : ')'}`;
  } catch (err) {
    lookupProblem = (err as Error).message.split('\n')[0];
    console.log(`  (cannot read Events from the ironcore cluster: ${lookupProblem})`);
    return 'not looked up';
  }
}

let problems = 0;
for (const kind of kinds) {
  const queueUrl = values['queue-url'] ?? process.env[queueUrlVariable(kind)];
  if (!queueUrl) {
    if (kinds.length === 1) cli.fail(`no queue URL for ${kind}: set ${queueUrlVariable(kind)} or pass --queue-url`);
    console.log(`${kind}: skipped (no ${queueUrlVariable(kind)})`);
    continue;
  }
  try {
    const deadLetterQueueUrl = values['dlq-url'] ?? deadLetterQueueUrlOf(queueUrl);
    const res = await redriveDeadLetters({ sqs, queueUrl, deadLetterQueueUrl, dryRun: values['dry-run'] });
    console.log(`${kind}: ${res.listed.length} dead-lettered key(s) in ${deadLetterQueueUrl}`);
    for (const d of res.listed) {
      const extra = d.problem ? `  NOT MOVED: ${d.problem}` : '';
      console.log(`  ${d.key}  receives=${d.receiveCount}  sent=${d.sentAt ?? '?'}  messageId=${d.messageId}${extra}`);
      console.log(`    last error: ${await lastErrorText(kind, d)}`);
    }
    for (const f of res.failed) console.log(`  FAILED ${f.key}: ${f.reason}`);
    console.log(values['dry-run'] ? `${kind}: dry run, nothing moved` : `${kind}: moved ${res.moved} back onto ${queueUrl}`);
    problems += res.failed.length;
  } catch (err) {
    console.error(`npm run redrive --: ${kind}: ${(err as Error).message.split('\n')[0]}`);
    problems++;
  }
}
process.exit(problems > 0 ? 1 : 0);
