import { lambdaReconcileHandler } from '../../shared/reconcile/lambda.ts';
import { networkReconciler } from '../../shared/reconcile/network.ts';

export const handler = await lambdaReconcileHandler(networkReconciler);
