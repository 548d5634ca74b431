import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type https from 'node:https';
import yaml from 'js-yaml';

/**
 * A kubeconfig reduced to what the functions use: the current context's cluster and how to
 * authenticate to it. Written here instead of @kubernetes/client-node's KubeConfig, which brought
 * ~800 KiB (its generated API, ws, whatwg-url/tr46, socks) into every cold start (README "Cold start").
 * Supported: bearer token / token file, client certificate and key (data or file), CA (data or file),
 * insecure-skip-tls-verify, tls-server-name, basic auth, exec credential plugins, in-cluster
 * service account. Not supported (a clear error at load): auth-provider and proxy-url.
 */
export interface KubeCluster {
  name: string;
  server: string;
  caData?: string;
  skipTLSVerify?: boolean;
  tlsServerName?: string;
  /** Always undefined (proxies are refused at load); kept for the transport's check. */
  proxyUrl?: string;
}

export interface LoadedKubeConfig {
  getCurrentCluster(): KubeCluster | undefined;
  /** Sets `ca`, `cert`, `key`, `rejectUnauthorized`, `servername` and the Authorization header. */
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
}

/** Kept as the type name the rest of the code and the tests use. */
export type KubeConfig = LoadedKubeConfig;

interface ExecConfig {
  command: string;
  args?: string[];
  env?: Array<{ name: string; value: string }>;
  apiVersion?: string;
}

interface RawUser {
  token?: string;
  tokenFile?: string;
  'client-certificate-data'?: string;
  'client-certificate'?: string;
  'client-key-data'?: string;
  'client-key'?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  'auth-provider'?: unknown;
}

interface RawKubeconfig {
  clusters?: Array<{ name: string; cluster: Record<string, unknown> }>;
  users?: Array<{ name: string; user: RawUser }>;
  contexts?: Array<{ name: string; context: { cluster: string; user?: string } }>;
  'current-context'?: string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const fileAt = (base: string, p: string) => readFileSync(isAbsolute(p) ? p : resolve(base, p), 'utf8');

function fromText(text: string, baseDir: string): LoadedKubeConfig {
  const raw = yaml.load(text) as RawKubeconfig | undefined;
  if (!raw || typeof raw !== 'object') throw new Error('it is not a kubeconfig (no YAML mapping)');
  const contexts = raw.contexts ?? [];
  const ctx = contexts.find((c) => c.name === raw['current-context']) ?? (contexts.length === 1 ? contexts[0] : undefined);
  const clusterEntry = ctx ? raw.clusters?.find((c) => c.name === ctx.context?.cluster) : raw.clusters?.length === 1 ? raw.clusters[0] : undefined;
  const userEntry = ctx?.context?.user ? raw.users?.find((u) => u.name === ctx.context.user) : raw.users?.length === 1 ? raw.users[0] : undefined;
  if (!clusterEntry) return { getCurrentCluster: () => undefined, applyToHTTPSOptions: async () => {} };
  const c = clusterEntry.cluster ?? {};
  if (c['proxy-url']) throw new Error(`cluster ${clusterEntry.name}: proxy-url is not supported`);
  const caData =
    typeof c['certificate-authority-data'] === 'string'
      ? b64(c['certificate-authority-data'])
      : typeof c['certificate-authority'] === 'string'
        ? fileAt(baseDir, c['certificate-authority'])
        : undefined;
  const cluster: KubeCluster = {
    name: clusterEntry.name,
    server: String(c.server ?? ''),
    caData,
    skipTLSVerify: c['insecure-skip-tls-verify'] === true,
    tlsServerName: typeof c['tls-server-name'] === 'string' ? c['tls-server-name'] : undefined,
  };
  if (!cluster.server) throw new Error(`cluster ${clusterEntry.name} has no server`);
  const user: RawUser = userEntry?.user ?? {};
  if (user['auth-provider']) throw new Error(`user ${userEntry?.name}: auth-provider is not supported; use a token, a client certificate or an exec plugin`);
  const cert = user['client-certificate-data'] ? b64(user['client-certificate-data']) : user['client-certificate'] ? fileAt(baseDir, user['client-certificate']) : undefined;
  const key = user['client-key-data'] ? b64(user['client-key-data']) : user['client-key'] ? fileAt(baseDir, user['client-key']) : undefined;
  const exec = user.exec ? execCredentials(user.exec) : undefined;
  return {
    getCurrentCluster: () => cluster,
    async applyToHTTPSOptions(opts) {
      if (cluster.caData) opts.ca = cluster.caData;
      if (cluster.skipTLSVerify) opts.rejectUnauthorized = false;
      if (cluster.tlsServerName) opts.servername = cluster.tlsServerName;
      if (cert) opts.cert = cert;
      if (key) opts.key = key;
      const headers = (opts.headers ??= {}) as Record<string, string>;
      let token = user.token;
      if (!token && user.tokenFile) token = fileAt(baseDir, user.tokenFile).trim();
      if (exec) {
        const cred = await exec();
        if (cred.token) token = cred.token;
        if (cred.clientCertificateData) opts.cert = cred.clientCertificateData;
        if (cred.clientKeyData) opts.key = cred.clientKeyData;
      }
      if (token) headers.Authorization = `Bearer ${token}`;
      else if (user.username !== undefined && user.password !== undefined) opts.auth = `${user.username}:${user.password}`;
    },
  };
}

/** An exec credential plugin (client.authentication.k8s.io ExecCredential), cached until it expires. */
function execCredentials(cfg: ExecConfig): () => Promise<{ token?: string; clientCertificateData?: string; clientKeyData?: string }> {
  let cached: { status: { token?: string; clientCertificateData?: string; clientKeyData?: string }; until: number } | undefined;
  return async () => {
    if (cached && Date.now() < cached.until) return cached.status;
    const env = { ...process.env, ...Object.fromEntries((cfg.env ?? []).map((e) => [e.name, e.value])) };
    const stdout = await new Promise<string>((res, rej) =>
      execFile(cfg.command, cfg.args ?? [], { env, timeout: 30_000 }, (err, out, errOut) =>
        err ? rej(new Error(`exec plugin ${cfg.command} failed: ${String(errOut || err.message).trim().split('\n')[0]}`)) : res(out),
      ),
    );
    const status = (JSON.parse(stdout) as { status?: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string } }).status ?? {};
    const expires = status.expirationTimestamp ? Date.parse(status.expirationTimestamp) - 10_000 : Date.now() + 60_000;
    cached = { status, until: expires };
    return status;
  };
}

