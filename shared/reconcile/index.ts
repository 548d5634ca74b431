/**
 * The registry of the six kinds' reconcilers (ARCHITECTURE.md 3), for whoever runs all of them in
 * one process (the local stack); each Lambda imports only its own kind's file.
 */
import type { PrimaryKind } from '../api/resources.ts';
import type { KubeObject } from '../kube/types.ts';
import { loadBalancerReconciler } from './loadbalancer.ts';
import { natGatewayReconciler } from './natgateway.ts';
import { networkReconciler } from './network.ts';
import { networkInterfaceReconciler } from './networkinterface.ts';
import { networkPolicyReconciler } from './networkpolicy.ts';
import type { KindReconciler } from './runtime.ts';
import { virtualIpReconciler } from './virtualip.ts';

// Each kind has its own object type; the registry only needs what the shell does with them.
export type AnyKindReconciler = KindReconciler<any>;

export const kindReconcilers: Record<PrimaryKind, AnyKindReconciler> = {
  Network: networkReconciler,
  LoadBalancer: loadBalancerReconciler,
  NATGateway: natGatewayReconciler,
  NetworkPolicy: networkPolicyReconciler,
  VirtualIP: virtualIpReconciler,
  NetworkInterface: networkInterfaceReconciler,
};

export type { KubeObject };
