/**
 * A counting, fault-injecting HTTPS front of a real kube-apiserver: the same `counters` and
 * `faults` the emulator offers (its RequestCounters / FaultInjector), so the integration tests
 * that count requests or inject a 500 run unchanged against real servers. Requests pass through
 * byte for byte (authentication headers included; watches stream); only the classification into
 * verb and resource happens here. The front has its own serving certificate; it trusts the
 * cluster's CA upstream.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestCounters, type Counters } from '../local/emulator/counters.ts';
import { FaultInjector, type Faults } from '../local/emulator/faults.ts';
import { boolParam, sendError } from '../local/emulator/http.ts';
import { verbOf } from '../local/emulator/server.ts';
import { makeServerTls } from '../local/emulator/tls.ts';

export interface Front {
  url: string;
  caPem: string;
  counters: Counters;
  faults: Faults;
  stop(): Promise<void>;
}

export interface Classified {
  verb: string;
  /** Plural, with `/sub` for a subresource (`networks/status`). */
  resource: string;
  group: string;
  name: string;
}

/** Verb and resource of a Kubernetes REST path, as the API server's request info resolver sees them. */
export function classify(method: string, rawUrl: string): Classified | undefined {
  const url = new URL(rawUrl, 'https://x');
  const segs = url.pathname.split('/').filter(Boolean);
  let group: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) [group, rest] = ['', segs.slice(2)];
  else if (segs[0] === 'apis' && segs.length >= 4) [group, rest] = [segs[1]!, segs.slice(3)];
  else return undefined;
  // namespaces/{ns}/{plural}/... is a namespaced resource; namespaces[/{name}[/sub]] is the Namespace kind.
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [plural, name, sub] = rest as [string, string | undefined, string | undefined];
  const collection = name === undefined;
  const watch = boolParam(url.searchParams, 'watch');
  const verb = verbOf(method, collection, watch);
  if (!verb) return undefined;
  return { verb, resource: sub ? `${plural}/${sub}` : plural, group, name: name ?? '' };
}

export async function startFront(upstream: { url: string; caPem: string }): Promise<Front> {
  const tls = await makeServerTls(['127.0.0.1', 'localhost']);
  const target = new URL(upstream.url);
  const agent = new https.Agent({ keepAlive: true, ca: upstream.caPem });
  const counters = new RequestCounters();
  const faults = new FaultInjector();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const headers = { ...req.headers, host: target.host };
    const up = https.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`front: upstream ${upstream.url}: ${err.message}`);
      else res.destroy(err);
    });
    res.on('close', () => up.destroy());
    req.pipe(up);
  };

  const server = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const c = classify(req.method ?? 'GET', req.url ?? '/');
    if (!c) return forward(req, res);
    counters.record(c.verb, c.resource);
    const fault = faults.decide(c.verb, c.resource, { group: c.group, resource: c.resource.split('/')[0]!, kind: '' } as never, c.name);
    if (!fault) return forward(req, res);
    void (async () => {
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.error) {
        req.resume();
        return sendError(res, fault.error);
      }
      forward(req, res);
    })();
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caPem: tls.caPem,
    counters,
    faults,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}
