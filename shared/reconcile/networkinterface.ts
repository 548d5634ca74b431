/**
 * NetworkInterface reconcile shell (behavior.md 3.5, apinet-api.md 9.4). The decisions live in
 * core/networkinterface*.ts; this file reads the observed world, sends the planned writes in
 * order (VirtualIP claims/releases, apinet NIC claim/update/release, ironcore `/status`) and
 * re-plans when a guarded write loses a race. The apinetlet never creates or deletes apinet
 * NICs: every write here is a JSON merge patch carrying the read `resourceVersion`.
 */
import { ApinetNetworkInterface } from '../api/apinet.ts';
import { IroncoreNetworkInterface, IroncorePrefix, IroncoreVirtualIP } from '../api/ironcore.ts';
import { originNamespaceSelector, originKeysOf } from '../api/origin.ts';
import { apinet, ironcore } from '../api/resources.ts';
import { isConflict, isNotFound, type KubeClient } from '../kube/index.ts';
import type { KubeObject } from '../kube/types.ts';
import type { ReconcileContext } from '../queue/consumer.ts';
import { done, type ReconcileResult } from '../queue/result.ts';
import { ReconcileError, objectKey, type ReconcileStep } from './core/errors.ts';
import {
  networkInterfaceDeletion,
  networkInterfacePrefixReads,
  networkInterfaceVanished,
  planNetworkInterface,
  type ApinetNetworkInterfaceWrite,
  type VirtualIPWrite,
} from './core/networkinterface.ts';
import { notClaimableReason } from './core/networkinterface-claims.ts';
import { networkInterfaceClaimed, notClaimable } from './core/events.ts';
import { apinetNetworkInterfaceReads, apinetNetworkInterfacesThatMatter, findWantedApinetNetworkInterface } from './core/networkinterface-reads.ts';
import type { KindReconciler, ObjectKey, ReconcileEnv } from './runtime.ts';
import type { z } from 'zod';

/** Passes (read → plan → write) before a key whose objects keep changing under us is handed back to the queue. */
const MAX_PASSES = 3;

/** A guarded write lost a race (409) or its target vanished: read everything again and re-plan. */
class Replan extends Error {
  constructor(readonly what: string) {
    super(what);
  }
}

export const networkInterfaceReconciler: KindReconciler<IroncoreNetworkInterface> = {
  kind: 'NetworkInterface',
  schema: IroncoreNetworkInterface,

  async reconcile(nic, env, ctx): Promise<ReconcileResult> {
    const key = objectKey(nic.metadata);
    let current: IroncoreNetworkInterface = nic;
    for (let pass = 1; ; pass++) {
      try {
        await reconcilePass(current, env, ctx);
        return done();
      } catch (err) {
        if (!(err instanceof Replan)) throw err;
        if (pass >= MAX_PASSES) throw new ReconcileError(key, 'apply', `${err.what} kept changing during ${MAX_PASSES} passes; retrying later`);
        ctx.logger.debug('guarded write lost a race; reading again', { detail: err.what, pass });
        const fresh = await readIroncoreNic(env, current, key);
        if (!fresh || fresh.metadata.deletionTimestamp) return done(); // deleted meanwhile: its own event takes over
        current = fresh;
      }
    }
  },

  // R-NIC-09: nothing is deleted, so nothing to wait for; every write done → the shell removes the finalizer.
  async finalize(nic, env, ctx): Promise<'gone' | 'waiting'> {
    const key = objectKey(nic.metadata);
    for (let pass = 1; ; pass++) {
      // R-NIC-09 releases only what stems from the NIC: the origin LIST, not every apinet NIC of ANS.
      const originSelector = apinetNetworkInterfaceReads(nic).originSelector;
      const [apinetNics, virtualIPs] = await Promise.all([listApinetNics(env, key, ctx, originSelector), listVirtualIPs(env, nic.metadata.namespace ?? '', key, ctx)]);
      const plan = networkInterfaceDeletion({ networkInterface: nic, apinetNetworkInterfaces: apinetNics, virtualIPs, settings: env.settings });
      try {
        await sendApinetNicWrites(env, key, plan.apinetNetworkInterfaceWrites);
        await sendVirtualIPWrites(env, key, nic.metadata.namespace ?? '', plan.virtualIPWrites);
        return 'gone';
      } catch (err) {
        if (!(err instanceof Replan)) throw err;
        if (pass >= MAX_PASSES) throw new ReconcileError(key, 'delete', `${err.what} kept changing during ${MAX_PASSES} passes; retrying later`);
      }
    }
  },

  // R-NIC-10: the NIC vanished without its finalizer running: only the origin keys go.
  async gone(key: ObjectKey, env, ctx): Promise<void> {
    const keyText = `${key.namespace}/${key.name}`;
    for (let pass = 1; ; pass++) {
      const candidates = await listApinetNics(env, keyText, ctx, originNamespaceSelector('NetworkInterface', key.namespace));
      let writes = networkInterfaceVanished(key, candidates);
      if (writes.length > 0) {
        // A new NIC may have taken the name (DELETE of the old one): what the live one holds is not forgotten.
        const live = await env.ironcore.get(ironcore.NetworkInterface, key.namespace, key.name);
        const liveUid = live?.metadata.uid;
        if (liveUid) {
          const uidLabel = originKeysOf('NetworkInterface').uidLabel;
          const held = new Set(candidates.filter((n) => n.metadata.labels?.[uidLabel] === liveUid).map((n) => n.metadata.name));
          writes = writes.filter((w) => !held.has(w.name));
        }
      }
      try {
        await sendApinetNicWrites(env, keyText, writes);
        return;
      } catch (err) {
        if (!(err instanceof Replan)) throw err;
        if (pass >= MAX_PASSES) throw new ReconcileError(keyText, 'release', `${err.what} kept changing during ${MAX_PASSES} passes; retrying later`);
      }
    }
  },
};

