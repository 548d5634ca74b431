/** Calling admission webhooks (kube-api.md §11). */
import type { KindDef, KubeObject } from './types.ts';

export interface AdmissionAttributes {
  kind: KindDef; operation: 'CREATE' | 'UPDATE' | 'DELETE'; subresource?: string;
  namespace?: string; name: string; object?: KubeObject; oldObject?: KubeObject; dryRun: boolean;
  userInfo: { username: string; uid?: string; groups: string[] }; options?: unknown;
}
export interface AdmissionEnv {
  mutating: KubeObject[]; validating: KubeObject[];
  namespaceLabels(ns: string): Record<string, string> | undefined;
}
export async function runMutatingAdmission(a: AdmissionAttributes, env: AdmissionEnv): Promise<KubeObject | undefined> {
  void a; void env;
  return undefined;
}
export async function runValidatingAdmission(a: AdmissionAttributes, env: AdmissionEnv): Promise<void> {
  void a; void env;
}
