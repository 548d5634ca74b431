/** The object schemas and pure helpers every function shares. */
export * from './resources.ts';
export * from './meta.ts';
export * from './ip.ts';
export * from './ironcore.ts';
export * from './apinet.ts';
export * from './admission.ts';
export * from './names.ts';
export * from './provider-id.ts';
export * from './origin.ts';
export * from './filters.ts';
export * from './selector.ts';
