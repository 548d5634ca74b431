import { lambdaReconcileHandler } from '../../shared/reconcile/lambda.ts';
import { virtualIpReconciler } from '../../shared/reconcile/virtualip.ts';

export const handler = await lambdaReconcileHandler(virtualIpReconciler);
