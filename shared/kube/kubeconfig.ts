import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * Loads a kubeconfig from what ARCHITECTURE.md section 7 allows in `IRONCORE_KUBECONFIG` /
 * `APINET_KUBECONFIG`: a path, the YAML (or JSON) text itself, or that text base64-encoded.
 * Empty → in-cluster (service account) when running in a pod, else the default `~/.kube/config`.
 */
export function loadKubeConfig(source: string | undefined, what = 'kubeconfig'): KubeConfig {
  const kc = new KubeConfig();
  const text = source?.trim() ?? '';
  try {
    if (text === '') {
      kc.loadFromDefault();
    } else if (looksLikeKubeconfigText(text)) {
      kc.loadFromString(text);
    } else if (!text.includes('\n') && existsSync(text)) {
      kc.loadFromFile(text);
    } else {
      const decoded = decodeBase64(text);
      if (decoded === undefined || !looksLikeKubeconfigText(decoded)) {
        throw new Error('it is neither an existing file, nor kubeconfig YAML, nor base64-encoded kubeconfig YAML');
      }
      kc.loadFromString(decoded);
    }
  } catch (err) {
    throw new Error(`loading the ${what}: ${(err as Error).message}; set it to a kubeconfig path, its YAML, or its base64`, { cause: err });
  }
  if (!kc.getCurrentCluster()) {
    throw new Error(`loading the ${what}: no current cluster (set current-context or give a kubeconfig with one cluster)`);
  }
  return kc;
}

function looksLikeKubeconfigText(text: string): boolean {
  return /(^|\n)\s*(apiVersion|clusters|kind|current-context)\s*:/.test(text) || /^\s*\{[\s\S]*"clusters"/.test(text);
}

function decodeBase64(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}
