/**
 * Programmatic API of the Kubernetes API emulator: start one HTTPS server speaking the
 * Kubernetes REST API for a flavour's kinds (ARCHITECTURE.md §9).
 */
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Flavour } from './types.ts';
import { makeServerTls } from './tls.ts';
import { Store } from './store.ts';
import { Kinds } from './kinds.ts';
import { Registry } from './registry.ts';
import { GarbageCollector } from './gc.ts';
import { deleteNow } from './delete.ts';
import { RequestCounters, type Counters } from './counters.ts';
import { FaultInjector, type Faults } from './faults.ts';
import { createRequestHandler } from './server.ts';
import { kubeconfigYaml } from '../kubeconfig-yaml.ts';
import { ironcoreFlavour } from './flavours/ironcore.ts';
import { apinetFlavour } from './flavours/apinet.ts';

export type { Counters } from './counters.ts';
export type { FaultRule, Faults } from './faults.ts';

export interface EmulatorOptions {
  flavour: 'ironcore' | 'apinet' | Flavour;
  /** 0 or omitted: a free port. */
  port?: number;
  /** Bearer token clients must send; random when omitted. */
  token?: string;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** apinet public IP pools (apinet flavour only). */
  publicPools?: { IPv4?: string; IPv6?: string };
  /** How many events watches can resume from before answering 410 Expired (default 1000). */
  watchWindow?: number;
  /** Interval of watch bookmarks when a client allows them (default 1000 ms). */
  bookmarkIntervalMs?: number;
  /** How long a read or watch at a resourceVersion newer than the store waits before 504 (default 3000 ms, like the real server). */
  tooLargeRvWaitMs?: number;
  /** Namespaces to create at start (default `default`). */
  namespaces?: string[];
}

export interface Emulator {
  url: string;
  token: string;
  caPem: string;
  stop(): Promise<void>;
  /** YAML kubeconfig: server https://127.0.0.1:port, the CA inline, the bearer token. */
  kubeconfig(): string;
  writeKubeconfig(path: string): Promise<void>;
  counters: Counters;
  faults: Faults;
}

function flavourOf(opts: EmulatorOptions): Flavour {
  if (opts.flavour === 'ironcore') return ironcoreFlavour();
  if (opts.flavour === 'apinet') return apinetFlavour({ publicPools: opts.publicPools });
  return opts.flavour;
}

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const flavour = flavourOf(opts);
  const host = opts.host ?? '127.0.0.1';
  const tls = await makeServerTls(['127.0.0.1', 'localhost', ...(host !== '127.0.0.1' && host !== '0.0.0.0' ? [host] : [])]);
  const token = opts.token ?? randomBytes(24).toString('hex');
  const store = new Store(opts.watchWindow ?? 1000);
  const kinds = new Kinds(flavour, store);
  let registry: Registry;
  const gc = new GarbageCollector(() => registry);
  registry = new Registry(store, kinds, () => gc.schedule());
  kinds.setDeleter((reg, kind, namespace, name, ctx) => void deleteNow(reg, kind, namespace, name, {}, ctx));
  const system = { dryRun: false, manager: 'emulator', user: { username: 'system:apiserver', groups: ['system:masters'] }, internal: true };
  for (const ns of opts.namespaces ?? ['default']) {
    registry.createInternal(kinds.namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, system);
  }
  const counters = new RequestCounters();
  const faults = new FaultInjector();
  let port = 0;
  const server = https.createServer(
    { cert: tls.certPem, key: tls.keyPem },
    createRequestHandler({
      registry,
      token,
      counters,
      faults,
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000,
      tooLargeRvWaitMs: opts.tooLargeRvWaitMs ?? 3000,
      serverAddress: () => `127.0.0.1:${port}`,
    }),
  );
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `https://127.0.0.1:${port}`;
  const kubeconfig = () => kubeconfigYaml({ name: flavour.name, server: url, caPem: tls.caPem, user: { token }, userName: `${flavour.name}-admin` });
  return {
    url,
    token,
    caPem: tls.caPem,
    counters,
    faults,
    kubeconfig,
    writeKubeconfig: (path: string) => writeFile(path, kubeconfig(), { mode: 0o600 }),
    stop: async () => {
      gc.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
