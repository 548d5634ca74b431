import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Every local command, as a real child process: --help → usage on stdout, exit 0; a bad flag or
// value → one line on stderr naming it, exit 2, no stack trace.
const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const commands = [
  { name: 'npm start', script: 'infra/local/stack/main.ts', bad: [['--bogus', /unknown argument "--bogus"/], ['--dir', /--dir needs a value/]] },
  {
    name: 'npm run emulator',
    script: 'infra/local/emulator/cli.ts',
    bad: [['--bogus', /unknown flag --bogus/], ['--port=x', /--port must be a whole number/], ['--flavour=foo', /--flavour must be one of ironcore, apinet/], ['--port', /--port needs a value/]],
  },
] as const;

async function cli(script: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.each(commands)('$name', ({ script, bad }) => {
  it('--help prints the usage and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await cli(script, [flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: /);
      expect(r.stderr).toBe('');
    }
  }, 60_000);

  it('a bad flag or value: one line naming it, exit 2, no stack trace', async () => {
    for (const [arg, message] of bad) {
      const r = await cli(script, [arg]);
      expect(r.code, arg).toBe(2);
      expect(r.stderr, arg).toMatch(message);
      expect(r.stderr.trimEnd().split('\n'), arg).toHaveLength(1);
      expect(r.stderr, arg).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
