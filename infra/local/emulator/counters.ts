/** Request counters per verb and resource, so tests can assert how many calls a function made. */
export interface Counters {
  /** Requests of `verb` (get, list, watch, create, update, patch, delete, deletecollection) on `resource` (plural, `networks/status`); either may be omitted to sum. */
  get(verb?: string, resource?: string): number;
  snapshot(): Record<string, number>;
  reset(): void;
}

export class RequestCounters implements Counters {
  private counts = new Map<string, number>();

  record(verb: string, resource: string): void {
    const key = `${verb} ${resource}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  get(verb?: string, resource?: string): number {
    let sum = 0;
    for (const [key, n] of this.counts) {
      const [v, r] = key.split(' ');
      if ((verb === undefined || v === verb) && (resource === undefined || r === resource)) sum += n;
    }
    return sum;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.counts.clear();
  }
}
