import { Hono } from 'hono';
import type { Context } from 'hono';
import { IRONCORE_NETWORKING_GROUP, PRIMARY_KINDS } from '../api/resources.ts';
import type { PrimaryKind } from '../api/resources.ts';
import { QueueMessage } from '../queue/message.ts';
import type { Enqueuer } from '../queue/enqueue.ts';
import { field, isRecord, nameOf, namespaceOf, resourceVersionOf, sameContent, uidOf } from '../events/object.ts';
import { admissionReviewResponse } from '../api/admission.ts';
import type { AdmissionAnswer, AdmissionRequest } from '../api/admission.ts';
import { isExcluded } from '../api/filters.ts';
import { finalizerPatch } from './finalizer.ts';
import { MAX_BODY_BYTES, parseJson, postWithSecretPath, readLimitedBody, requireToken, type TokenSource } from './http.ts';
import { allow, deny, parseAdmissionReview, subjectOf } from './review.ts';
import { apinetletProblems, newProblems } from './validation.ts';

/**
 * The admission webhook (ARCHITECTURE.md section 4) as a web-standard Hono app: Lambda, the local
 * Node server and workerd are adapters of it. Must not import @kubernetes/client-node (edge bundle).
 */
export interface AdmissionAppOptions {
  enqueue: Enqueuer;
  /** Secret the API server presents (WEBHOOK_TOKEN). */
  token: string | TokenSource;
  /** APINETLET_WATCH_FILTER; empty or absent = every object (R-GEN-03). */
  watchFilter?: string;
  now?: () => Date;
  /** Where operational problems go (e.g. a failed enqueue); defaults to console.error. */
  log?: (entry: Record<string, unknown>) => void;
  maxBodyBytes?: number;
}

/** The primary kind a request is about, or undefined for anything a misconfigured webhook sends us. */
export function primaryKindOf(req: AdmissionRequest): PrimaryKind | undefined {
  if (req.kind.group !== IRONCORE_NETWORKING_GROUP) return undefined;
  return (PRIMARY_KINDS as readonly string[]).includes(req.kind.kind) ? (req.kind.kind as PrimaryKind) : undefined;
}

/** The queue message for an allowed request; undefined when the request names no key. */
export function admissionMessage(req: AdmissionRequest, kind: PrimaryKind): QueueMessage | undefined {
  if (req.operation === 'CONNECT') return undefined;
  const subject = subjectOf(req);
  const candidate = {
    v: 1,
    kind,
    namespace: req.namespace || namespaceOf(subject),
    name: req.name || nameOf(subject),
    source: 'admission',
    uid: uidOf(subject),
    op: req.operation,
    // The new object's resourceVersion is not final yet; the stored one identifies this change.
    resourceVersion: req.operation === 'UPDATE' ? resourceVersionOf(req.oldObject) : undefined,
  };
  const parsed = QueueMessage.safeParse(JSON.parse(JSON.stringify(candidate)));
  return parsed.success ? parsed.data : undefined;
}

/** POST /mutate: the finalizer at CREATE (R-GEN-01), unless the object is excluded (R-GEN-03/04). */
export function mutate(req: AdmissionRequest, watchFilter: string | undefined): AdmissionAnswer {
  const kind = primaryKindOf(req);
  if (!kind || req.operation !== 'CREATE' || req.subResource || !req.object) return allow();
  if (isExcluded(req.object, watchFilter).excluded) return allow();
  return { allowed: true, patch: finalizerPatch(req.object, kind) };
}

export type ValidationDecision = { response: AdmissionAnswer; message?: QueueMessage };

/** POST /validate, pure part: allow or deny, and which key to enqueue for an allowed request. */
export function validate(req: AdmissionRequest, watchFilter: string | undefined): ValidationDecision {
  const kind = primaryKindOf(req);
  const subject = subjectOf(req);
  // Status writes come from apinetlet itself; enqueueing them would loop every reconcile once more.
  if (!kind || !subject || req.subResource) return { response: allow() };
  if (isExcluded(subject, watchFilter).excluded) return { response: allow() };
  const deleting = field(req.object, 'metadata', 'deletionTimestamp') !== undefined;
  if ((req.operation === 'CREATE' || req.operation === 'UPDATE') && req.object && !deleting) {
    const problems =
      req.operation === 'UPDATE' ? newProblems(kind, req.object, req.oldObject) : apinetletProblems(kind, req.object);
    if (problems.length > 0) {
      return { response: deny(`apinetlet cannot translate this ${kind}: ${problems.join('; ')}`) };
    }
  }
  // Never on dryRun: the change will not happen (kube-api.md 11.7, sideEffects NoneOnDryRun). Nor for
  // an UPDATE that changes nothing (e.g. a repeated `kubectl apply`): the API server stores no new
  // version, so the reconcile would only wait for one.
  const noop = req.operation === 'UPDATE' && isRecord(req.object) && isRecord(req.oldObject) && sameContent(req.object, req.oldObject);
  const message = req.dryRun || noop ? undefined : admissionMessage(req, kind);
  return { response: allow(), message };
}

export function createAdmissionApp(options: AdmissionAppOptions): Hono {
  const { enqueue, token, watchFilter } = options;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((entry) => console.error(JSON.stringify(entry)));
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const app = new Hono();

  app.get('/healthz', (c) => c.text('ok'));
  app.use('*', requireToken(token));

  async function readRequest(c: Context): Promise<AdmissionRequest | Response> {
    const body = await readLimitedBody(c.req.raw, limit);
    if (!body.ok) return c.json({ error: body.reason }, body.status);
    const json = parseJson(body.text);
    if (!json.ok) return c.json({ error: json.reason }, 400);
    const review = parseAdmissionReview(json.value);
    if (!review.ok) return c.json({ error: review.reason }, 400);
    return review.review.request;
  }

  postWithSecretPath(app, '/mutate', async (c) => {
    const req = await readRequest(c);
    if (req instanceof Response) return req;
    return c.json(admissionReviewResponse(req, mutate(req, watchFilter)));
  });

  postWithSecretPath(app, '/validate', async (c) => {
    const req = await readRequest(c);
    if (req instanceof Response) return req;
    const { response, message } = validate(req, watchFilter);
    if (!message) return c.json(admissionReviewResponse(req, response));
    try {
      await enqueue.enqueue([message]);
      return c.json(admissionReviewResponse(req, response));
    } catch (err) {
      // Decision: the object is valid, so the write goes ahead even when the queue is unreachable;
      // refusing it would couple every ironcore write to SQS. The scheduled resync enqueues every
      // key (ARCHITECTURE.md section 6), which repairs the missed one within one interval.
      log({
        level: 'ERROR',
        time: now().toISOString(),
        step: 'admission enqueue',
        key: `${message.kind} ${message.namespace}/${message.name}`,
        error: String(err),
      });
      return c.json(admissionReviewResponse(req, allow(['apinetlet could not queue this change; the periodic resync will pick it up'])));
    }
  });

  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${new URL(c.req.url).pathname}; use POST /mutate or /validate` }, 404));
  app.onError((err, c) => c.json({ error: `admission webhook failed: ${err.message}` }, 500));
  return app;
}
