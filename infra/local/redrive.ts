/**
 * `npm run redrive -- --kind Network [--dry-run]`: lists the keys in a kind's dead-letter queue
 * (receive count, first sent) and moves them back onto the kind's main queue (shared/queue/redrive.ts).
 */
import { PRIMARY_KINDS, type PrimaryKind } from '../../shared/api/resources.ts';
import { queueUrlVariable } from '../../shared/config.ts';
import { deadLetterQueueUrlOf, redriveDeadLetters } from '../../shared/queue/redrive.ts';
import { createSqsClient } from '../../shared/queue/sqs.ts';
import { oneOf, parseCommandLine } from './cli-args.ts';

const HELP = `Usage: npm run redrive -- --kind <Kind|all> [--dry-run] [--queue-url URL] [--dlq-url URL] [--endpoint URL] [--region R]

Lists the keys in a kind's dead-letter queue with their receive counts and moves them back onto the
kind's main FIFO queue (same body and MessageGroupId, a deduplication id of their own).

  --kind K       ${PRIMARY_KINDS.join(', ')} or all
  --dry-run      list only; move nothing
  --queue-url U  the main queue (default: $QUEUE_URL_<KIND>, e.g. QUEUE_URL_NETWORK)
  --dlq-url U    the dead-letter queue (default: the main queue's name with -dlq before .fifo)
  --endpoint U   SQS endpoint (default: $SQS_ENDPOINT, else AWS)
  --region R     AWS region (default: $AWS_REGION)

The last error of a key is not stored on the queue: look it up in the reconcile function's logs by
its key and messageId (both printed here; every reconcile log line carries them).`;

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
      console.log(`  ${d.key}  receives=${d.receiveCount}  sent=${d.sentAt ?? '?'}  messageId=${d.messageId}  last error: see reconcile logs (key=${d.key})${extra}`);
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
