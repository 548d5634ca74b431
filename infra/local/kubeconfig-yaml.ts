/**
 * A one-cluster kubeconfig as YAML, CA inline: the emulator's (bearer token) and the real tier's
 * (client certificate or service-account token) kubeconfigs.
 */
export type KubeconfigUser = { token: string } | { certPem: string; keyPem: string };

export function kubeconfigYaml(opts: { name: string; server: string; caPem: string; user: KubeconfigUser; userName?: string; namespace?: string }): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const { name, user } = opts;
  const userName = opts.userName ?? `${name}-user`;
  const userLines =
    'token' in user ? [`    token: ${user.token}`] : [`    client-certificate-data: ${b64(user.certPem)}`, `    client-key-data: ${b64(user.keyPem)}`];
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${opts.server}`,
    `    certificate-authority-data: ${b64(opts.caPem)}`,
    'users:',
    `- name: ${userName}`,
    '  user:',
    ...userLines,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${userName}`,
    `    namespace: ${opts.namespace ?? 'default'}`,
    `current-context: ${name}`,
    '',
  ].join('\n');
}
