/**
 * Calling admission webhooks (kube-api.md §11): mutating webhooks one after another with their
 * JSONPatch responses applied, validating webhooks in parallel. Denials and failed calls become
 * the ApiErrors the real server answers with.
 */
import { randomUUID } from 'node:crypto';
import fjp from 'fast-json-patch';
import { WebhookCallError, callWebhook } from './admission-call.ts';
import { type VerifiedResponse, type Webhook, admissionReview, denialError, failedCallError, orderedWebhooks, shouldCall, verifyResponse } from './admission-match.ts';
import { ApiError, type KindDef, type KubeObject } from './types.ts';

export interface AdmissionAttributes {
  kind: KindDef; operation: 'CREATE' | 'UPDATE' | 'DELETE'; subresource?: string;
  namespace?: string; name: string; object?: KubeObject; oldObject?: KubeObject; dryRun: boolean;
  userInfo: { username: string; uid?: string; groups: string[] }; options?: unknown;
  /** When given, webhook `warnings` are appended here (the server sends them as `Warning: 299` headers). */
  warnings?: string[];
}
export interface AdmissionEnv {
  mutating: KubeObject[]; validating: KubeObject[];
  namespaceLabels(ns: string): Record<string, string> | undefined;
}

/** §11.7: dry-run requests never reach webhooks that may have side effects. */
function checkDryRun(h: Webhook, a: AdmissionAttributes): string | undefined {
  if (!a.dryRun) return undefined;
  if (h.sideEffects === undefined) return 'Webhook SideEffects is nil';
  if (h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun') {
    throw new ApiError(400, 'BadRequest', `admission webhook ${JSON.stringify(h.name)} does not support dry run`);
  }
  return undefined;
}

/** One call: the verified response, or undefined when a failure is ignored (failurePolicy Ignore). */
async function invoke(h: Webhook, a: AdmissionAttributes, object: KubeObject | undefined, mutating: boolean): Promise<VerifiedResponse | undefined> {
  const fail = (detail: string): undefined => {
    if (h.failurePolicy === 'Ignore') return undefined;
    throw failedCallError(h.name, detail);
  };
  const nilSideEffects = checkDryRun(h, a);
  if (nilSideEffects) return fail(nilSideEffects);
  const uid = randomUUID();
  let body: unknown;
  try {
    body = await callWebhook(h, admissionReview(a, uid, object));
  } catch (e) {
    if (e instanceof WebhookCallError) return fail(e.detail);
    throw e;
  }
  const verified = verifyResponse(body, uid, mutating);
  if (typeof verified === 'string') return fail(`received invalid webhook response: ${verified}`);
  a.warnings?.push(...verified.warnings);
  if (!verified.allowed) throw denialError(h.name, verified.status);
  return verified;
}

function applyPatch(h: Webhook, a: AdmissionAttributes, object: KubeObject | undefined, patch: string): KubeObject {
  if (a.operation === 'DELETE' || !object) {
    throw new ApiError(500, 'InternalError',
      `Internal error occurred: admission webhook ${JSON.stringify(h.name)} attempted to modify the object, which is not supported for this operation`);
  }
  try {
    const ops = JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as fjp.Operation[];
    return fjp.applyPatch(structuredClone(object), ops, true, false).newDocument;
  } catch (e) {
    // Not subject to failurePolicy (§11.5).
    throw new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Runs the matching mutating webhooks in order; returns the mutated object, or undefined if unchanged. */
export async function runMutatingAdmission(a: AdmissionAttributes, env: AdmissionEnv): Promise<KubeObject | undefined> {
  const hooks = orderedWebhooks(env.mutating).filter((h) => shouldCall(h, a, env.namespaceLabels));
  let current = a.object;
  let changed = false;
  const called: Webhook[] = [];
  const run = async (h: Webhook): Promise<boolean> => {
    const r = await invoke(h, { ...a, object: current }, current, true);
    if (!r?.patch) return false;
    const next = applyPatch(h, a, current, r.patch);
    const differs = JSON.stringify(next) !== JSON.stringify(current);
    current = next;
    return differs;
  };
  for (const h of hooks) {
    called.push(h);
    if (await run(h)) changed = true;
  }
  // §11.5 reinvocation: IfNeeded webhooks run once more when a later webhook changed the object.
  if (changed) {
    for (const h of called.filter((x) => x.reinvocationPolicy === 'IfNeeded')) await run(h);
  }
  return changed ? current : undefined;
}

/** Runs the matching validating webhooks in parallel; the first error (in webhook order) wins. */
export async function runValidatingAdmission(a: AdmissionAttributes, env: AdmissionEnv): Promise<void> {
  const hooks = orderedWebhooks(env.validating).filter((h) => shouldCall(h, a, env.namespaceLabels));
  for (const h of hooks) checkDryRun(h, a);
  const results = await Promise.allSettled(hooks.map((h) => invoke(h, a, a.object, false)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