/**
 * One pass for a live NIC: read, plan, then VIP writes before the apinet NIC (its `publicIPs`
 * name the VIP's address, which the apinet server claims, SRV-05), and the status last so it
 * mirrors what was written (R-NIC-02).
 */
async function reconcilePass(nic: IroncoreNetworkInterface, env: ReconcileEnv, ctx: ReconcileContext): Promise<void> {
  const key = objectKey(nic.metadata);
  const namespace = nic.metadata.namespace ?? '';
  const [apinetNics, virtualIPs, prefixes] = await Promise.all([
    readApinetNicsThatMatter(env, nic, key, ctx),
    listVirtualIPs(env, namespace, key, ctx),
    readPrefixes(env, nic, key),
  ]);
  const plan = planNetworkInterface({ networkInterface: nic, apinetNetworkInterfaces: apinetNics, virtualIPs, prefixes, settings: env.settings }, env.now());
  await sendVirtualIPWrites(env, key, namespace, plan.virtualIPWrites);
  await sendApinetNicWrites(env, key, plan.apinetNetworkInterfaceWrites);
  for (const w of plan.apinetNetworkInterfaceWrites) {
    if (w.action === 'claim') env.pendingEvents?.push(networkInterfaceClaimed(`apinet NetworkInterface ${env.settings.apinetNamespace}/${w.name}`));
  }
  if (plan.statusPatch) {
    await step(key, 'status', 'patching the NetworkInterface status', () =>
      env.ironcore.mergePatch(ironcore.NetworkInterface, namespace, nic.metadata.name!, plan.statusPatch as never, { subresource: 'status' }),
    );
  }
  if (!plan.claimedApinetNetworkInterface) {
    // R-NIC-01: nothing to claim yet; the apinet NIC's creation (R-GEN-05) or a provider-ID change triggers us again.
    ctx.logger.debug('no claimable apinet NetworkInterface; status Pending', { providerID: nic.spec.providerID });
    const why = notClaimableReason(nic, apinetNics);
    if (why) env.pendingEvents?.push(notClaimable(why));
  }
}

async function sendVirtualIPWrites(env: ReconcileEnv, key: string, namespace: string, writes: readonly VirtualIPWrite[]): Promise<void> {
  for (const w of writes) {
    await guardedPatch(env.ironcore, ironcore.VirtualIP, namespace, w.name, w.patch, key, `VirtualIP ${namespace}/${w.name}`, `${w.action} (spec.targetRef)`, w.action === 'release');
  }
}

async function sendApinetNicWrites(env: ReconcileEnv, key: string, writes: readonly ApinetNetworkInterfaceWrite[]): Promise<void> {
  const ns = env.settings.apinetNamespace;
  for (const w of writes) {
    // A released/forgotten NIC that is gone needs nothing more; a claimed/updated one that vanished needs a new plan.
    const goneIsFine = w.action === 'release' || w.action === 'forget';
    await guardedPatch(env.apinet, apinet.NetworkInterface, ns, w.name, w.patch, key, `apinet NetworkInterface ${ns}/${w.name}`, w.action, goneIsFine);
  }
}

/** A merge patch whose body carries `metadata.resourceVersion`: 409 → {@link Replan}; other failures name the key and step. */
async function guardedPatch(
  client: KubeClient,
  res: typeof apinet.NetworkInterface,
  namespace: string,
  name: string,
  patch: Record<string, unknown>,
  key: string,
  what: string,
  action: string,
  goneIsFine: boolean,
): Promise<void> {
  try {
    await client.mergePatch(res, namespace, name, patch);
  } catch (err) {
    if (isConflict(err)) throw new Replan(what);
    if (isNotFound(err)) {
      if (goneIsFine) return;
      throw new Replan(what);
    }
    throw wrap(err, key, action, `${action} of ${what}`);
  }
}

/**
 * The apinet NICs the claim decisions look at (core/networkinterface-reads.ts): those stemming from
 * the NIC (one origin-label LIST), plus the one the provider ID wants — already among them when
 * held, else `GET ANS/<name segment>` when its UID matches, else (R-NIC-13 matches by UID only)
 * the full LIST of ANS. A held, converged NIC therefore costs one selective LIST.
 */
