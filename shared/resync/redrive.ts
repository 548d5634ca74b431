import type { PrimaryKind } from '../api/resources.ts';
import type { Logger } from '../log.ts';
import { deadLetterQueueUrlOf, redriveDeadLetters } from '../queue/redrive.ts';
import type { SqsApi } from '../queue/sqs.ts';

export interface RedriveSummary {
  /** Keys moved back per kind. */
  moved: Partial<Record<PrimaryKind, number>>;
  errors: number;
}

/**
 * The scheduled redrive (issue 13 part 6; serverless.yml `redriveSchedule`, default once a day):
 * every dead-lettered key of every kind goes back onto its main queue, so a cause fixed later
 * heals itself. A key still broken fails maxReceiveCount times again and is dead-lettered again.
 */
export async function redriveAllKinds(deps: {
  sqs: SqsApi;
  queueUrls: Partial<Record<PrimaryKind, string>>;
  /** Default: the main queue's name with -dlq before .fifo (serverless.yml naming). */
  deadLetterQueueUrls?: Partial<Record<PrimaryKind, string>>;
  logger: Logger;
  run?: string;
}): Promise<RedriveSummary> {
  const summary: RedriveSummary = { moved: {}, errors: 0 };
  for (const [kind, queueUrl] of Object.entries(deps.queueUrls) as [PrimaryKind, string][]) {
    try {
      const deadLetterQueueUrl = deps.deadLetterQueueUrls?.[kind] ?? deadLetterQueueUrlOf(queueUrl);
      const res = await redriveDeadLetters({ sqs: deps.sqs, queueUrl, deadLetterQueueUrl, run: deps.run });
      summary.moved[kind] = res.moved;
      summary.errors += res.failed.length;
      if (res.listed.length > 0) deps.logger.info('redrive: dead-lettered keys moved back', { kind, moved: res.moved, keys: res.listed.map((d) => ({ key: d.key, receiveCount: d.receiveCount })).slice(0, 50), failed: res.failed });
    } catch (err) {
      summary.errors++;
      deps.logger.error('redrive failed', { kind, error: err as Error });
    }
  }
  return summary;
}
