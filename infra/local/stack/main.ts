/**
 * `npm start` (ARCHITECTURE.md 8): the whole system on this machine. Prints a line containing
 * `ready` once every part is up and DIR/stack.json is written; SIGINT/SIGTERM stop it cleanly.
 */
import { kindReconcilers } from '../../../shared/reconcile/index.ts';
import { parseStackArgs, STACK_HELP } from './args.ts';
import { runDemo } from './progress.ts';
import { startStack, type LocalStack } from './stack.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
/** Contract: stopped within 5 s of the signal; after this the process exits regardless. */
const STOP_DEADLINE_MS = 4_000;

async function main(): Promise<void> {
  let args;
  try {
    const argv = process.argv.slice(2);
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(STACK_HELP);
      process.exit(0);
    }
    args = parseStackArgs(argv);
  } catch (err) {
    // One line naming the bad flag or value (the usage is in --help).
    console.error(`npm start: ${(err as Error).message.split('\n')[0]} (see --help)`);
    process.exit(2);
  }
  let stack: LocalStack | undefined;
  let stopping = false;
  const demoAbort = new AbortController();
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    demoAbort.abort();
    console.log(`${signal}: stopping`);
    const force = setTimeout(() => {
      console.error('stop took too long; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS);
    force.unref();
    void (stack?.stop() ?? Promise.resolve()).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`stop failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  try {
    if (args.real) console.log('starting real API servers (infra/real; the first run builds them from the Go module proxy)');
    stack = await startStack({ dir: args.dir, reconcilers: kindReconcilers, real: args.real, ironcoreKubeconfig: args.ironcoreKubeconfig, apinetKubeconfig: args.apinetKubeconfig });
  } catch (err) {
    console.error(`apinetlet local stack: start failed: ${(err as Error).message}`);
    process.exit(1);
  }
  if (stopping) return void (await stack.stop());
  const { info } = stack;
  console.log(
    [
      `ironcore cluster  ${info.ironcore.server}   kubeconfig ${info.ironcore.kubeconfig}`,
      `apinet cluster    ${info.apinet.server}   kubeconfig ${info.apinet.kubeconfig}   namespace ${info.apinet.namespace}`,
      `sqs               ${info.sqs.endpoint}`,
      `admission         ${info.functions.admission}`,
      `watch             ${info.functions.watch}`,
      `resync            every ${stack.config.resyncIntervalSeconds} s (APINETLET_RESYNC_INTERVAL), drift only; every key every ${stack.config.fullResyncIntervalSeconds} s (APINETLET_FULL_RESYNC_INTERVAL)`,
      `apinetlet local stack ready (${args.dir}/stack.json)`,
    ].join('\n'),
  );
  if (args.demo) {
    try {
      await runDemo(stack, { signal: demoAbort.signal, out: process.stdout });
    } catch (err) {
      if (!stopping) console.error(`demo failed: ${(err as Error).message}`);
    }
  }
}

void main();
