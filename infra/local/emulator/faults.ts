/**
 * Fault injection: lets a test make a share of the requests of a verb/resource fail (500,
 * 409, 429) or slow down, to exercise retries. Off unless a test injects a rule.
 */
import { ApiError } from './types.ts';
import { conflict, internalError, tooManyRequests, type KindName } from './status.ts';

export interface FaultRule {
  /** Verb to hit (get, list, watch, create, update, patch, delete, deletecollection); all when omitted. */
  verb?: string;
  /** Resource plural (`networks`, `networks/status`); all when omitted. */
  resource?: string;
  /** Status to answer; omit for a pure delay. */
  status?: 500 | 409 | 429;
  /** Delay before answering (or before serving normally when no status is set). */
  delayMs?: number;
  /** Hit only this many matching requests, then the rule retires. */
  count?: number;
  /** Hit each matching request with this probability (0..1); default 1. */
  fraction?: number;
}

export interface Faults {
  inject(rule: FaultRule): () => void;
  clear(): void;
}

export interface FaultDecision {
  delayMs: number;
  error?: ApiError;
}

export class FaultInjector implements Faults {
  private rules: { rule: FaultRule; left: number }[] = [];

  inject(rule: FaultRule): () => void {
    const entry = { rule, left: rule.count ?? Infinity };
    this.rules.push(entry);
    return () => {
      this.rules = this.rules.filter((r) => r !== entry);
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** What to do with one request; consumes a count from the first matching rule. */
  decide(verb: string, resource: string, kind: KindName | undefined, name: string): FaultDecision | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (entry.left <= 0) continue;
      if (rule.verb !== undefined && rule.verb !== verb) continue;
      if (rule.resource !== undefined && rule.resource !== resource) continue;
      if (rule.fraction !== undefined && Math.random() >= rule.fraction) continue;
      entry.left--;
      return { delayMs: rule.delayMs ?? 0, error: rule.status ? faultError(rule.status, kind, name) : undefined };
    }
    return undefined;
  }
}

function faultError(status: 500 | 409 | 429, kind: KindName | undefined, name: string): ApiError {
  if (status === 429) return tooManyRequests();
  if (status === 409 && kind) return conflict(kind, name, 'the object has been modified; please apply your changes to the latest version and try again');
  if (status === 409) return new ApiError(409, 'Conflict', 'injected conflict');
  return internalError('injected fault');
}
