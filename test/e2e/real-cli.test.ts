/** `npm start -- --real` without Go: one line saying what to do, exit 1, nothing started. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('npm start -- --real without a Go toolchain on PATH fails with one clear line', async () => {
  const path = (process.env.PATH ?? '').split(':').filter((d) => d && !existsSync(join(d, 'go'))).join(':');
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/stack/main.ts', '--real', '--no-demo', '--dir', '/tmp/apinetlet-no-go'], {
    cwd: process.cwd(),
    env: { ...process.env, PATH: path, APINETLET_REAL_BIN: '' },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  expect(code).toBe(1);
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^apinetlet local stack: start failed: real servers: no Go toolchain on PATH; install Go 1\.25 or newer/);
}, 30_000);
