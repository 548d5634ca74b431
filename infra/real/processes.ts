/**
 * Child processes of the real tier: each server runs with its output in a log file of the work
 * directory; an early exit becomes an error that quotes the end of that log; stop() sends SIGTERM,
 * then SIGKILL after a grace period. If the Node process itself exits without stop(), every child
 * still running is killed, so nothing is left listening.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface ServerProcess {
  name: string;
  logFile: string;
  child: ChildProcess;
  /** Resolves when the process has exited (any reason). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** The error an exit before stop() means, with the log's last lines. */
  exitError(): Promise<Error>;
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export async function tail(file: string, lines = 15): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function startProcess(name: string, command: string, args: string[], workDir: string, env: NodeJS.ProcessEnv = {}): ServerProcess {
  installExitHook();
  const logFile = join(workDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, cwd: workDir });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  running.add(child);
  let done = false;
  let stopping = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (err) => {
      log.write(`\n${name}: could not start ${command}: ${err.message}\n`);
      done = true;
      running.delete(child);
      resolve({ code: -1, signal: null });
    });
    child.once('exit', (code, signal) => {
      done = true;
      running.delete(child);
      resolve({ code, signal });
    });
  }).then((r) => new Promise<typeof r>((res) => log.end(() => res(r))));
  return {
    name,
    logFile,
    child,
    exited,
    isRunning: () => !done,
    async exitError() {
      const r = await exited;
      const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`;
      return new Error(`${name} ${how}${stopping ? ' while stopping' : ''}; the end of ${logFile}:\n${await tail(logFile)}`);
    },
    async stop(graceMs = 5_000) {
      stopping = true;
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A TCP port free on 127.0.0.1 right now (the servers bind it a moment later). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Polls `probe` until it returns true; fails at once when one of `watch` exits, and after
 * `timeoutMs` with `what` and the last probe error.
 */
export async function waitFor(what: string, probe: () => Promise<boolean>, watch: ServerProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const dead = watch.find((p) => !p.isRunning());
    if (dead) throw await dead.exitError();
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const logs = watch.map((p) => p.logFile).join(', ');
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? ` (${(last as Error).message})` : ''}; see ${logs}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * A process restarted when it exits on its own (as a kubelet restarts a crashed controller, e.g.
 * on a discovery hiccup while an aggregated API is still settling), at most `maxRestarts` times.
 * stop() stops the current run and restarts no more.
 */
export function startRestarting(name: string, command: string, args: string[], workDir: string, maxRestarts = 5): ServerProcess {
  let current = startProcess(name, command, args, workDir);
  let stopped = false;
  let restarts = 0;
  let settled!: (r: { code: number | null; signal: NodeJS.Signals | null }) => void;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => (settled = r));
  const watch = (p: ServerProcess) =>
    void p.exited.then((r) => {
      if (stopped || restarts >= maxRestarts) return settled(r);
      restarts++;
      setTimeout(() => {
        if (stopped) return settled(r);
        current = startProcess(name, command, args, workDir);
        watch(current);
      }, 1_000);
    });
  watch(current);
  return {
    name,
    logFile: current.logFile,
    get child() {
      return current.child;
    },
    exited,
    isRunning: () => !stopped && (current.isRunning() || restarts < maxRestarts),
    exitError: () => current.exitError(),
    async stop(graceMs?: number) {
      stopped = true;
      await current.stop(graceMs);
    },
  };
}
