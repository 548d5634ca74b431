/**
 * One real cluster of the real tier, as production runs it, on loopback:
 *   "ironcore": etcd + kube-apiserver + ironcore-apiserver (APIServices registered)
 *   "apinet":   etcd + kube-apiserver + ironcore-net apiserver + controller-manager
 * kube-apiserver authorizes with RBAC, authenticates client certificates and service-account
 * tokens, and reaches the aggregated server through an ExternalName service with the front-proxy
 * client certificate (how the Go project's envtest wires aggregation, here with our own code).
 * The binaries come from infra/real/build.sh.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKubeClient, loadKubeConfig, type KubeClient, type KubeObject } from '../../shared/kube/index.ts';
import { kubeConfigTransport } from '../../shared/kube/transport.ts';
import type { ResourceInfo } from '../../shared/api/resources.ts';
import { kubeconfigYaml } from '../local/kubeconfig-yaml.ts';
import { AGGREGATED_SERVICE, makeClusterPki, type ClusterPki } from './pki.ts';
import { freePort, startProcess, startRestarting, waitFor, type ServerProcess } from './processes.ts';

export type RealFlavour = 'ironcore' | 'apinet';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** The API groups each aggregated server serves (their APIServices). */
const GROUPS: Record<RealFlavour, { groups: string[]; groupPriorityMinimum: number; versionPriority: number }> = {
  ironcore: {
    groups: ['compute.ironcore.dev', 'core.ironcore.dev', 'ipam.ironcore.dev', 'networking.ironcore.dev', 'storage.ironcore.dev'],
    groupPriorityMinimum: 2000,
    versionPriority: 100,
  },
  apinet: { groups: ['core.apinet.ironcore.dev'], groupPriorityMinimum: 1900, versionPriority: 90 },
};

/** Public prefixes of the apinet server's IP allocation (the emulator's defaults, DEFAULT_PUBLIC_POOLS). */
export const APINET_PUBLIC_PREFIXES = ['10.0.0.0/24', '2001:db8::/112'];

export interface RealCluster {
  flavour: RealFlavour;
  url: string;
  /** PEM of the CA of its serving certificates. */
  caPem: string;
  workDir: string;
  processes: ServerProcess[];
  /** With `auditUsers`: kube-apiserver's audit log (JSON lines, stage RequestReceived). */
  auditLog?: string;
  /** cluster-admin (client certificate, group system:masters). */
  adminKubeconfig: string;
  admin: KubeClient;
  /** A fresh token (valid a week) of the service account, created with its namespace when missing. */
  serviceAccountToken(namespace: string, name: string): Promise<string>;
  /** A kubeconfig with such a token. */
  serviceAccountKubeconfig(namespace: string, name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface RealClusterOptions {
  flavour: RealFlavour;
  binDir: string;
  workDir: string;
  /** How long each server may take to become ready (default 120 s: two clusters start side by side on 2 cores). */
  readyTimeoutMs?: number;
  /**
   * Users whose requests kube-apiserver writes to its audit log (`auditLog`), one JSON line per
   * request as it is received: the server's own count of what a client sent.
   */
  auditUsers?: string[];
}

const res = (group: string, version: string, kind: string, plural: string, namespaced: boolean): ResourceInfo =>
  Object.freeze({ group, version, kind, plural, namespaced, hasStatus: false });
/** How the real tier writes what it sets up (namespaces, services, APIServices, RBAC). */
export const REAL_TIER_APPLY = Object.freeze({ fieldManager: 'apinetlet-real-tier', force: true });

export const builtin = Object.freeze({
  Namespace: res('', 'v1', 'Namespace', 'namespaces', false),
  Service: res('', 'v1', 'Service', 'services', true),
  ServiceAccount: res('', 'v1', 'ServiceAccount', 'serviceaccounts', true),
  APIService: res('apiregistration.k8s.io', 'v1', 'APIService', 'apiservices', false),
  ClusterRole: res('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  ClusterRoleBinding: res('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  Role: res('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  RoleBinding: res('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
});

/**
 * The binary directory of infra/real/build.sh, building on first use (its progress lines go to
 * `progress`, stderr by default); a failure becomes one error line saying what to do.
 */
export async function realBinaries(opts: { progress?: NodeJS.WritableStream | null } = {}): Promise<string> {
  if (process.env.APINETLET_REAL_BIN?.trim()) return process.env.APINETLET_REAL_BIN.trim();
  const progress = opts.progress === undefined ? process.stderr : opts.progress;
  const onPath = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, 'go')));
  if (!onPath) {
    throw new Error('real servers: no Go toolchain on PATH; install Go 1.25 or newer (https://go.dev/doc/install) or use the emulated stack (npm start without --real)');
  }
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(HERE, 'build.sh')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.length > 1 << 20) err = err.slice(-(1 << 19));
      progress?.write(d);
    });
    child.once('error', (e) => reject(new Error(`real servers: cannot run bash for infra/real/build.sh: ${e.message}`)));
    child.once('exit', (code) => {
      if (code === 0) return resolve(out.trim().split('\n').pop()!);
      const lines = err.trim().split('\n');
      const reason = lines.filter((l) => l.startsWith('real servers:')).pop();
      reject(new Error(reason ?? `real servers: infra/real/build.sh failed (exit ${code}): ${lines.slice(-3).join(' / ')}`));
    });
  });
}

