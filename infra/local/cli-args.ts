/**
 * The command line of every local command (`npm start`, `npm run emulator`, plan, redrive): built on
 * node:util parseArgs. `--help` / `-h` prints the help text and exits 0; an unknown flag, a missing
 * value or a bad value prints ONE line naming it (`<command>: unknown flag --x (see --help)`) and
 * exits 2 — never a stack trace.
 *
 *   const { values } = parseCommandLine({ command: 'npm run redrive', help: HELP, options: { kind: { type: 'string' } } });
 *   const kind = oneOf(cli, '--kind', values.kind, ['Network', …]);
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type CliOptions = NonNullable<ParseArgsConfig['options']>;

export interface CliSpec<O extends CliOptions> {
  /** How the user runs it, e.g. `npm run emulator --`; starts every error line. */
  command: string;
  /** The full help text (usage line first), printed for --help. */
  help: string;
  options: O;
  allowPositionals?: boolean;
}

/** A bad command line: `main` code may throw it; `exitOnUsageError` prints it as one line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedCommandLine<O extends CliOptions> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: boolean; strict: true }>>['values'];
  positionals: string[];
  /** Prints `<command>: <message> (see --help)` to stderr and exits 2. */
  fail(message: string): never;
}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  exit: (code: number) => never;
}

const processIo: Io = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  exit: (code) => process.exit(code),
};

/** The flag that node:util parseArgs complains about, as one short line. */
export function describeParseError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  const flag = /'(-{1,2}[^' ]+)/.exec(msg)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag ?? msg}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(msg) ? `${flag ?? 'a flag'} needs a value` : `${flag ?? 'a flag'} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(msg)?.[1] ?? msg}`;
    default:
      return msg.split('\n')[0]!;
  }
}

export function parseCommandLine<O extends CliOptions>(spec: CliSpec<O>, argv: readonly string[] = process.argv.slice(2), io: Io = processIo): ParsedCommandLine<O> {
  const fail = (message: string): never => {
    io.err(`${spec.command}: ${message.split('\n')[0]} (see --help)`);
    return io.exit(2);
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(spec.help.trimEnd());
    io.exit(0);
  }
  try {
    const parsed = parseArgs({ args: [...argv], options: spec.options, allowPositionals: spec.allowPositionals ?? false, strict: true });
    return { values: parsed.values as never, positionals: parsed.positionals, fail };
  } catch (err) {
    return fail(describeParseError(err));
  }
}

/** `value` if it is one of `choices`, else a one-line failure naming the flag. */
export function oneOf<T extends string>(cli: { fail(m: string): never }, flag: string, value: string | undefined, choices: readonly T[]): T {
  if (value !== undefined && (choices as readonly string[]).includes(value)) return value as T;
  return cli.fail(`${flag} must be one of ${choices.join(', ')} (got ${JSON.stringify(value ?? '')})`);
}

/** A whole number in [min, max], else a one-line failure naming the flag. */
export function intIn(cli: { fail(m: string): never }, flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value !== undefined && value.trim() !== '' && Number.isInteger(n) && n >= min && n <= max) return n;
  return cli.fail(`${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value ?? '')})`);
}
