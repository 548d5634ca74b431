/** Reconcile function for ironcore NetworkInterfaces: SQS FIFO queue `NetworkInterface` → {@link networkInterfaceReconciler}. */
import { lambdaReconcileHandler } from '../../shared/reconcile/lambda.ts';
import { networkInterfaceReconciler } from '../../shared/reconcile/networkinterface.ts';

export const handler = await lambdaReconcileHandler(networkInterfaceReconciler);
