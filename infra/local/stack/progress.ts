/**
 * The demo of `npm start`: seed one object of each kind in namespace `demo` and show their
 * progress until converged — a table redrawn in place on a terminal, plain lines otherwise.
 */
import type { Clusters, ObjectProgress } from './converge.ts';
import { observe } from './converge.ts';
import { ensureNamespace, progressTable, seedSet } from './demo.ts';
import type { LocalStack } from './stack.ts';

export const DEMO_NAMESPACE = 'demo';

export interface DemoOptions {
  signal?: AbortSignal;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  intervalMs?: number;
  /** Give up showing progress after this long (the stack keeps running). */
  timeoutMs?: number;
}

/** Lines for a non-terminal: one per object whose state changed since `last` (pure). */
export function changedLines(rows: ObjectProgress[], last: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const r of rows) {
    const key = `${r.kind} ${r.namespace}/${r.name}`;
    const text = `${r.state}${r.converged ? ' (converged)' : ''}`;
    if (last.get(key) !== text) lines.push(`demo: ${key}: ${text}`);
    last.set(key, text);
  }
  return lines;
}

export async function runDemo(stack: LocalStack, opts: DemoOptions): Promise<boolean> {
  const c: Clusters = { ironcore: stack.users.ironcore, apinet: stack.users.apinet, apinetNamespace: stack.config.apinetNamespace };
  await ensureNamespace(c, DEMO_NAMESPACE);
  const keys = await seedSet(c, DEMO_NAMESPACE, 'demo');
  const tty = !!opts.out.isTTY;
  const started = Date.now();
  const last = new Map<string, string>();
  let drawn = 0;
  while (!opts.signal?.aborted) {
    const rows = await Promise.all(keys.map((k) => observe(c, k.kind, k.namespace, k.name)));
    if (opts.signal?.aborted) break;
    const done = rows.every((r) => r.converged);
    if (tty) {
      const text = `${progressTable(rows)}\n${done ? `demo converged in ${((Date.now() - started) / 1000).toFixed(1)} s` : 'demo converging…'}\n`;
      // Move up over the previous table and clear it before drawing again.
      opts.out.write(`${drawn ? `\x1b[${drawn}A\x1b[J` : ''}${text}`);
      drawn = text.split('\n').length - 1;
    } else {
      for (const line of changedLines(rows, last)) opts.out.write(`${line}\n`);
      if (done) opts.out.write(`demo converged in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
    if (done) return true;
    if (Date.now() - started > (opts.timeoutMs ?? 120_000)) {
      opts.out.write('demo: not converged yet; the stack keeps running (see the logs above)\n');
      return false;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 300));
  }
  return false;
}