function inCluster(): LoadedKubeConfig {
  const host = process.env.KUBERNETES_SERVICE_HOST!;
  const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
  const cluster: KubeCluster = { name: 'inCluster', server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, caData: readFileSync(join(SA_DIR, 'ca.crt'), 'utf8') };
  return {
    getCurrentCluster: () => cluster,
    async applyToHTTPSOptions(opts) {
      opts.ca = cluster.caData;
      // Bound service-account tokens rotate: read the file each time (the kernel caches it).
      ((opts.headers ??= {}) as Record<string, string>).Authorization = `Bearer ${readFileSync(join(SA_DIR, 'token'), 'utf8').trim()}`;
    },
  };
}

function fromDefault(): LoadedKubeConfig {
  const env = process.env.KUBECONFIG?.split(':').find((p) => p && existsSync(p));
  if (env) return fromText(readFileSync(env, 'utf8'), dirname(env));
  if (process.env.KUBERNETES_SERVICE_HOST && existsSync(join(SA_DIR, 'token'))) return inCluster();
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return fromText(readFileSync(home, 'utf8'), dirname(home));
  throw new Error('no kubeconfig given, not in a cluster, and no ~/.kube/config');
}

/**
 * Loads a kubeconfig from what ARCHITECTURE.md section 7 allows in `IRONCORE_KUBECONFIG` /
 * `APINET_KUBECONFIG`: a path, the YAML (or JSON) text itself, or that text base64-encoded.
 * Empty → in-cluster (service account) when running in a pod, else the default `~/.kube/config`.
 */
export function loadKubeConfig(source: string | undefined, what = 'kubeconfig'): LoadedKubeConfig {
  const text = source?.trim() ?? '';
  let kc: LoadedKubeConfig;
  try {
    if (text === '') {
      kc = fromDefault();
    } else if (looksLikeKubeconfigText(text)) {
      kc = fromText(text, process.cwd());
    } else if (!text.includes('\n') && existsSync(text)) {
      kc = fromText(readFileSync(text, 'utf8'), dirname(resolve(text)));
    } else {
      const decoded = decodeBase64(text);
      if (decoded === undefined || !looksLikeKubeconfigText(decoded)) {
        throw new Error('it is neither an existing file, nor kubeconfig YAML, nor base64-encoded kubeconfig YAML');
      }
      kc = fromText(decoded, process.cwd());
    }
  } catch (err) {
    throw new Error(`loading the ${what}: ${(err as Error).message}; set it to a kubeconfig path, its YAML, or its base64`, { cause: err });
  }
  if (!kc.getCurrentCluster()) {
    throw new Error(`loading the ${what}: no current cluster (set current-context or give a kubeconfig with one cluster)`);
  }
  return kc;
}

function looksLikeKubeconfigText(text: string): boolean {
  return /(^|\n)\s*(apiVersion|clusters|kind|current-context)\s*:/.test(text) || /^\s*\{[\s\S]*"clusters"/.test(text);
}

function decodeBase64(text: string): string | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}
