/**
 * `npm run emulator -- --flavour ironcore|apinet [--port N] [--kubeconfig FILE] [--token T] [--host H]`
 * Prints a line with `ready` once listening; stops on SIGINT/SIGTERM.
 */
import { intIn, oneOf, parseCommandLine } from '../cli-args.ts';
import { startEmulator } from './index.ts';

const HELP = `usage: npm run emulator -- [--flavour ironcore|apinet] [--port N] [--kubeconfig FILE] [--token T] [--host H]

Runs one emulated Kubernetes API server (HTTPS) until SIGINT/SIGTERM; prints a line with "ready".
  --flavour ironcore|apinet  which cluster's API (default ironcore)
  --port N                   port to listen on (default 0: a free one)
  --kubeconfig FILE          write a kubeconfig for it to FILE
  --token T                  bearer token the server accepts (default: a random one)
  --host H                   address to listen on (default 127.0.0.1)
  -h, --help                 this text`;

const cli = parseCommandLine({
  command: 'npm run emulator',
  help: HELP,
  options: {
    flavour: { type: 'string', default: 'ironcore' },
    port: { type: 'string', default: '0' },
    kubeconfig: { type: 'string' },
    token: { type: 'string' },
    host: { type: 'string' },
  },
});
const { values } = cli;
const flavour = oneOf(cli, '--flavour', values.flavour, ['ironcore', 'apinet'] as const);
const port = intIn(cli, '--port', values.port, 0, 65535);
const emulator = await startEmulator({ flavour, port, token: values.token, host: values.host });
if (values.kubeconfig) await emulator.writeKubeconfig(values.kubeconfig);
console.log(`${flavour} emulator ready at ${emulator.url}${values.kubeconfig ? ` (kubeconfig ${values.kubeconfig})` : ''}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await emulator.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
