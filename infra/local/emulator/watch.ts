/**
 * WATCH (kube-api.md §5): chunked JSON lines, one event per line, resume from a
 * resourceVersion, 410 Expired as an ERROR event when it is too old and 504 Timeout when it is
 * newer than the store after a wait, streaming lists (sendInitialEvents), selector transitions,
 * bookmarks with allowWatchBookmarks, and timeoutSeconds.
 */
import type { ServerResponse } from 'node:http';
import type { KindDef, KubeObject } from './types.ts';
import type { Store, StoreEvent } from './store.ts';
import { matches, type Selectors } from './list.ts';
import { expired, statusBody, tooLargeResourceVersion } from './status.ts';

export interface WatchRequest {
  kind: KindDef;
  namespace?: string;
  selectors: Selectors;
  /** undefined or '0': synthetic ADDED for current objects first. */
  resourceVersion?: string;
  /**
   * §5.7 streaming list: true → ADDED for the current state, then (with bookmarks allowed) the
   * `k8s.io/initial-events-end` bookmark; false → no synthetic events even without a version;
   * undefined → the legacy table of §5.3 (the emulator reports 1.32: no WatchList defaulting).
   */
  sendInitialEvents?: boolean;
  /** How long a resourceVersion newer than the store is waited for before the 504 ERROR (§5.3). */
  tooLargeRvWaitMs: number;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  bookmarkIntervalMs: number;
}

type WatchEvent = { type: string; object: unknown };

function apiVersion(k: KindDef): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

/** What one store event looks like to this watcher, if anything (§5.4 transitions). */
export function eventFor(req: WatchRequest, e: StoreEvent): WatchEvent | undefined {
  if (e.kind !== req.kind) return undefined;
  if (req.namespace !== undefined && e.object.metadata.namespace !== req.namespace) return undefined;
  const now = e.type !== 'DELETED' && matches(req.selectors, req.kind, e.object);
  const before = e.previous !== undefined && matches(req.selectors, req.kind, e.previous);
  if (e.type === 'DELETED') return matches(req.selectors, req.kind, e.object) || before ? { type: 'DELETED', object: e.object } : undefined;
  if (now && (e.type === 'ADDED' || !before)) return { type: 'ADDED', object: e.object };
  if (now) return { type: 'MODIFIED', object: e.object };
  if (before) return { type: 'DELETED', object: { ...e.previous!, metadata: { ...e.previous!.metadata, resourceVersion: e.object.metadata.resourceVersion } } };
  return undefined;
}

export function serveWatch(res: ServerResponse, store: Store, req: WatchRequest, onClose: (cleanup: () => void) => void): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  let lastRv = store.currentRv();
  let ended = false;
  const write = (ev: WatchEvent) => {
    if (!ended) res.write(JSON.stringify(ev) + '\n');
  };
  const bookmark = () => write({ type: 'BOOKMARK', object: bookmarkObject(req.kind, lastRv) });

  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = () => {};
  const end = () => {
    if (ended) return;
    ended = true;
    unsubscribe();
    timers.forEach(clearTimeout);
    timers.forEach(clearInterval);
    res.end();
  };
  onClose(end);
  const follow = () => {
    unsubscribe = store.subscribe((e) => {
      lastRv = e.rv;
      const ev = eventFor(req, e);
      if (ev) write(ev);
    });
    if (req.allowBookmarks) timers.push(setInterval(bookmark, req.bookmarkIntervalMs));
  };
  if (req.timeoutSeconds !== undefined && req.timeoutSeconds > 0) {
    const ms = req.timeoutSeconds * 1000;
    if (req.allowBookmarks && ms > 2000) timers.push(setTimeout(bookmark, ms - 1000));
    timers.push(setTimeout(end, ms));
  }

  const rv = req.resourceVersion;
  const noVersion = rv === undefined || rv === '' || rv === '0';
  const from = noVersion ? store.currentRv() : Number(rv);
  const begin = () => {
    if (ended) return;
    if (req.sendInitialEvents === true || (req.sendInitialEvents === undefined && noVersion)) {
      const initial = store.list(req.kind, req.namespace, (o) => matches(req.selectors, req.kind, o));
      for (const o of initial) write({ type: 'ADDED', object: o });
      if (req.sendInitialEvents && req.allowBookmarks) {
        lastRv = store.currentRv();
        const marker = bookmarkObject(req.kind, lastRv);
        write({ type: 'BOOKMARK', object: { ...marker, metadata: { ...marker.metadata, annotations: { 'k8s.io/initial-events-end': 'true' } } } });
      }
    } else {
      const backlog = store.eventsSince(from);
      if (!backlog) {
        // §5.3: too old → 200 + ERROR 410, then the stream ends.
        write({ type: 'ERROR', object: statusBody(expired(`too old resource version: ${rv} (${store.oldestResumableRv()})`)) });
        end();
        return;
      }
      for (const e of backlog) {
        const ev = eventFor(req, e);
        if (ev) write(ev);
      }
    }
    follow();
  };
  if (from > store.currentRv()) {
    // §5.3: a version the store has not reached is waited for; then 200 + ERROR 504, stream closed.
    void store.waitForRv(from, req.tooLargeRvWaitMs).then((reached) => {
      if (reached) return begin();
      write({ type: 'ERROR', object: statusBody(tooLargeResourceVersion(from, store.currentRv())) });
      end();
    });
  } else begin();
}

function bookmarkObject(k: KindDef, rv: number) {
  return { apiVersion: apiVersion(k), kind: k.kind, metadata: { resourceVersion: String(rv) } };
}
