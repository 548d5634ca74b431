import type { QueueMessage } from './message.ts';

/** What the webhook apps need from a queue: put reconcile requests on it (ARCHITECTURE.md section 2). */
export interface Enqueuer {
  enqueue(messages: QueueMessage[]): Promise<void>;
}
