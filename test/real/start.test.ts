/**
 * `npm start -- --real` as a user runs it: ready line, the demo converged against real servers,
 * kubectl with the written kubeconfig shows the real printer columns, and SIGTERM leaves nothing
 * listening (real tier only).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const listening = (url: string) =>
  new Promise<boolean>((resolve) => {
    const u = new URL(url);
    const s = connect({ host: u.hostname, port: Number(u.port) }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

it('npm start -- --real: the demo converges on real servers, kubectl works, SIGTERM stops every server', async () => {
  dir = await mkdtemp(join(tmpdir(), 'apinetlet-start-real-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/stack/main.ts', '--real', '--dir', dir], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + 90_000;
  while (!/demo converged/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
  expect(out, out).toMatch(/apinetlet local stack ready/);
  expect(out, out).toMatch(/demo converged/);

  const stack = JSON.parse(await readFile(join(dir, 'stack.json'), 'utf8')) as { ironcore: { server: string; kubeconfig: string }; apinet: { server: string } };
  const got = await new Promise<string>((resolve) =>
    execFile('/usr/bin/kubectl', ['--kubeconfig', stack.ironcore.kubeconfig, '--cache-dir', join(dir!, 'kcache'), 'get', 'networks', '-n', 'demo'], { env: { ...process.env, HOME: dir } }, (_e, stdout, stderr) => resolve(stdout + stderr)),
  );
  expect(got).toMatch(/NAME\s+STATE\s+PROVIDERID\s+AGE/);
  expect(got).toMatch(/demo-net\s+Available\s+ironcore-net:\/\//);

  expect(await listening(stack.ironcore.server)).toBe(true);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(out).toMatch(/SIGTERM: stopping/);
  expect(await listening(stack.ironcore.server)).toBe(false);
  expect(await listening(stack.apinet.server)).toBe(false);
  // No server process of this stack is left (their command lines name its directory).
  const ps = await new Promise<string>((resolve) => execFile('ps', ['-eo', 'args'], (_e, stdout) => resolve(stdout)));
  expect(ps.split('\n').filter((l) => l.includes(dir!) && !l.includes('vitest'))).toEqual([]);
}, 120_000);
