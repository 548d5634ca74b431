import type { KubeObject } from './object.ts';

export type Cluster = 'ironcore' | 'apinet';
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * One observed object change, whatever carried it (ARCHITECTURE.md section 5). `via` tells the
 * mapping whether the admission webhook already enqueued the object's own key.
 */
export interface Change {
  cluster: Cluster;
  type: ChangeType;
  object: KubeObject;
  oldObject?: KubeObject;
  via: 'admission' | 'cloudevent' | 'watch';
}
