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
  /** Distinguishes resync runs so that each run's messages are not dropped as duplicates. */
  run: z.string().min(1).optional(),
});
export type QueueMessage = z.infer<typeof QueueMessage>;

/** The key a message is about; also its FIFO MessageGroupId. */
export function messageGroupId(msg: Pick<QueueMessage, 'namespace' | 'name'>): string {
  return `${msg.namespace}/${msg.name}`;
}