export async function startRealCluster(opts: RealClusterOptions): Promise<RealCluster> {
  const { flavour, binDir } = opts;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const workDir = opts.workDir;
  await mkdir(join(workDir, 'etcd'), { recursive: true });
  const pki: ClusterPki = await makeClusterPki(workDir, flavour);
  const [etcdClient, etcdPeer, kubePort, aggPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const processes: ServerProcess[] = [];
  const bin = (name: string) => join(binDir, name);
  // All at once (a throw-away cluster needs no ordered shutdown): within npm start's 5 s contract.
  const stopAll = async () => {
    await Promise.all(processes.map((p) => p.stop(3_000).catch(() => undefined)));
  };
  try {
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = startProcess(
      'etcd',
      bin('etcd'),
      [
        `--name=${flavour}`,
        `--data-dir=${join(workDir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=${flavour}=http://127.0.0.1:${etcdPeer}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      workDir,
    );
    processes.push(etcd);
    await waitFor(`etcd of ${flavour} at ${etcdUrl}`, async () => (await fetch(`${etcdUrl}/health`)).ok, [etcd], readyTimeoutMs);

    const url = `https://127.0.0.1:${kubePort}`;
    const adminKubeconfig = kubeconfigYaml({ name: flavour, server: url, caPem: pki.servingCaPem, user: pki.admin });
    const adminFile = join(workDir, 'admin.kubeconfig');
    await writeFile(adminFile, adminKubeconfig, { mode: 0o600 });
    const f = pki.files;
    const audit: string[] = [];
    let auditLog: string | undefined;
    if (opts.auditUsers?.length) {
      auditLog = join(workDir, 'audit.log');
      const policy = join(workDir, 'audit-policy.json');
      await writeFile(
        policy,
        JSON.stringify({
          apiVersion: 'audit.k8s.io/v1',
          kind: 'Policy',
          omitStages: ['ResponseStarted', 'ResponseComplete', 'Panic'],
          rules: [{ level: 'Metadata', users: opts.auditUsers }, { level: 'None' }],
        }),
      );
      audit.push(`--audit-policy-file=${policy}`, `--audit-log-path=${auditLog}`, '--audit-log-format=json', '--audit-log-mode=blocking');
    }
    const kube = startProcess(
      'kube-apiserver',
      bin('kube-apiserver'),
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${kubePort}`,
        `--cert-dir=${join(workDir, 'kube-certs')}`,
        `--tls-cert-file=${f.kubeCert}`,
        `--tls-private-key-file=${f.kubeKey}`,
        `--client-ca-file=${f.clientCa}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${f.saPub}`,
        `--service-account-signing-key-file=${f.saKey}`,
        '--service-cluster-ip-range=10.96.0.0/24',
        `--requestheader-client-ca-file=${f.frontProxyCa}`,
        '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${f.frontProxyCert}`,
        `--proxy-client-key-file=${f.frontProxyKey}`,
        '--endpoint-reconciler-type=none',
        '--profiling=false',
        ...audit,
        '--v=0',
      ],
      workDir,
    );
    processes.push(kube);
    const kc = loadKubeConfig(adminKubeconfig, `${flavour} admin kubeconfig`);
    const transport = kubeConfigTransport(kc, 10_000);
    const raw = (method: 'GET' | 'POST', path: string, body?: unknown) =>
      transport({ method, path, body: body === undefined ? undefined : JSON.stringify(body) }, { verb: method.toLowerCase(), kind: 'raw', key: path });
    await waitFor(`kube-apiserver of ${flavour} at ${url}/readyz`, async () => (await raw('GET', '/readyz')).code === 200, [etcd, kube], readyTimeoutMs);
    const admin = createKubeClient(kc);

    // The aggregated server is reached through a service; ExternalName keeps it on loopback.
    await admin.apply(builtin.Service, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: AGGREGATED_SERVICE.namespace, name: AGGREGATED_SERVICE.name },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port: aggPort, protocol: 'TCP' }] },
    }, REAL_TIER_APPLY);
    const g = GROUPS[flavour];
    for (const group of g.groups) {
      await admin.apply(builtin.APIService, {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: `v1alpha1.${group}` },
        spec: {
          group,
          version: 'v1alpha1',
          service: { namespace: AGGREGATED_SERVICE.namespace, name: AGGREGATED_SERVICE.name, port: aggPort },
          caBundle: Buffer.from(pki.servingCaPem).toString('base64'),
          groupPriorityMinimum: g.groupPriorityMinimum,
          versionPriority: g.versionPriority,
        },
      }, REAL_TIER_APPLY);
    }

    const aggregatedArgs = [
      `--etcd-servers=${etcdUrl}`,
      `--kubeconfig=${adminFile}`,
      `--authentication-kubeconfig=${adminFile}`,
      `--authorization-kubeconfig=${adminFile}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${aggPort}`,
      `--tls-cert-file=${f.aggregatedCert}`,
      `--tls-private-key-file=${f.aggregatedKey}`,
      `--cert-dir=${join(workDir, 'aggregated-certs')}`,
      '--enable-priority-and-fairness=false',
    ];
    const aggregated =
      flavour === 'ironcore'
        ? startProcess('ironcore-apiserver', bin('ironcore-apiserver'), aggregatedArgs, workDir)
        : startProcess('apinet-apiserver', bin('apinet-apiserver'), [...aggregatedArgs, `--public-prefix=${APINET_PUBLIC_PREFIXES.join(',')}`], workDir);
    processes.push(aggregated);
    await waitFor(
      `the APIServices of ${aggregated.name} to become Available`,
      async () => {
        for (const group of g.groups) {
          const svc = await admin.get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>(builtin.APIService, undefined, `v1alpha1.${group}`);
          if (!svc?.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True')) return false;
        }
        return true;
      },
      [etcd, kube, aggregated],
      readyTimeoutMs,
    );
    // Discovery through kube-apiserver must answer for every group before controllers start
    // (controller-runtime fails at start on an incomplete discovery).
    await waitFor(
      `discovery of ${g.groups.join(', ')}`,
      async () => {
        for (const group of g.groups) if ((await raw('GET', `/apis/${group}/v1alpha1`)).code !== 200) return false;
        return true;
      },
      [etcd, kube, aggregated],
      readyTimeoutMs,
    );
    // The controllers of kube-controller-manager a cluster cannot do without here: owner-reference
    // garbage collection (R-NATGW-04, R-LB-08) and namespace deletion.
    processes.push(
      startRestarting('kube-controller-manager', bin('kube-controller-manager'), [
        `--kubeconfig=${adminFile}`,
        '--controllers=garbagecollector,namespace',
        '--leader-elect=false',
        '--secure-port=0',
        '--use-service-account-credentials=false',
        '--v=0',
      ], workDir),
    );
    if (flavour === 'apinet') {
      processes.push(
        startRestarting('apinet-controller-manager', bin('apinet-controller-manager'), [
          `--kubeconfig=${adminFile}`,
          '--metrics-bind-address=0',
          '--health-probe-bind-address=0',
          '--leader-elect=false',
        ], workDir),
      );
    }

    const serviceAccountToken = async (namespace: string, name: string): Promise<string> => {
      await admin.apply(builtin.Namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, REAL_TIER_APPLY);
      await admin.apply(builtin.ServiceAccount, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace, name } }, REAL_TIER_APPLY);
      const r = await raw('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 7 * 24 * 3600 },
      });
      const token = (JSON.parse(r.body) as { status?: { token?: string } }).status?.token;
      if (!token) throw new Error(`${flavour}: no token for service account ${namespace}/${name}: ${r.body.slice(0, 200)}`);
      return token;
    };
    const serviceAccountKubeconfig = async (namespace: string, name: string) =>
      kubeconfigYaml({ name: flavour, server: url, caPem: pki.servingCaPem, user: { token: await serviceAccountToken(namespace, name) } });

    return {
      flavour,
      url,
      caPem: pki.servingCaPem,
      workDir,
      processes,
      auditLog,
      adminKubeconfig,
      admin,
      serviceAccountToken,
      serviceAccountKubeconfig,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
