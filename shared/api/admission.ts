import { z } from 'zod';
import { KubeObject } from './meta.ts';

/**
 * AdmissionReview `admission.k8s.io/v1` (kube-api.md 11.4/11.5). The envelope is strict about
 * `apiVersion`, `kind` and the request's required fields, so a body that is not an
 * AdmissionReview v1 fails with a zod error that names the field; inner objects stay loose.
 */

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_KIND = 'AdmissionReview';

export const GroupVersionKind = z.looseObject({ group: z.string(), version: z.string(), kind: z.string() });
export type GroupVersionKind = z.infer<typeof GroupVersionKind>;

export const GroupVersionResource = z.looseObject({ group: z.string(), version: z.string(), resource: z.string() });
export type GroupVersionResource = z.infer<typeof GroupVersionResource>;

export const ADMISSION_OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
export const AdmissionOperation = z.enum(ADMISSION_OPERATIONS);
export type AdmissionOperation = z.infer<typeof AdmissionOperation>;

export const UserInfo = z.looseObject({
  username: z.string().optional(),
  uid: z.string().optional(),
  groups: z.array(z.string()).nullish(),
  extra: z.record(z.string(), z.array(z.string())).nullish(),
});
export type UserInfo = z.infer<typeof UserInfo>;

export const AdmissionRequest = z.looseObject({
  uid: z.string().min(1),
  kind: GroupVersionKind,
  resource: GroupVersionResource,
  subResource: z.string().optional(),
  requestKind: GroupVersionKind.nullish(),
  requestResource: GroupVersionResource.nullish(),
  requestSubResource: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: AdmissionOperation,
  userInfo: UserInfo,
  /** `null` on DELETE. */
  object: KubeObject.nullish(),
  /** `null` on CREATE and CONNECT. */
  oldObject: KubeObject.nullish(),
  dryRun: z.boolean().nullish(),
  options: z.looseObject({}).nullish(),
});
export type AdmissionRequest = z.infer<typeof AdmissionRequest>;

export const AdmissionStatus = z.looseObject({
  code: z.number().int().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
});
export type AdmissionStatus = z.infer<typeof AdmissionStatus>;

export const AdmissionResponse = z
  .looseObject({
    uid: z.string().min(1),
    allowed: z.boolean(),
    status: AdmissionStatus.optional(),
    /** base64 of an RFC 6902 JSON patch. */
    patch: z.base64().optional(),
    patchType: z.literal('JSONPatch').optional(),
    warnings: z.array(z.string()).optional(),
  })
  // The API server treats a patch without patchType (or the reverse) as a failed call.
  .refine((r) => (r.patch === undefined) === (r.patchType === undefined), {
    message: 'patch and patchType must be set together',
    path: ['patchType'],
  });
export type AdmissionResponse = z.infer<typeof AdmissionResponse>;

/** The review the API server sends: must carry a `request`. */
export const AdmissionReview = z.looseObject({
  apiVersion: z.literal(ADMISSION_API_VERSION),
  kind: z.literal(ADMISSION_KIND),
  request: AdmissionRequest,
});
export type AdmissionReview = z.infer<typeof AdmissionReview>;

/** The review a webhook answers with. */
export const AdmissionReviewResponse = z.object({
  apiVersion: z.literal(ADMISSION_API_VERSION),
  kind: z.literal(ADMISSION_KIND),
  response: AdmissionResponse,
});
export type AdmissionReviewResponse = z.infer<typeof AdmissionReviewResponse>;

export interface AdmissionAnswer {
  allowed: boolean;
  /** RFC 6902 operations; encoded to base64 with patchType JSONPatch when non-empty. */
  patch?: readonly unknown[];
  status?: AdmissionStatus;
  warnings?: string[];
}

/** Builds the reply to `request` (same uid, kube-api.md 11.5). An empty patch is omitted. */
export function admissionReviewResponse(request: Pick<AdmissionRequest, 'uid'>, answer: AdmissionAnswer): AdmissionReviewResponse {
  const response: AdmissionResponse = { uid: request.uid, allowed: answer.allowed };
  if (answer.patch && answer.patch.length > 0) {
    response.patch = base64OfUtf8(JSON.stringify(answer.patch));
    response.patchType = 'JSONPatch';
  }
  if (answer.status) response.status = answer.status;
  if (answer.warnings && answer.warnings.length > 0) response.warnings = answer.warnings;
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}

/** Web-standard base64 (no Buffer), so the admission app also runs outside Node. */
function base64OfUtf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
