import { lambdaReconcileHandler } from '../../shared/reconcile/lambda.ts';
import { natGatewayReconciler } from '../../shared/reconcile/natgateway.ts';

export const handler = await lambdaReconcileHandler(natGatewayReconciler);
