/**
 * Registers the webhook configurations the project ships (infra/kubernetes) in the clusters the
 * stack runs, with the placeholders filled, so the API servers call the functions as in a real
 * installation (ARCHITECTURE.md 8).
 */
import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import type { ResourceInfo } from '../../../shared/api/resources.ts';
import type { KubeClient, KubeObject } from '../../../shared/kube/index.ts';

const ADMISSION_GROUP = 'admissionregistration.k8s.io';
const webhookConfigurations: Record<string, ResourceInfo> = {
  MutatingWebhookConfiguration: Object.freeze({
    group: ADMISSION_GROUP, version: 'v1', kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', namespaced: false, hasStatus: false,
  }),
  ValidatingWebhookConfiguration: Object.freeze({
    group: ADMISSION_GROUP, version: 'v1', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', namespaced: false, hasStatus: false,
  }),
};

export interface WebhookVars {
  WEBHOOK_BASE_URL: string;
  WATCH_BASE_URL: string;
  WEBHOOK_TOKEN: string;
  /** base64 PEM of the CA that signed the functions' certificate. */
  CA_BUNDLE: string;
  APINET_NAMESPACE: string;
}

/** Fills `${NAME}` placeholders of a shipped manifest; throws naming any placeholder left without a value. */
export function fillPlaceholders(text: string, vars: WebhookVars | Readonly<Record<string, string>>, source: string): string {
  const values = vars as Readonly<Record<string, string>>;
  const missing = new Set<string>();
  const out = text.replace(/\$\{([A-Z_]+)\}/g, (all, name: string) => {
    if (values[name] === undefined) {
      missing.add(name);
      return all;
    }
    return values[name];
  });
  if (missing.size) throw new Error(`${source}: no value for placeholder(s) ${[...missing].join(', ')}`);
  return out;
}

/** The documents of a manifest file after filling; only webhook configurations are accepted. */
export function webhookDocuments(text: string, vars: WebhookVars, source: string): KubeObject[] {
  const docs = yaml.loadAll(fillPlaceholders(text, vars, source)).filter((d) => d && typeof d === 'object') as KubeObject[];
  for (const d of docs) {
    if (!webhookConfigurations[d.kind ?? '']) throw new Error(`${source}: unexpected ${d.kind}; only webhook configurations are registered by the stack`);
  }
  return docs;
}

/** Server-side applies every webhook configuration of the given manifest files into one cluster. */
export async function registerWebhooks(client: KubeClient, files: string[], vars: WebhookVars): Promise<string[]> {
  const names: string[] = [];
  for (const file of files) {
    for (const doc of webhookDocuments(await readFile(file, 'utf8'), vars, file)) {
      try {
        await client.apply(webhookConfigurations[doc.kind ?? '']!, doc, { fieldManager: 'apinetlet-local-stack', force: true });
      } catch (err) {
        throw new Error(`registering ${doc.kind} ${doc.metadata.name} from ${file} in ${client.server} failed: ${(err as Error).message}`);
      }
      names.push(`${doc.kind}/${doc.metadata.name}`);
    }
  }
  return names;
}
