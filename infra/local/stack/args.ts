/**
 * Command line of `npm start` (ARCHITECTURE.md 8 — a contract other tools rely on):
 *   [--dir DIR] [--no-demo] [--real | --ironcore-kubeconfig F --apinet-kubeconfig F]
 */
export interface StackArgs {
  /** Where the kubeconfigs and stack.json are written. */
  dir: string;
  /** Seed the demo objects and show their progress. */
  demo: boolean;
  /** Real API servers (infra/real) instead of emulators. */
  real: boolean;
  /** Both set: run the functions against these clusters instead of emulators. */
  ironcoreKubeconfig?: string;
  apinetKubeconfig?: string;
}

export const DEFAULT_DIR = '.apinetlet/local';

const USAGE = 'usage: npm start -- [--dir DIR] [--no-demo] [--real | --ironcore-kubeconfig FILE --apinet-kubeconfig FILE]';

/** What `npm start -- --help` prints. */
export const STACK_HELP = `${USAGE}

Runs the whole system on this machine: two API servers, a local SQS server, the webhooks, the
reconcilers and the resync (README "Local stack"). Stops on SIGINT/SIGTERM within 5 s.
  --dir DIR                  where kubeconfigs and stack.json are written (default ${DEFAULT_DIR})
  --no-demo                  do not seed the demo namespace
  --real                     real API servers (infra/real; needs Go) instead of emulators
  --ironcore-kubeconfig FILE, --apinet-kubeconfig FILE
                             run the functions against these clusters (both together)
  -h, --help                 this text`;

/** Parses argv (without node and the script); throws with the usage line on anything unknown. */
export function parseStackArgs(argv: readonly string[]): StackArgs {
  const args: StackArgs = { dir: DEFAULT_DIR, demo: true, real: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--'))) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--dir':
        args.dir = value();
        break;
      case '--no-demo':
        args.demo = false;
        break;
      case '--real':
        args.real = true;
        break;
      case '--ironcore-kubeconfig':
        args.ironcoreKubeconfig = value();
        break;
      case '--apinet-kubeconfig':
        args.apinetKubeconfig = value();
        break;
      default:
        throw new Error(`unknown argument ${JSON.stringify(raw)}\n${USAGE}`);
    }
  }
  if (!!args.ironcoreKubeconfig !== !!args.apinetKubeconfig) {
    throw new Error(`--ironcore-kubeconfig and --apinet-kubeconfig go together (external clusters need both)\n${USAGE}`);
  }
  if (args.real && args.ironcoreKubeconfig) {
    throw new Error(`--real starts its own clusters; it does not go with --ironcore-kubeconfig/--apinet-kubeconfig\n${USAGE}`);
  }
  return args;
}
