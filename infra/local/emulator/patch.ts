/**
 * PATCH bodies (kube-api.md §7): JSON merge patch (RFC 7386), JSON patch (RFC 6902, with
 * `test`) and the content-type rules. Strategic merge patch is declined with 415; the
 * emulator says why (ARCHITECTURE.md §9).
 */
import jsonpatch from 'fast-json-patch';
import { ApiError } from './types.ts';
import { badRequest, tooLarge } from './status.ts';

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';
export const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
export const PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];

export type PatchType = 'merge' | 'json' | 'apply';

/** The patch type of a Content-Type, or a 415 naming the accepted ones. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (ct === MERGE_PATCH) return 'merge';
  if (ct === JSON_PATCH) return 'json';
  if (ct === APPLY_PATCH) return 'apply';
  const accepted = `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`;
  if (ct === STRATEGIC_PATCH) {
    // ARCHITECTURE.md §9: the emulator declines strategic merge patch, as a CRD-backed server would.
    throw new ApiError(415, 'UnsupportedMediaType', `${accepted} (the emulator does not implement strategic merge patch; use --type merge or json)`);
  }
  throw new ApiError(415, 'UnsupportedMediaType', accepted);
}

/** RFC 7386: objects merge recursively, `null` deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? structuredClone(target as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const MAX_JSON_PATCH_OPS = 10_000;

/** RFC 6902 with the server's error mapping (§7.3): bad shape 400, too many 413, failed op 422. */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  if (ops.length > MAX_JSON_PATCH_OPS) throw tooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPS}, got ${ops.length}`);
  for (const op of ops) {
    if (!op || typeof op !== 'object' || typeof (op as { op?: unknown }).op !== 'string' || typeof (op as { path?: unknown }).path !== 'string') {
      throw badRequest('json: cannot unmarshal patch operation: each operation needs "op" and "path"');
    }
  }
  try {
    return jsonpatch.applyPatch(structuredClone(doc), ops as jsonpatch.Operation[], true, true).newDocument;
  } catch {
    throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  }
}
