import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from './kubeconfig.ts';
import { UnavailableError, errorFromResponse, type RequestContext } from './errors.ts';

/** A raw HTTP exchange with one API server; the caller maps paths and bodies. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with query string, e.g. `/apis/g/v1/namespaces/ns/things?limit=10`. */
  path: string;
  contentType?: string;
  body?: string;
}

export type Transport = (req: HttpRequest, ctx: RequestContext) => Promise<{ code: number; body: string }>;

/**
 * Sends requests with the authentication `KubeConfig` produces (token, client certificate, exec
 * plugin, in-cluster service account). `applyToHTTPSOptions` runs per request so exec-plugin and
 * service-account tokens are refreshed; the TLS agent is kept (keep-alive) as long as the TLS
 * material stays the same, so warm invocations reuse connections.
 * Non-2xx answers become typed errors; network errors and timeouts become `UnavailableError`.
 */
export function kubeConfigTransport(kc: KubeConfig, timeoutMs: number): Transport {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kube client: the kubeconfig has no current cluster');
  const server = new URL(cluster.server);
  const basePath = server.pathname.replace(/\/$/, '');
  let cachedAgent: { fingerprint: string; agent: http.Agent } | undefined;

  const agentFor = (opts: https.RequestOptions): http.Agent => {
    // A proxy agent (cluster.proxyUrl) is used as client-node made it.
    if (cluster.proxyUrl && opts.agent) return opts.agent as http.Agent;
    const fingerprint = JSON.stringify([opts.ca, opts.cert, opts.key, opts.pfx, opts.rejectUnauthorized, opts.servername]);
    if (cachedAgent?.fingerprint !== fingerprint) {
      cachedAgent?.agent.destroy();
      const agentOptions: https.AgentOptions = {
        keepAlive: true,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        pfx: opts.pfx,
        passphrase: opts.passphrase,
        servername: opts.servername,
        ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
      };
      const agent = server.protocol === 'http:' ? new http.Agent({ keepAlive: true }) : new https.Agent(agentOptions);
      cachedAgent = { fingerprint, agent };
    }
    return cachedAgent.agent;
  };

  return async (req, ctx) => {
    const opts: https.RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'apinetlet-serverless' };
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    if (req.body !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(req.body));
    }
    const agent = agentFor(opts);
    const send = server.protocol === 'http:' ? http.request : https.request;
    const once = () =>
      new Promise<{ code: number; body: string }>((resolve, reject) => {
        const request = send(
          {
            protocol: server.protocol,
            hostname: server.hostname.replace(/^\[|\]$/g, ''),
            port: server.port || undefined,
            method: req.method,
            path: basePath + req.path,
            headers,
            agent,
            timeout: timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', (err) => reject(new UnavailableError(ctx, 0, 'NetworkError', err.message, undefined, { cause: err })));
            res.on('end', () => {
              const body = Buffer.concat(chunks).toString('utf8');
              const code = res.statusCode ?? 0;
              if (code >= 200 && code < 300) resolve({ code, body });
              else reject(errorFromResponse(ctx, code, body, headerValue(res.headers['retry-after'])));
            });
          },
        );
        request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        request.on('error', (err) => {
          const e = new UnavailableError(ctx, 0, 'NetworkError', `${err.message} (server ${cluster.server})`, undefined, { cause: err });
          reject(request.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? new StaleSocket(e) : e);
        });
        if (req.body !== undefined) request.write(req.body);
        request.end();
      });
    // A kept-alive socket the server closed at its idle timeout just as we reused it fails with
    // ECONNRESET before any answer (Node's documented keep-alive race). A GET is safe to send again,
    // on a fresh socket; client-go retries its GETs on a connection reset the same way.
    for (let attempt = 0; ; attempt++) {
      try {
        return await once();
      } catch (err) {
        if (!(err instanceof StaleSocket)) throw err;
        if (req.method !== 'GET' || attempt >= 2) throw err.error;
      }
    }
  };
}

/** A network error on a reused keep-alive socket (carries the error to report if not retried). */
class StaleSocket {
  constructor(readonly error: UnavailableError) {}
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** A client-side request budget (issue 12): a token bucket of `burst` tokens refilled at `qps` per second. */
export interface RequestBudget {
  readonly qps: number;
  readonly burst: number;
}

export interface BudgetOptions {
  /** Requests per second and burst; undefined = no client-side limit. */
  budget?: RequestBudget;
  /**
   * 429 Too Many Requests (API Priority and Fairness): wait as the server says (Retry-After, 1 s
   * when absent), at most `maxWaitSeconds` per wait and `maxRetries` times, then give the error
   * to the caller. Default 3 retries, 10 s.
   */
  retry429?: { maxRetries?: number; maxWaitSeconds?: number };
  /** For tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Waits for a token; requests queue in arrival order. */
export function createTokenBucket(budget: RequestBudget, now: () => number = Date.now, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))) {
  const qps = Math.max(budget.qps, 0.001);
  const burst = Math.max(1, budget.burst);
  let tokens = burst;
  let last = now();
  let chain: Promise<void> = Promise.resolve();
  const refill = () => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * qps);
    last = t;
  };
  return {
    take(): Promise<void> {
      const turn = chain.then(async () => {
        refill();
        while (tokens < 1) {
          await sleep(Math.ceil(((1 - tokens) / qps) * 1000));
          refill();
        }
        tokens -= 1;
      });
      chain = turn.catch(() => undefined);
      return turn;
    },
  };
}

/**
 * Wraps a transport with the request budget and the 429 waits, so neither cluster sees more than
 * `qps` requests per second from one function instance (times maximumConcurrency in all) and an
 * APF rejection costs a wait, not a failed reconcile (and so no receive towards the DLQ).
 */
export function withBudget(transport: Transport, opts: BudgetOptions = {}): Transport {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const bucket = opts.budget ? createTokenBucket(opts.budget, opts.now, sleep) : undefined;
  const maxRetries = opts.retry429?.maxRetries ?? 3;
  const maxWaitSeconds = opts.retry429?.maxWaitSeconds ?? 10;
  return async (req, ctx) => {
    for (let attempt = 0; ; attempt++) {
      await bucket?.take();
      try {
        return await transport(req, ctx);
      } catch (err) {
        if (!(err instanceof UnavailableError) || err.code !== 429 || attempt >= maxRetries) throw err;
        const seconds = Math.min(Math.max(err.retryAfterSeconds ?? 1, 0), maxWaitSeconds);
        await sleep(seconds * 1000);
      }
    }
  };
}
