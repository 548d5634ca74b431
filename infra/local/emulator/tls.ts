/**
 * TLS material made at start: a throw-away CA and a server certificate for 127.0.0.1 and
 * localhost signed by it. kubectl sends no bearer token over plain HTTP (kube-api.md §12),
 * so the emulator must serve HTTPS with a CA the kubeconfig can carry. `makeCa` and `issueCert`
 * also make the real tier's cluster PKI (infra/real/pki.ts).
 */
import { generate } from 'selfsigned';

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface CertPair {
  cert: string;
  key: string;
}

const validity = (days: number) => ({ notBeforeDate: new Date(Date.now() - 60_000), notAfterDate: new Date(Date.now() + days * 24 * 3600_000) });

/** A self-signed P-256 CA. */
export async function makeCa(commonName: string, days = 365): Promise<CertPair> {
  const ca = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ...validity(days),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: ca.cert, key: ca.private };
}

/** A leaf certificate signed by `ca`: serving for `server` hosts (IPs or DNS names), and/or client. */
export async function issueCert(
  ca: CertPair,
  subject: { cn: string; o?: string },
  usage: { server?: string[]; client?: boolean },
  days = 365,
): Promise<CertPair> {
  const attrs = [{ name: 'commonName', value: subject.cn }, ...(subject.o ? [{ name: 'organizationName', value: subject.o }] : [])];
  const altNames = (usage.server ?? []).map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h }));
  const c = await generate(attrs, {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ...validity(days),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: !!usage.server, clientAuth: !!usage.client },
      ...(altNames.length ? [{ name: 'subjectAltName' as const, altNames }] : []),
    ],
  });
  return { cert: c.cert, key: c.private };
}

export async function makeServerTls(hosts: string[] = ['127.0.0.1', 'localhost']): Promise<TlsMaterial> {
  const ca = await makeCa('apinetlet-emulator-ca');
  const server = await issueCert(ca, { cn: 'apinetlet-emulator' }, { server: hosts });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.key };
}
