export * from './client.ts';
export * from './errors.ts';
export * from './kubeconfig.ts';
export type * from './types.ts';
