/** Reconcile function for ironcore LoadBalancers: SQS FIFO queue `LoadBalancer` → {@link loadBalancerReconciler}. */
import { lambdaReconcileHandler } from '../../shared/reconcile/lambda.ts';
import { loadBalancerReconciler } from '../../shared/reconcile/loadbalancer.ts';

export const handler = await lambdaReconcileHandler(loadBalancerReconciler);
