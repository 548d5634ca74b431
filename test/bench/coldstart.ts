/**
 * Cold start of each deployable bundle: N fresh `node` processes per bundle import it with a
 * deployed function's environment (configuration checked, Kubernetes and SQS clients built, as at
 * a Lambda cold start) and report how long the import took and the RSS afterwards, with and
 * without --enable-source-maps (serverless.yml no longer sets it: the maps are not shipped).
 *
 *   node --import tsx test/bench/coldstart.ts [N=10] [--markdown]
 *
 * Builds with infra/build.mjs into a temp folder (dist/ is left alone). Runs on this Node and, when
 * NODE22 names a Node 22 binary, on that too (nothing is downloaded here).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEmulator } from '../../infra/local/emulator/index.ts';
import { PRIMARY_KINDS } from '../../shared/api/resources.ts';
import { queueUrlVariable } from '../../shared/config.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
const markdown = args.includes('--markdown');

/** Time origin of performance.now() is the process start, so `readyMs` includes Node's own boot. */
const PROBE = `
import { pathToFileURL } from 'node:url';
const t0 = performance.now();
const mod = await import(pathToFileURL(process.argv[2]).href);
const t1 = performance.now();
if (typeof mod.handler !== 'function') throw new Error(process.argv[2] + ' exports no handler function');
process.stdout.write(JSON.stringify({ importMs: t1 - t0, readyMs: t1, rss: process.memoryUsage().rss }));
process.exit(0);
`;

interface Sample { importMs: number; readyMs: number; rss: number }
interface Row { bundle: string; kib: number; node: string; maps: 'on' | 'off'; samples: Sample[] }

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const max = (xs: number[]) => Math.max(...xs);

async function bundlesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await bundlesIn(path)));
    else if (e.name.endsWith('.mjs')) out.push(path);
  }
  return out.sort();
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'apinetlet-coldstart-'));
  const dist = join(dir, 'dist');
  // Only for a real kubeconfig (CA, token): the import builds clients but connects to nothing.
  const emulator = await startEmulator({ flavour: 'apinet' });
  try {
    await run(process.execPath, [join(root, 'infra/build.mjs')], { env: { ...process.env, OUTDIR: dist } });
    await writeFile(join(dir, 'probe.mjs'), PROBE);
    const kubeconfig = Buffer.from(emulator.kubeconfig()).toString('base64');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '', TZ: ':UTC', LAMBDA_TASK_ROOT: dist, AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'fake', AWS_SESSION_TOKEN: 'fake',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      APINET_NAMESPACE: 'apinet', IRONCORE_KUBECONFIG: kubeconfig, APINET_KUBECONFIG: kubeconfig, WEBHOOK_TOKEN: 'bench',
      POWERTOOLS_SERVICE_NAME: 'apinetlet', POWERTOOLS_METRICS_NAMESPACE: 'apinetlet',
      ...Object.fromEntries(
        PRIMARY_KINDS.map((k) => [queueUrlVariable(k), `https://sqs.eu-central-1.amazonaws.com/000000000000/apinetlet-bench-${k.toLowerCase()}.fifo`]),
      ),
    };
    const nodes: Array<{ label: string; bin: string }> = [{ label: process.version, bin: process.execPath }];
    if (process.env.NODE22) {
      const { stdout } = await run(process.env.NODE22, ['--version']);
      if (!stdout.startsWith('v22.')) throw new Error(`NODE22=${process.env.NODE22} is ${stdout.trim()}, not Node 22; unset it or point it at a Node 22 binary`);
      nodes.push({ label: stdout.trim(), bin: process.env.NODE22 });
    } else {
      console.error('coldstart: NODE22 is not set; measuring this Node only');
    }
    const rows: Row[] = [];
    for (const file of await bundlesIn(dist)) {
      const bundle = relative(dist, file).replace(/\.mjs$/, '');
      const kib = (await stat(file)).size / 1024;
      // Deployed without --enable-source-maps (see infra/build.mjs); measured both ways because it makes Node read the
      // bundle's source map at load; "off" shows what that costs.
      for (const node of nodes) {
        for (const maps of ['on', 'off'] as const) {
          const samples: Sample[] = [];
          const withMaps = maps === 'on' ? { ...env, NODE_OPTIONS: '--enable-source-maps' } : env;
          for (let i = 0; i < N; i++) {
            const { stdout } = await run(node.bin, [join(dir, 'probe.mjs'), file], { env: withMaps, cwd: dist }).catch((err) => {
              throw new Error(`coldstart: importing ${bundle} on ${node.label} failed: ${err.stderr || err.message}`);
            });
            samples.push(JSON.parse(stdout) as Sample);
          }
          rows.push({ bundle, kib, node: node.label, maps, samples });
          process.stderr.write(`${bundle} on ${node.label}, source maps ${maps}: ${N} runs\n`);
        }
      }
    }
    print(rows);
  } finally {
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function print(rows: Row[]): void {
  const header = ['bundle', 'KiB', 'node', 'source maps', 'import p50 (ms)', 'import max (ms)', 'start→ready p50 (ms)', 'RSS p50 (MiB)', 'RSS max (MiB)'];
  const table = rows.map((r) => {
    const imp = r.samples.map((s) => s.importMs);
    const ready = r.samples.map((s) => s.readyMs);
    const rss = r.samples.map((s) => s.rss / 2 ** 20);
    return [r.bundle, r.kib.toFixed(0), r.node, r.maps, p50(imp).toFixed(0), max(imp).toFixed(0), p50(ready).toFixed(0), p50(rss).toFixed(0), max(rss).toFixed(0)];
  });
  if (markdown) {
    console.log(`| ${header.join(' | ')} |`);
    console.log(`|${header.map((_, i) => (i === 0 || i === 2 || i === 3 ? '---' : '---:')).join('|')}|`);
    for (const row of table) console.log(`| ${row.join(' | ')} |`);
    return;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 2 || i === 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
}

await main();
