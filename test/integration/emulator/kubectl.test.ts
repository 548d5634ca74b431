/** The emulator through kubectl with its default validation (kube-api.md §1.3–§1.6, §6.8, §7). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../infra/local/emulator/index.ts';
import { GROUP, VERSION, testFlavour } from './helpers.ts';

let emu: Emulator;
let dir: string;
const RES = `widgets.${GROUP}`;

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/kubectl',
      ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), '--request-timeout', '20s', ...args],
      { env: { ...process.env, HOME: dir } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const manifest = (name: string, spec: Record<string, unknown>, extra = '') =>
  `apiVersion: ${GROUP}/${VERSION}\nkind: Widget\nmetadata:\n  name: ${name}\n${extra}spec: ${JSON.stringify(spec)}\n`;

async function file(name: string, content: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, content);
  return p;
}

beforeAll(async () => {
  emu = await startEmulator({ flavour: testFlavour() });
  dir = await mkdtemp(join(tmpdir(), 'emu-kubectl-'));
  await emu.writeKubeconfig(join(dir, 'kubeconfig'));
});
afterAll(async () => {
  await emu?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubectl', () => {
  it('api-resources lists the served kinds from legacy discovery', async () => {
    const r = await kubectl('api-resources');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/widgets\s+wd\s+test\.emulator\.dev\/v1\s+true\s+Widget/);
    expect(r.stdout).toMatch(/namespaces\s+ns\s+v1\s+false\s+Namespace/);
    expect(r.stdout).toMatch(/validatingwebhookconfigurations\s+admissionregistration\.k8s\.io\/v1\s+false/);
  });

  it('create -f with default validation, then get -o json', async () => {
    const r = await kubectl('create', '-f', await file('k1.yaml', manifest('k1', { size: 1 })));
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`widget.${GROUP}/k1 created`);
    const g = await kubectl('get', RES, 'k1', '-o', 'json');
    const obj = JSON.parse(g.stdout);
    expect(obj.spec).toEqual({ size: 1 });
    expect(obj.metadata.uid).toBeTruthy();
  });

  it('apply --server-side with two field managers', async () => {
    const a = await kubectl('apply', '--server-side', '-f', await file('k2.yaml', manifest('k2', { size: 1, color: 'red' })));
    expect(a.stderr).toBe('');
    expect(a.stdout.trim()).toBe(`widget.${GROUP}/k2 serverside-applied`);
    const b = await kubectl('apply', '--server-side', '--field-manager', 'second', '-f', await file('k2b.yaml', manifest('k2', { size: 2 })));
    const obj = JSON.parse((await kubectl('get', RES, 'k2', '-o', 'json', '--show-managed-fields')).stdout);
    const managers = (obj.metadata.managedFields ?? []).map((m: { manager: string }) => m.manager);
    expect(managers).toContain('kubectl');
    // kube-api.md §8.5: the second manager changes a field the first owns → 409 without force.
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/conflict with "kubectl"/);
    expect(b.stderr).toContain('.spec.size');
    expect(obj.spec.size).toBe(1);
    const forced = await kubectl('apply', '--server-side', '--force-conflicts', '--field-manager', 'second', '-f', join(dir, 'k2b.yaml'));
    expect(forced.stderr).toBe('');
    expect(JSON.parse((await kubectl('get', RES, 'k2', '-o', 'json')).stdout).spec).toEqual({ size: 2, color: 'red' });
  });

  it('patch --type merge; strategic merge patch is declined with 415 wording', async () => {
    await kubectl('create', '-f', await file('k3.yaml', manifest('k3', { size: 1 })));
    const p = await kubectl('patch', RES, 'k3', '--type', 'merge', '-p', '{"spec":{"color":"blue"}}');
    expect(p.stdout.trim()).toBe(`widget.${GROUP}/k3 patched`);
    const s = await kubectl('patch', RES, 'k3', '-p', '{"spec":{"color":"green"}}');
    expect(s.code).not.toBe(0);
    expect(s.stderr).toContain('the body of the request was in an unknown format - accepted media types include');
    expect(JSON.parse((await kubectl('get', RES, 'k3', '-o', 'json')).stdout).spec).toEqual({ size: 1, color: 'blue' });
  });

  it('replace with a stale object answers 409 Conflict', async () => {
    await kubectl('create', '-f', await file('k4.yaml', manifest('k4', { size: 1 })));
    const stale = (await kubectl('get', RES, 'k4', '-o', 'yaml')).stdout;
    await kubectl('label', RES, 'k4', 'x=y');
    const r = await kubectl('replace', '-f', await file('k4-stale.yaml', stale));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Error from server (Conflict)`);
    expect(r.stderr).toContain(`Operation cannot be fulfilled on ${RES} "k4": the object has been modified`);
  });

  it('get -w --output-watch-events shows ADDED/MODIFIED/DELETED; delete waits for the object to go', async () => {
    await kubectl('create', '-f', await file('k5.yaml', manifest('k5', { size: 1 })));
    const child = spawn('/usr/bin/kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), 'get', RES, 'k5', '-w', '--output-watch-events'], {
      env: { ...process.env, HOME: dir },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    const until = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    };
    await until(/ADDED\s+k5/);
    await kubectl('patch', RES, 'k5', '--type', 'merge', '-p', '{"spec":{"size":2}}');
    await until(/MODIFIED\s+k5/);
    const d = await kubectl('delete', RES, 'k5');
    expect(d.stdout.trim()).toBe(`widget.${GROUP} "k5" deleted`);
    await until(/DELETED\s+k5/);
    child.kill();
    expect(out).toMatch(/ADDED\s+k5[\s\S]*MODIFIED\s+k5[\s\S]*DELETED\s+k5/);
    const g = await kubectl('get', RES, 'k5');
    expect(g.stderr).toContain(`Error from server (NotFound): ${RES} "k5" not found`);
  });

  it('patch --subresource=status writes status only; a main-resource patch cannot change it', async () => {
    await kubectl('create', '-f', await file('k6.yaml', manifest('k6', { size: 1 })));
    const p = await kubectl('patch', RES, 'k6', '--subresource=status', '--type', 'merge', '-p', '{"status":{"phase":"Ready"},"spec":{"size":9}}');
    expect(p.stderr).toBe('');
    expect(p.stdout.trim()).toBe(`widget.${GROUP}/k6 patched`);
    let obj = JSON.parse((await kubectl('get', RES, 'k6', '-o', 'json')).stdout);
    expect(obj.status).toEqual({ phase: 'Ready' });
    expect(obj.spec).toEqual({ size: 1 }); // status writes keep spec
    await kubectl('patch', RES, 'k6', '--type', 'merge', '-p', '{"status":{"phase":"Gone"},"spec":{"size":2}}');
    obj = JSON.parse((await kubectl('get', RES, 'k6', '-o', 'json')).stdout);
    expect(obj.status).toEqual({ phase: 'Ready' }); // this kind resets status on main writes, like a CRD
    expect(obj.spec).toEqual({ size: 2 });
  });

  it('a wrong token is refused', async () => {
    const bad = emu.kubeconfig().replace(emu.token, 'wrong-token');
    const r = await kubectl('--kubeconfig', await file('bad-kubeconfig', bad), 'get', RES);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/You must be logged in to the server|Unauthorized/);
  });
});
