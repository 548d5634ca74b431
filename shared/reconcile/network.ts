/**
 * Network reconcile shell (behavior.md 3.2): reads what the pure core needs (peer apinet Networks,
 * referenced ipam Prefixes), applies the apinet Network `ANS/<uid>`, writes the provider ID once
 * and the status. The decisions live in ./core/network.ts; this file only does the I/O in order.
 */
import { ApinetNetwork } from '../api/apinet.ts';
import { IroncoreNetwork, IroncorePrefix } from '../api/ironcore.ts';
import { apinet, ironcore } from '../api/resources.ts';
import { done, requeue, type ReconcileResult } from '../queue/result.ts';
import type { ReconcileContext } from '../queue/consumer.ts';
import {
  desiredApinetNetwork,
  networkFailureStatusPatch,
  networkPeerNames,
  networkPrefixRefNames,
  networkProviderIdPatch,
  networkStatusPatch,
  type NetworkObserved,
} from './core/network.ts';
import { ServerFieldMissingError, objectKey } from './core/errors.ts';
import { providerIdSet } from './core/events.ts';
import type { KindReconciler, ReconcileEnv } from './runtime.ts';
import { applyApinet, atStep, deleteApinetOfGone, disownApplyFields, finalizeApinetByUid, isImmutableFieldError, parseAs, patchIroncoreStatus, setProviderId, stepError } from './steps.ts';

/** Seconds to wait for a server-filled field (the VNI, SRV-01) that is not there yet. */
const SERVER_FIELD_WAIT_SECONDS = 1;

async function reconcileNetwork(network: IroncoreNetwork, env: ReconcileEnv, ctx: ReconcileContext): Promise<ReconcileResult> {
  const key = objectKey(network.metadata);
  const observed = await observe(network, env, key);
  const body = desiredApinetNetwork(observed);

  let applied: ApinetNetwork;
  try {
    applied = parseAs(ApinetNetwork, await applyTakingOver(env, body, ctx), key, 'apply', `apinet Network ${body.metadata.namespace}/${body.metadata.name}`);
  } catch (err) {
    // R-NET-02: a Network not yet Available shows Pending while the apply keeps failing.
    const pending = networkFailureStatusPatch(network);
    if (pending) {
      await patchIroncoreStatus(env.ironcore, ironcore.Network, network, pending.status).catch((patchErr: unknown) =>
        ctx.logger.warn('could not mark the Network Pending after a failed apply', { error: patchErr as Error }),
      );
    }
    throw stepError(key, 'apply', `apply of apinet Network ${body.metadata.namespace}/${body.metadata.name}`, err);
  }

  // R-NET-01: written once; Go requeues here, we go on to the status in the same invocation.
  let current = network;
  let providerPatch;
  try {
    providerPatch = networkProviderIdPatch(network, applied);
  } catch (err) {
    if (err instanceof ServerFieldMissingError) return requeue(err.message, SERVER_FIELD_WAIT_SECONDS);
    throw err;
  }
  if (providerPatch) {
    const patched = await atStep(key, 'provider-id', `setting spec.providerID=${providerPatch.spec.providerID}`, () =>
      setProviderId(env.ironcore, ironcore.Network, network, providerPatch.spec.providerID),
    );
    current = parseAs(IroncoreNetwork, patched, key, 'provider-id', 'the patched ironcore Network');
    env.pendingEvents?.push(providerIdSet(providerPatch.spec.providerID));
  }

  const statusPatch = networkStatusPatch(current, applied, env.settings);
  if (statusPatch) {
    await atStep(key, 'status', `status patch (state ${statusPatch.status.state})`, () =>
      patchIroncoreStatus(env.ironcore, ironcore.Network, current, statusPatch.status),
    );
  }
  return done();
}

/**
 * The apply, taking over a Network the Go apinetlet applied as a whole (its Apply entry, under our
 * field manager, owns the server-assigned `spec.id`, which our apply would remove): once, the field
 * is disowned and the apply repeated (steps.ts disownApplyFields).
 */
async function applyTakingOver(env: ReconcileEnv, body: ReturnType<typeof desiredApinetNetwork>, ctx: ReconcileContext) {
  try {
    return await applyApinet(env, apinet.Network, { ...body });
  } catch (err) {
    if (!isImmutableFieldError(err, 'id')) throw err;
    const stored = await env.apinet.get(apinet.Network, body.metadata.namespace, body.metadata.name);
    if (!stored || !(await disownApplyFields(env.apinet, apinet.Network, stored, [['spec', 'id']]))) throw err;
    ctx.logger.info('took over an apinet Network applied by the Go apinetlet: spec.id is no longer owned by our Apply entry', { name: body.metadata.name });
    return applyApinet(env, apinet.Network, { ...body });
  }
}

/** The reads the core asks for: peer apinet Networks in ANS (R-NET-07), Prefixes of the Network's own namespace (R-NET-03). */
async function observe(network: IroncoreNetwork, env: ReconcileEnv, key: string): Promise<NetworkObserved> {
  const ans = env.settings.apinetNamespace;
  const ns = network.metadata.namespace ?? '';
  const [peers, prefixes] = await Promise.all([
    Promise.all(
      networkPeerNames(network).map(async (name) => {
        const raw = await atStep(key, 'read', `reading peer apinet Network ${ans}/${name}`, () => env.apinet.get(apinet.Network, ans, name));
        return [name, raw && parseAs(ApinetNetwork, raw, key, 'read', `peer apinet Network ${ans}/${name}`)] as const;
      }),
    ),
    Promise.all(
      networkPrefixRefNames(network).map(async (name) => {
        const raw = await atStep(key, 'read', `reading ipam Prefix ${ns}/${name}`, () => env.ironcore.get(ironcore.Prefix, ns, name));
        return [name, raw && parseAs(IroncorePrefix, raw, key, 'read', `ipam Prefix ${ns}/${name}`)] as const;
      }),
    ),
  ]);
  return {
    network,
    peerApinetNetworks: Object.fromEntries(peers),
    prefixes: Object.fromEntries(prefixes),
    settings: { apinetNamespace: ans, peeringDisabled: env.settings.peeringDisabled },
  };
}

export const networkReconciler: KindReconciler<IroncoreNetwork> = {
  kind: 'Network',
  schema: IroncoreNetwork,
  reconcile: reconcileNetwork,
  // R-NET-11: the finalizer goes only once the apinet Network read says not-found.
  finalize: finalizeApinetByUid(apinet.Network),
  // NET-02 / SIM-09: dangling apinet Networks whose origin names this (gone) key.
  gone: deleteApinetOfGone('Network', apinet.Network),
};
