import { describe, expect, it } from 'vitest';
import { parseStackArgs } from '../../../infra/local/stack/args.ts';
import { fillPlaceholders } from '../../../infra/local/stack/webhooks.ts';
import { progressOf } from '../../../infra/local/stack/converge.ts';

const vars = { WEBHOOK_BASE_URL: 'https://127.0.0.1:1', WATCH_BASE_URL: 'https://127.0.0.1:2', WEBHOOK_TOKEN: 't', CA_BUNDLE: 'Q0E=', APINET_NAMESPACE: 'apinet' };

describe('local stack command line and helpers', () => {
  it('defaults to .apinetlet/local with the demo', () => {
    expect(parseStackArgs([])).toEqual({ dir: '.apinetlet/local', demo: true, real: false });
  });
  it('reads --dir, --no-demo and both kubeconfig flags', () => {
    expect(parseStackArgs(['--dir', '/x', '--no-demo', '--ironcore-kubeconfig=a', '--apinet-kubeconfig', 'b'])).toEqual({
      dir: '/x', demo: false, real: false, ironcoreKubeconfig: 'a', apinetKubeconfig: 'b',
    });
  });
  it('reads --real, which starts its own clusters and refuses external kubeconfigs', () => {
    expect(parseStackArgs(['--real', '--no-demo'])).toEqual({ dir: '.apinetlet/local', demo: false, real: true });
    expect(() => parseStackArgs(['--real', '--ironcore-kubeconfig', 'a', '--apinet-kubeconfig', 'b'])).toThrow(/--real starts its own clusters/);
  });
  it('refuses one kubeconfig flag alone and unknown flags', () => {
    expect(() => parseStackArgs(['--ironcore-kubeconfig', 'a'])).toThrow(/go together/);
    expect(() => parseStackArgs(['--demo'])).toThrow(/unknown argument/);
    expect(() => parseStackArgs(['--dir'])).toThrow(/needs a value/);
  });
  it('fills webhook placeholders and names a missing one', () => {
    expect(fillPlaceholders('url: ${WEBHOOK_BASE_URL}/t/${WEBHOOK_TOKEN}/mutate', vars, 'f')).toBe('url: https://127.0.0.1:1/t/t/mutate');
    expect(() => fillPlaceholders('${NOPE}', vars, 'f.yaml')).toThrow(/f.yaml: no value for placeholder\(s\) NOPE/);
  });
  it('R-GEN-01, R-NET-01: a Network converges only with finalizer, providerID, Available and its projection', () => {
    const net = (extra: object) => ({ apiVersion: 'v', kind: 'Network', metadata: { name: 'n', finalizers: ['apinet.ironcore.dev/network'] }, ...extra });
    const projection = { apiVersion: 'v', kind: 'Network', metadata: { name: 'u' } };
    expect(progressOf('Network', { ...net({}), metadata: { name: 'n' } }, projection).state).toBe('waiting: finalizer');
    expect(progressOf('Network', net({ spec: {} }), projection).state).toBe('waiting: providerID');
    expect(progressOf('Network', net({ spec: { providerID: 'p' }, status: { state: 'Available' } }), undefined).converged).toBe(false);
    expect(progressOf('Network', net({ spec: { providerID: 'p' }, status: { state: 'Available' } }), projection).converged).toBe(true);
  });
});
