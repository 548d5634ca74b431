import { z } from 'zod';
import { PRIMARY_KINDS } from '../api/resources.ts';

/**
 * The body of every queue message (ARCHITECTURE.md section 2). Messages carry keys, not state:
 * a reconcile always re-reads both clusters. Strict: we own this format.
 */
export const QueueMessage = z.strictObject({
  v: z.literal(1),
  kind: z.enum(PRIMARY_KINDS),
  namespace: z.string().min(1),
  name: z.string().min(1),
  source: z.enum(['admission', 'watch', 'resync', 'retry']),
  uid: z.string().min(1).optional(),
  op: z.enum(['CREATE', 'UPDATE', 'DELETE']).optional(),
  resourceVersion: z.string().min(1).optional(),
  /**
   * In-process only: distinguishes resync runs (and watch events) in the deduplication id so that
   * they are not dropped as duplicates. Never sent: the body on the queue is the contract above.
   */
  run: z.string().min(1).optional(),
});
export type QueueMessage = z.infer<typeof QueueMessage>;

/** The key a message is about; also its FIFO MessageGroupId. */
export function messageGroupId(msg: Pick<QueueMessage, 'namespace' | 'name'>): string {
  return `${msg.namespace}/${msg.name}`;
}

/** Parses a queue message body; never throws (an unparsable message is logged and dropped, ARCHITECTURE.md 2). */
export function parseQueueMessage(body: string): { ok: true; message: QueueMessage } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, reason: `body is not JSON: ${(err as Error).message}` };
  }
  const parsed = QueueMessage.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, reason: `body is not a queue message: ${issues.join('; ')}` };
  }
  return { ok: true, message: parsed.data };
}
