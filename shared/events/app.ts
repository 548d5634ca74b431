import { Hono } from 'hono';
import type { Context } from 'hono';
import { admissionReviewResponse } from '../api/admission.ts';
import type { QueueMessage } from '../queue/message.ts';
import type { Enqueuer } from '../queue/enqueue.ts';
import { MAX_BODY_BYTES, parseJson, readLimitedBody, requireToken, type TokenSource } from '../admission/http.ts';
import { parseAdmissionReview } from '../admission/review.ts';
import type { Change, Cluster } from './change.ts';
import { memoizeLookups } from './lookups.ts';
import type { Lookups } from './lookups.ts';
import { keysFor } from './mapping.ts';
import { changesFromAdmission, changesFromCloudEvent, changesFromWatchLines, isCloudEvent } from './normalise.ts';
import { isRecord } from './object.ts';

/**
 * The watch webhook (ARCHITECTURE.md section 5): object changes in, reconcile keys out. Which
 * cluster sent them is the path segment (`/events/ironcore`, `/events/apinet`); a bare `/events`
 * decides per object by its API group.
 */
export interface WatchAppOptions {
  enqueue: Enqueuer;
  token: string | TokenSource;
  lookups: Lookups;
  watchFilter?: string;
  log?: (entry: Record<string, unknown>) => void;
  maxBodyBytes?: number;
}

const CLUSTERS: readonly string[] = ['ironcore', 'apinet'];

/** The messages for a batch of changes; one per key (the last trigger wins), LISTs shared. */
export async function messagesFor(changes: Change[], lookups: Lookups, watchFilter?: string): Promise<QueueMessage[]> {
  const shared = memoizeLookups(lookups);
  const byKey = new Map<string, QueueMessage>();
  for (const change of changes) {
    for (const msg of await keysFor(change, shared, { watchFilter })) byKey.set(`${msg.kind} ${msg.namespace}/${msg.name}`, msg);
  }
  return [...byKey.values()];
}

export function createWatchApp(options: WatchAppOptions): Hono {
  const { enqueue, token, lookups, watchFilter } = options;
  const log = options.log ?? ((entry) => console.error(JSON.stringify(entry)));
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const app = new Hono();

  app.get('/healthz', (c) => c.text('ok'));
  app.use('*', requireToken(token));

  const handler = async (c: Context): Promise<Response> => {
    const segment = c.req.param('cluster');
    if (segment !== undefined && !CLUSTERS.includes(segment)) {
      return c.json({ error: `unknown cluster ${JSON.stringify(segment)} in the path; use /events/ironcore or /events/apinet` }, 404);
    }
    const cluster = segment as Cluster | undefined;
    const body = await readLimitedBody(c.req.raw, limit);
    if (!body.ok) return c.json({ error: body.reason }, body.status);
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });

    if (!isCloudEvent(headers)) {
      const json = parseJson(body.text);
      if (json.ok && isRecord(json.value) && json.value.kind === 'AdmissionReview') {
        const review = parseAdmissionReview(json.value);
        if (!review.ok) return c.json({ error: review.reason }, 400);
        const req = review.review.request;
        // Observe-only: always allowed, whatever happens to the enqueue (failurePolicy Ignore; the resync repairs).
        try {
          const messages = await messagesFor(changesFromAdmission(req, cluster), lookups, watchFilter);
          if (messages.length > 0) await enqueue.enqueue(messages);
        } catch (err) {
          log({ level: 'ERROR', step: 'watch admission mapping/enqueue', key: `${req.kind.kind} ${req.namespace ?? ''}/${req.name ?? ''}`, error: String(err) });
        }
        return c.json(admissionReviewResponse(req, { allowed: true }));
      }
    }

    let changes: Change[];
    try {
      changes = isCloudEvent(headers)
        ? changesFromCloudEvent(headers, body.text, cluster)
        : changesFromWatchLines(body.text, cluster);
    } catch (err) {
      return c.json({ error: (err as Error).message }, 400);
    }
    // Senders of CloudEvents and watch lines retry on a 5xx, so failures are reported, not hidden.
    const messages = await messagesFor(changes, lookups, watchFilter);
    if (messages.length > 0) await enqueue.enqueue(messages);
    return c.json({ changes: changes.length, enqueued: messages.length });
  };

  app.post('/events', handler);
  app.post('/events/:cluster', handler);
  app.post('/t/:token/events', handler);
  app.post('/t/:token/events/:cluster', handler);
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${new URL(c.req.url).pathname}; use POST /events/ironcore or /events/apinet` }, 404));
  app.onError((err, c) => {
    log({ level: 'ERROR', step: 'watch webhook', error: String(err) });
    return c.json({ error: `watch webhook failed: ${err.message}` }, 500);
  });
  return app;
}
