/**
 * The differential as a vitest suite (what .ci/run runs, short): the e2e scenarios and one seeded
 * random script, each step a test that fails with the first differing object no rule of
 * behavior.md explains. Only with APINETLET_DIFFERENTIAL=1 (vitest.config.ts); size and seed from
 * DIFF_OPS (default 100) and DIFF_SEED (default: random, printed). The long run with the table is
 * `npm run test:differential` (main.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eScripts, randomScript } from './ops.ts';
import { Differential, formatDiff } from './run.ts';
import { startSides } from './sides.ts';

const seed = process.env.DIFF_SEED ? Number(process.env.DIFF_SEED) : Math.floor(Math.random() * 2 ** 31);
const count = process.env.DIFF_OPS ? Number(process.env.DIFF_OPS) : 100;
console.log(`differential seed ${seed} (replay: DIFF_SEED=${seed} DIFF_OPS=${count}, or npm run test:differential -- --seed ${seed} --ops ${count})`);

let sides: Awaited<ReturnType<typeof startSides>> | undefined;
let d: Differential;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apinetlet-differential-'));
  sides = await startSides(dir);
  d = new Differential(sides);
}, 180_000);

afterAll(async () => {
  await sides?.stop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

for (const script of [...e2eScripts(), randomScript(seed, count)]) {
  describe.sequential(script.name, () => {
    for (const [i, op] of script.ops.entries()) {
      it(`${i} ${op.op}`, async () => {
        const r = await d.step(i, op);
        expect(r.unexplained.length === 0 ? 'agree' : formatDiff(r.unexplained[0]!)).toBe('agree');
      }, 120_000);
    }
  });
}
