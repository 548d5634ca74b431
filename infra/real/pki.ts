/**
 * The certificates of one real cluster, made at start and written to its work directory: a
 * serving CA (kube-apiserver and the aggregated server), a client CA (admin and the aggregated
 * server's own clients), the front-proxy CA kube-apiserver uses to authenticate to aggregated
 * servers, and the service-account signing key. Everything is loopback-only and thrown away with
 * the directory.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueCert, makeCa as makeCaPair, type CertPair } from '../local/emulator/tls.ts';

export interface ClusterPki {
  dir: string;
  /** PEM of the CA that signed every serving certificate (the kubeconfigs' certificate-authority). */
  servingCaPem: string;
  /** The admin identity (CN admin, O system:masters) for the starter and the tests' setup. */
  admin: { certPem: string; keyPem: string };
  files: {
    servingCa: string;
    clientCa: string;
    frontProxyCa: string;
    kubeCert: string;
    kubeKey: string;
    aggregatedCert: string;
    aggregatedKey: string;
    frontProxyCert: string;
    frontProxyKey: string;
    saKey: string;
    saPub: string;
  };
}

/** Thirty days: a cluster of the real tier lives for one run. */
const DAYS = 30;
const makeCa = (cn: string) => makeCaPair(cn, DAYS);
const issue = (ca: CertPair, subject: { cn: string; o?: string }, usage: { server?: string[]; client?: boolean }) => issueCert(ca, subject, usage, DAYS);

/** The DNS name kube-aggregator checks on the aggregated server's certificate (service.namespace.svc). */
export const AGGREGATED_SERVICE = { namespace: 'kube-system', name: 'aggregated-apiserver' } as const;

export async function makeClusterPki(dir: string, name: string): Promise<ClusterPki> {
  const [servingCa, clientCa, frontProxyCa] = await Promise.all([
    makeCa(`${name}-serving-ca`),
    makeCa(`${name}-client-ca`),
    makeCa(`${name}-front-proxy-ca`),
  ]);
  const [kube, aggregated, frontProxy, admin] = await Promise.all([
    issue(servingCa, { cn: 'kube-apiserver' }, { server: ['127.0.0.1', 'localhost', 'kubernetes.default.svc'] }),
    issue(servingCa, { cn: 'aggregated-apiserver' }, { server: [`${AGGREGATED_SERVICE.name}.${AGGREGATED_SERVICE.namespace}.svc`, 'localhost', '127.0.0.1'] }),
    issue(frontProxyCa, { cn: 'front-proxy-client' }, { client: true }),
    issue(clientCa, { cn: 'admin', o: 'system:masters' }, { client: true }),
  ]);
  const sa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const files: ClusterPki['files'] = {
    servingCa: join(dir, 'serving-ca.crt'),
    clientCa: join(dir, 'client-ca.crt'),
    frontProxyCa: join(dir, 'front-proxy-ca.crt'),
    kubeCert: join(dir, 'kube-apiserver.crt'),
    kubeKey: join(dir, 'kube-apiserver.key'),
    aggregatedCert: join(dir, 'aggregated.crt'),
    aggregatedKey: join(dir, 'aggregated.key'),
    frontProxyCert: join(dir, 'front-proxy-client.crt'),
    frontProxyKey: join(dir, 'front-proxy-client.key'),
    saKey: join(dir, 'service-account.key'),
    saPub: join(dir, 'service-account.pub'),
  };
  const contents: [string, string][] = [
    [files.servingCa, servingCa.cert],
    [files.clientCa, clientCa.cert],
    [files.frontProxyCa, frontProxyCa.cert],
    [files.kubeCert, kube.cert],
    [files.kubeKey, kube.key],
    [files.aggregatedCert, aggregated.cert],
    [files.aggregatedKey, aggregated.key],
    [files.frontProxyCert, frontProxy.cert],
    [files.frontProxyKey, frontProxy.key],
    [files.saKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
    [files.saPub, sa.publicKey.export({ type: 'spki', format: 'pem' }) as string],
  ];
  await Promise.all(contents.map(([f, c]) => writeFile(f, c, { mode: 0o600 })));
  return { dir, servingCaPem: servingCa.cert, admin: { certPem: admin.cert, keyPem: admin.key }, files };
}
