/** Reconcile function for ironcore NetworkPolicies: SQS FIFO queue `NetworkPolicy` → {@link networkPolicyReconciler}. */
import { lambdaReconcileHandler } from '../../shared/reconcile/lambda.ts';
import { networkPolicyReconciler } from '../../shared/reconcile/networkpolicy.ts';

export const handler = await lambdaReconcileHandler(networkPolicyReconciler);
