/**
 * npm run test:differential -- [--seed N] [--ops M] [--no-e2e] [--keep-going] [--json FILE] [--markdown FILE]
 *
 * The Go apinetlet (ironcore-net v0.3.0) and this project side by side on two real cluster pairs,
 * driven by the same operation script: the e2e scenarios, then one seeded random script. After
 * each step both sides must agree (normalised, allow-list of behavior.md rules, allow.ts). Prints
 * the seed first, one line per step, the first differing object of every failed step, the
 * latency / request table, and `N passed, M failed` (steps) last; exits 1 on any unexplained
 * difference. Stops at the first failed step unless --keep-going: after a lasting difference the
 * two worlds have diverged, and every later step would only wait out the agree window again.
 * The JSON file is rewritten after every step, so a stopped run still leaves its numbers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intIn, parseCommandLine } from '../../infra/local/cli-args.ts';
import { e2eScripts, randomScript, type Script } from './ops.ts';
import { Differential, formatDiff, type StepResult } from './run.ts';
import { startSides } from './sides.ts';
import { summarise, summaryMarkdown } from './summary.ts';

const HELP = `usage: npm run test:differential -- [--seed N] [--ops M] [--no-e2e] [--keep-going] [--json FILE] [--markdown FILE]

  --seed N         seed of the random script (default: random; printed first, replay with it)
  --ops M          operations of the random script (default 500; 0 = none)
  --no-e2e         skip the e2e scenarios
  --keep-going     go on after a failed step (default: stop there; the rest counts as not run)
  --agree-ms MS    how long a step may take to agree after both sides are quiet (default 12000)
  --json FILE      write every step result as JSON (rewritten after each step)
  --markdown FILE  write the side-by-side latency / request table as Markdown
  -h, --help       this text`;

const cli = parseCommandLine({
  command: 'npm run test:differential --',
  help: HELP,
  options: {
    seed: { type: 'string' },
    ops: { type: 'string' },
    'no-e2e': { type: 'boolean' },
    'keep-going': { type: 'boolean' },
    'agree-ms': { type: 'string' },
    json: { type: 'string' },
    markdown: { type: 'string' },
  },
});
const seed = cli.values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : intIn(cli, '--seed', cli.values.seed, 0, 2 ** 31 - 1);
const count = cli.values.ops === undefined ? 500 : intIn(cli, '--ops', cli.values.ops, 0, 100_000);
const agreeMs = cli.values['agree-ms'] === undefined ? 12_000 : intIn(cli, '--agree-ms', cli.values['agree-ms'], 0, 600_000);
console.log(`seed ${seed}`);

const scripts: Script[] = [...(cli.values['no-e2e'] ? [] : e2eScripts()), ...(count > 0 ? [randomScript(seed, count)] : [])];
const dir = await mkdtemp(join(tmpdir(), 'apinetlet-differential-'));
const t0 = Date.now();
const sides = await startSides(dir);
console.log(`both sides up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
// Ctrl-C / kill: stop the servers and the Go apinetlet instead of leaving them running.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.log(`${sig}: stopping both sides`);
    void sides.stop().finally(() => process.exit(130));
  });
}
const d = new Differential(sides);
const results: { script: string; step: StepResult }[] = [];
const total = scripts.reduce((n, s) => n + s.ops.length, 0);
let atRest: Awaited<ReturnType<Differential['atRest']>> | undefined;
let stopped = false;
const save = async (summary?: ReturnType<typeof summarise>) => {
  if (cli.values.json) await writeFile(cli.values.json, JSON.stringify({ seed, count, complete: summary !== undefined, results, atRest, summary }, null, 1));
};
try {
  run: for (const s of scripts) {
    console.log(`## ${s.name}`);
    for (const [i, op] of s.ops.entries()) {
      const r = await d.step(i, op, { agreeMs });
      results.push({ script: s.name, step: r });
      const mark = r.unexplained.length ? 'FAIL' : 'ok  ';
      console.log(`${mark} ${i} ${r.op}  go ${r.settle.go.toFixed(2)} s/${r.requests.go} req  ts ${r.settle.ts.toFixed(2)} s/${r.requests.ts} req${r.explained.length ? `  (${r.explained.length} allowed)` : ''}`);
      await save();
      if (r.unexplained.length) {
        console.log(formatDiff(r.unexplained[0]!));
        if (!cli.values['keep-going']) {
          console.log(`stopping at the first failed step (${s.name} step ${i}; replay: --seed ${seed} --ops ${count}; --keep-going to go on)`);
          stopped = true;
          break run;
        }
      }
    }
  }
  if (!stopped) atRest = await d.atRest(30_000);
} finally {
  await sides.stop();
}
const summary = summarise(results.map((r) => r.step), atRest, { go: d.objectsAtRest('go'), ts: d.objectsAtRest('ts') });
const md = summaryMarkdown(summary, `npm run test:differential -- --seed ${seed} --ops ${count}${cli.values['no-e2e'] ? ' --no-e2e' : ''}`);
console.log(md);
await save(summary);
if (cli.values.markdown) await writeFile(cli.values.markdown, md);
await rm(dir, { recursive: true, force: true });
const failed = results.filter((r) => r.step.unexplained.length > 0).length;
if (results.length < total) console.log(`${total - results.length} steps not run`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed || results.length < total ? 1 : 0);
