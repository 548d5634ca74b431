/** `npm run emulator`: prints ready, writes a working kubeconfig, stops on SIGTERM. */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';

describe('emulator CLI', () => {
  it('serves the apinet flavour with the kubeconfig it writes, then exits on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
    const kcPath = join(dir, 'kc');
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/emulator/cli.ts', '--flavour', 'apinet', '--kubeconfig', kcPath], { cwd: process.cwd() });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    for (let i = 0; i < 300 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('ready');
    const kc = new KubeConfig();
    kc.loadFromString(await readFile(kcPath, 'utf8'));
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('default');
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });
});
