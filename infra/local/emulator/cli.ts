/**
 * `npm run emulator -- --flavour ironcore|apinet [--port N] [--kubeconfig FILE] [--token T] [--host H]`
 * Prints a line with `ready` once listening; stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './index.ts';

const { values } = parseArgs({
  options: {
    flavour: { type: 'string', default: 'ironcore' },
    port: { type: 'string', default: '0' },
    kubeconfig: { type: 'string' },
    token: { type: 'string' },
    host: { type: 'string' },
  },
});

const flavour = values.flavour;
if (flavour !== 'ironcore' && flavour !== 'apinet') {
  console.error(`--flavour must be ironcore or apinet, got ${JSON.stringify(flavour)}`);
  process.exit(2);
}
const emulator = await startEmulator({ flavour, port: Number(values.port), token: values.token, host: values.host });
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
