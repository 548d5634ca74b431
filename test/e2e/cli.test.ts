/**
 * The contract of `npm start` (ARCHITECTURE.md 8) as other tools see it: a child process that
 * prints `ready`, writes DIR/stack.json and both kubeconfigs, and stops within 5 s on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRIMARY_KINDS, core } from '../../shared/api/resources.ts';
import { createKubeClient, loadKubeConfig } from '../../shared/kube/index.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
let child: ChildProcess | undefined;
let dir = '';
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

function waitForLine(proc: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}; output:\n${out}`)));
  });
}

describe('npm start contract', () => {
  it('prints ready, writes stack.json and kubeconfigs, and stops within 5 s on SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'apinetlet-cli-'));
    child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/stack/main.ts', '--dir', dir, '--no-demo'], {
      cwd: ROOT,
      env: { ...process.env, APINET_NAMESPACE: 'projections', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(child, /ready/, 45_000);

    const info = JSON.parse(await readFile(join(dir, 'stack.json'), 'utf8'));
    expect(Object.keys(info).sort()).toEqual(['apinet', 'functions', 'ironcore', 'sqs']);
    expect(Object.keys(info.ironcore).sort()).toEqual(['kubeconfig', 'server']);
    expect(Object.keys(info.apinet).sort()).toEqual(['kubeconfig', 'namespace', 'server']);
    expect(Object.keys(info.sqs).sort()).toEqual(['endpoint', 'queues']);
    expect(Object.keys(info.functions).sort()).toEqual(['admission', 'watch']);
    expect(Object.keys(info.sqs.queues).sort()).toEqual([...PRIMARY_KINDS].sort());
    expect(info.apinet.namespace).toBe('projections');
    expect(info.ironcore.kubeconfig).toBe(join(dir, 'ironcore.kubeconfig'));
    expect(info.apinet.kubeconfig).toBe(join(dir, 'apinet.kubeconfig'));
    expect(info.functions.admission).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(info.ironcore.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    // The kubeconfigs work as written (CA inline, bearer token), and the namespace was created.
    const apinet = createKubeClient(loadKubeConfig(await readFile(info.apinet.kubeconfig, 'utf8'), 'apinet kubeconfig'));
    expect(await apinet.get(core.Namespace, undefined, 'projections')).toBeDefined();
    const ironcore = createKubeClient(loadKubeConfig(info.ironcore.kubeconfig, 'ironcore kubeconfig'));
    expect(await ironcore.get(core.Namespace, undefined, 'default')).toBeDefined();

    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(code).toBe(0);
  }, 70_000);
});
