/**
 * `npm run plan -- -f object.yaml [--ironcore-kubeconfig F --apinet-kubeconfig F]`: prints, as YAML,
 * the writes a reconcile of each ironcore object in the file would make (apinet applies, ironcore
 * status/providerID/finalizer patches, deletes) and a diff of each apinet object against what the
 * apinet cluster holds now. Computed by the reconcile functions themselves in plan mode
 * (shared/reconcile/plan.ts): every write is sent with dryRun=All, so nothing is stored.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { Logger } from '@aws-lambda-powertools/logger';
import { ironcore as ironcoreResources, PRIMARY_KINDS, type PrimaryKind } from '../../shared/api/resources.ts';
import { createKubeClient, loadKubeConfig } from '../../shared/kube/index.ts';
import type { KubeObject } from '../../shared/kube/types.ts';
import { kindReconcilers } from '../../shared/reconcile/index.ts';
import { planReconcile, type PlannedWrite } from '../../shared/reconcile/plan.ts';
import { parseCommandLine } from './cli-args.ts';
import { DEFAULT_DIR } from './stack/args.ts';
import { planDiff } from './plan-diff.ts';

const HELP = `Usage: npm run plan -- -f object.yaml [--ironcore-kubeconfig F] [--apinet-kubeconfig F] [--apinet-namespace NS]

Prints what a reconcile of each ironcore object in object.yaml (one or more YAML documents of kinds
${PRIMARY_KINDS.join(', ')}) would write, and a diff of the apinet objects against the apinet
cluster. The object is taken as the ironcore cluster would store it after a server-side apply of
the file (a dry run); every write of the reconcile is sent with dryRun=All: nothing is stored.

  -f, --file F               the ironcore object(s), YAML
  --ironcore-kubeconfig F    default: $IRONCORE_KUBECONFIG, else ${DEFAULT_DIR}/ironcore.kubeconfig (npm start)
  --apinet-kubeconfig F      default: $APINET_KUBECONFIG, else ${DEFAULT_DIR}/apinet.kubeconfig (npm start)
  --apinet-namespace NS      default: $APINET_NAMESPACE, else apinet
Settings as the functions read them: APINETLET_WATCH_FILTER, APINETLET_NODE_AFFINITY_AWARE,
APINETLET_DISABLE_NETWORK_PEERING.`;

const cli = parseCommandLine({
  command: 'npm run plan --',
  help: HELP,
  options: {
    file: { type: 'string', short: 'f' },
    'ironcore-kubeconfig': { type: 'string' },
    'apinet-kubeconfig': { type: 'string' },
    'apinet-namespace': { type: 'string' },
  },
});
const { values } = cli;
if (!values.file) cli.fail('-f/--file is required: the YAML file of the ironcore object(s) to plan');

let text: string;
try {
  text = readFileSync(values.file!, 'utf8');
} catch (err) {
  cli.fail(`cannot read ${values.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
}
let docs: KubeObject[];
try {
  docs = (yaml.loadAll(text!) as unknown[]).filter((d) => d !== null && d !== undefined) as KubeObject[];
} catch (err) {
  cli.fail(`${values.file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
}
if (docs!.length === 0) cli.fail(`${values.file} holds no object`);
for (const [i, d] of docs!.entries()) {
  const where = `${values.file} document ${i + 1}`;
  if (!d || typeof d !== 'object' || Array.isArray(d)) cli.fail(`${where} is not an object`);
  if (!(PRIMARY_KINDS as readonly string[]).includes(d.kind as string)) cli.fail(`${where}: kind ${JSON.stringify(d.kind ?? '')} is not one of ${PRIMARY_KINDS.join(', ')}`);
  if (!d.metadata?.name || !d.metadata?.namespace) cli.fail(`${where}: metadata.name and metadata.namespace are required`);
}

const kubeconfigOf = (flag: string | undefined, variable: string, file: string) => flag ?? (process.env[variable]?.trim() || join(DEFAULT_DIR, file));
let clients;
try {
  clients = {
    ironcore: createKubeClient(loadKubeConfig(kubeconfigOf(values['ironcore-kubeconfig'], 'IRONCORE_KUBECONFIG', 'ironcore.kubeconfig'), 'ironcore kubeconfig')),
    apinet: createKubeClient(loadKubeConfig(kubeconfigOf(values['apinet-kubeconfig'], 'APINET_KUBECONFIG', 'apinet.kubeconfig'), 'apinet kubeconfig')),
  };
} catch (err) {
  cli.fail((err as Error).message);
}
const truthy = (v: string | undefined) => /^(1|true|yes)$/i.test(v?.trim() ?? '');
const env = {
  ...clients!,
  settings: {
    apinetNamespace: values['apinet-namespace'] ?? (process.env.APINET_NAMESPACE?.trim() || 'apinet'),
    watchFilter: process.env.APINETLET_WATCH_FILTER?.trim() || undefined,
    nodeAffinityAware: truthy(process.env.APINETLET_NODE_AFFINITY_AWARE),
    peeringDisabled: truthy(process.env.APINETLET_DISABLE_NETWORK_PEERING),
  },
  now: () => new Date(),
};
const logger = new Logger({ logLevel: 'SILENT' as never });

let failed = 0;
const out: string[] = [];
for (const doc of docs!) {
  const kind = doc.kind as PrimaryKind;
  const res = ironcoreResources[kind];
  const key = `${kind} ${doc.metadata.namespace}/${doc.metadata.name}`;
  try {
    // The input as the ironcore cluster would store it (defaults, uid of a stored object).
    const asStored = await env.ironcore.apply(res, doc, { fieldManager: 'apinetlet-plan', force: true, dryRun: true });
    const plan = await planReconcile(kindReconcilers[kind], env, { namespace: doc.metadata.namespace!, name: doc.metadata.name! }, { logger, receiveCount: 100, messageId: 'plan' }, [asStored]);
    out.push(yaml.dump({ plan: key, result: plan.result, writes: plan.writes.map(shown) }, { noRefs: true, lineWidth: 120 }).trimEnd());
    for (const w of plan.writes) {
      if (w.cluster !== 'apinet') continue;
      const note = w.verb === 'apply' && !w.before ? ' — created: what the server allocates (uid, spec.id, spec.ip) is a dry-run placeholder' : '';
      out.push(`# diff apinet ${w.kind} ${w.namespace ?? ''}/${w.name} (${w.verb})${note}\n${planDiff(w.before, w.after)}`);
    }
  } catch (err) {
    failed++;
    out.push(`# ${key}: plan failed: ${(err as Error).message.split('\n')[0]}`);
  }
}
process.stdout.write(`${out.join('\n---\n')}\n`);
process.exit(failed ? 1 : 0);

function shown(w: PlannedWrite) {
  return { cluster: w.cluster, verb: w.verb, kind: w.kind, namespace: w.namespace, name: w.name, ...(w.subresource ? { subresource: w.subresource } : {}), body: w.body };
}