async function readApinetNicsThatMatter(env: ReconcileEnv, nic: IroncoreNetworkInterface, key: string, ctx: ReconcileContext): Promise<ApinetNetworkInterface[]> {
  const reads = apinetNetworkInterfaceReads(nic);
  const stemming = await listApinetNics(env, key, ctx, reads.originSelector);
  if (reads.wantedUid === undefined) return stemming;
  let wanted = findWantedApinetNetworkInterface(reads, stemming);
  if (!wanted && reads.candidateName !== undefined) wanted = findWantedApinetNetworkInterface(reads, [await getApinetNic(env, reads.candidateName, key)]);
  if (!wanted) wanted = findWantedApinetNetworkInterface(reads, await listApinetNics(env, key, ctx));
  return apinetNetworkInterfacesThatMatter(wanted, stemming);
}

/** `ANS/<name>`, or `undefined` when missing or unreadable (then the full LIST decides). */
async function getApinetNic(env: ReconcileEnv, name: string, key: string): Promise<ApinetNetworkInterface | undefined> {
  const ns = env.settings.apinetNamespace;
  const raw = await step(key, 'read', `reading apinet NetworkInterface ${ns}/${name} named by the provider ID`, () => env.apinet.get(apinet.NetworkInterface, ns, name));
  const parsed = raw ? ApinetNetworkInterface.safeParse(raw) : undefined;
  return parsed?.success ? parsed.data : undefined;
}

/** apinet NICs of ANS, all of them or those matching `labelSelector`. */
async function listApinetNics(env: ReconcileEnv, key: string, ctx: ReconcileContext, labelSelector?: string): Promise<ApinetNetworkInterface[]> {
  const raw = await step(key, 'read', 'listing apinet NetworkInterfaces', () =>
    collect(env.apinet.listAll(apinet.NetworkInterface, { namespace: env.settings.apinetNamespace, ...(labelSelector ? { labelSelector } : {}) })),
  );
  return parseEach(raw, ApinetNetworkInterface, 'apinet NetworkInterface', ctx);
}

/**
 * Every VirtualIP of the NIC's namespace. The wanted one (R-NIC-05) could be read by name, but the
 * ones still targeting the NIC (R-NIC-06 release, R-NIC-09) can only be found by listing: ironcore
 * has no field selector on `spec.targetRef` and the apinetlet puts no label on VirtualIPs. Listing
 * is bounded by the NIC's namespace, not the cluster, and one LIST also yields the wanted VIP.
 */
async function listVirtualIPs(env: ReconcileEnv, namespace: string, key: string, ctx: ReconcileContext): Promise<IroncoreVirtualIP[]> {
  const raw = await step(key, 'read', `listing VirtualIPs of namespace ${namespace}`, () => collect(env.ironcore.listAll(ironcore.VirtualIP, { namespace })));
  return parseEach(raw, IroncoreVirtualIP, 'VirtualIP', ctx);
}

/** R-NIC-04: the ipam Prefixes `<nic>-pf-<i>` behind ephemeral prefixes; absent = not found. */
async function readPrefixes(env: ReconcileEnv, nic: IroncoreNetworkInterface, key: string): Promise<Record<string, IroncorePrefix | undefined>> {
  const names = networkInterfacePrefixReads(nic);
  const out: Record<string, IroncorePrefix | undefined> = {};
  await Promise.all(
    names.map(async (name) => {
      const raw = await step(key, 'read', `reading ipam Prefix ${nic.metadata.namespace}/${name}`, () => env.ironcore.get(ironcore.Prefix, nic.metadata.namespace, name));
      const parsed = raw ? IroncorePrefix.safeParse(raw) : undefined;
      out[name] = parsed?.success ? parsed.data : undefined;
    }),
  );
  return out;
}

async function readIroncoreNic(env: ReconcileEnv, nic: IroncoreNetworkInterface, key: string): Promise<IroncoreNetworkInterface | undefined> {
  const raw = await step(key, 'read', 'reading the NetworkInterface again', () => env.ironcore.get(ironcore.NetworkInterface, nic.metadata.namespace, nic.metadata.name!));
  if (!raw) return undefined;
  const parsed = IroncoreNetworkInterface.safeParse(raw);
  if (!parsed.success) throw new ReconcileError(key, 'read', `the stored NetworkInterface no longer parses: ${parsed.error.issues[0]?.message}`, { retryable: false });
  return parsed.data;
}

/** Objects another writer stored in a shape we cannot read are skipped (logged), not fatal for every NIC. */
function parseEach<T>(raw: KubeObject[], schema: z.ZodType<T>, what: string, ctx: ReconcileContext): T[] {
  return raw.flatMap((obj) => {
    const parsed = schema.safeParse(obj);
    if (parsed.success) return [parsed.data];
    ctx.logger.warn(`skipping unreadable ${what} ${objectKey(obj.metadata)}`, { issue: parsed.error.issues[0]?.message });
    return [];
  });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function step<T>(key: string, stepName: ReconcileStep, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw wrap(err, key, stepName, what);
  }
}

function wrap(err: unknown, key: string, stepName: ReconcileStep, what: string): ReconcileError {
  if (err instanceof ReconcileError) return err;
  return new ReconcileError(key, stepName, `${what} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
