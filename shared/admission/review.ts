import { AdmissionReview } from '../api/admission.ts';
import type { AdmissionAnswer, AdmissionRequest } from '../api/admission.ts';

/**
 * Reading AdmissionReviews and shaping answers; the schema itself is shared/api/admission.ts.
 */
export type ParsedReview = { ok: true; review: AdmissionReview } | { ok: false; reason: string };

/** Parses a request body; the failure reason names the offending fields (answered as 400). */
export function parseAdmissionReview(body: unknown): ParsedReview {
  const res = AdmissionReview.safeParse(body);
  if (res.success) return { ok: true, review: res.data };
  const reason = res.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ');
  return { ok: false, reason: `not an AdmissionReview admission.k8s.io/v1: ${reason}` };
}

export function allow(warnings?: string[]): AdmissionAnswer {
  return warnings && warnings.length > 0 ? { allowed: true, warnings } : { allowed: true };
}

/** A denial; the API server prefixes the message with the webhook's name (kube-api.md 11.5). */
export function deny(message: string): AdmissionAnswer {
  return { allowed: false, status: { code: 422, reason: 'Invalid', message } };
}

/** The object the request is about: the new object, or the stored one on DELETE (`object` is null). */
export function subjectOf(req: AdmissionRequest): Record<string, unknown> | undefined {
  return (req.object ?? req.oldObject) ?? undefined;
}
