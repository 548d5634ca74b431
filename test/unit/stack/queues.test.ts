import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { declaredQueues } from '../../../infra/local/stack/queues.ts';
import { PRIMARY_KINDS } from '../../../shared/api/resources.ts';

const serverlessYml = readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8');

describe('queues declared in serverless.yml', () => {
  it('declares one FIFO queue per kind, each with a FIFO dead-letter queue after 5 receives', () => {
    const { queues, kindQueues } = declaredQueues(serverlessYml, 'local');
    for (const kind of PRIMARY_KINDS) {
      const q = queues.find((x) => x.logicalId === kindQueues[kind]);
      expect(q, kind).toBeDefined();
      expect(q!.name).toBe(`apinetlet-local-${kind.toLowerCase()}.fifo`);
      expect(q!.attributes.FifoQueue).toBe('true');
      expect(q!.maxReceiveCount).toBe(5);
      const dlq = queues.find((x) => x.logicalId === q!.deadLetterQueue);
      expect(dlq?.attributes.FifoQueue).toBe('true');
      // Visibility at least 6x the reconcile timeout (30 s).
      expect(Number(q!.attributes.VisibilityTimeout)).toBeGreaterThanOrEqual(180);
    }
  });

  it('names the missing queue reference when serverless.yml lacks one', () => {
    const broken = serverlessYml.replace(/\n\s*QUEUE_URL_VIRTUALIP:[^\n]*/, "");
    expect(() => declaredQueues(broken)).toThrow(/QUEUE_URL_VIRTUALIP/);
  });
});
