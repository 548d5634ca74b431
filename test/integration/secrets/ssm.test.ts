import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmissionApp } from '../../../shared/admission/app.ts';
import { createAwsJsonClient, type AwsJsonClient } from '../../../shared/aws/json-client.ts';
import { loadConfig } from '../../../shared/config.ts';
import { resolveSecrets } from '../../../shared/secrets.ts';
import { startMoto, type Moto } from './moto.ts';

// Secrets from a real SSM protocol server (moto) over HTTP: the functions' own signed client, no mock.
let moto: Moto;
let ssm: AwsJsonClient;
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const env = (extra: Record<string, string>) => ({ APINET_NAMESPACE: 'apinet', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', ...extra });
const put = (name: string, value: string) => ssm.call('PutParameter', { Name: name, Value: value, Type: 'SecureString', Overwrite: true });

beforeAll(async () => {
  moto = await startMoto();
  ssm = createAwsJsonClient({ service: 'ssm', targetPrefix: 'AmazonSSM', jsonVersion: '1.1', endpoint: moto.endpoint, region: 'us-east-1', credentials });
}, 60_000);
afterAll(async () => {
  await moto?.stop();
  delete process.env.POWERTOOLS_PARAMETERS_MAX_AGE;
});

describe('secrets from SSM Parameter Store (moto server)', () => {
  it('reads the kubeconfigs and the webhook token of SecureString parameters', async () => {
    await put('/apinetlet/t1/ironcore-kubeconfig', 'apiVersion: v1\nkind: Config # ironcore');
    await put('/apinetlet/t1/apinet-kubeconfig', 'apiVersion: v1\nkind: Config # apinet');
    await put('/apinetlet/t1/webhook-token', 's3cret-a');
    const e = env({
      SSM_ENDPOINT: moto.endpoint,
      IRONCORE_KUBECONFIG_PARAMETER: '/apinetlet/t1/ironcore-kubeconfig',
      APINET_KUBECONFIG_PARAMETER: '/apinetlet/t1/apinet-kubeconfig',
      WEBHOOK_TOKEN_PARAMETER: '/apinetlet/t1/webhook-token',
    });
    const config = loadConfig(e, { webhookToken: true });
    const s = await resolveSecrets(config, { kubeconfigs: true, webhookToken: true }, e);
    expect(s.ironcoreKubeconfig).toContain('# ironcore');
    expect(s.apinetKubeconfig).toContain('# apinet');
    expect(await s.webhookTokens()).toEqual(['s3cret-a']);
  });

  it('a missing parameter stops the cold start with one message naming it and its variable, never a value', async () => {
    await put('/apinetlet/t2/apinet-kubeconfig', 'apiVersion: v1\nkind: Config # value-that-must-not-leak');
    const e = env({ SSM_ENDPOINT: moto.endpoint, IRONCORE_KUBECONFIG_PARAMETER: '/apinetlet/t2/missing', APINET_KUBECONFIG_PARAMETER: '/apinetlet/t2/apinet-kubeconfig' });
    const err = await resolveSecrets(loadConfig(e), { kubeconfigs: true }, e).then(
      () => undefined,
      (x: Error) => x,
    );
    expect(err?.message).toMatch(/SSM parameter \/apinetlet\/t2\/missing \(IRONCORE_KUBECONFIG_PARAMETER\)/);
    expect(err?.message).toMatch(/ParameterNotFound/);
    expect(err?.message).not.toContain('value-that-must-not-leak');
  });

  it('an unreachable SSM endpoint names the parameter too', async () => {
    const e = env({ SSM_ENDPOINT: 'http://127.0.0.1:1', WEBHOOK_TOKEN_PARAMETER: '/apinetlet/t3/webhook-token' });
    await expect(resolveSecrets(loadConfig(e, { webhookToken: true }), { webhookToken: true }, e)).rejects.toThrow(
      /SSM parameter \/apinetlet\/t3\/webhook-token \(WEBHOOK_TOKEN_PARAMETER\)/,
    );
  });

  it('an empty token parameter is refused (nobody would be admitted)', async () => {
    await put('/apinetlet/t4/webhook-token', ' ');
    const e = env({ SSM_ENDPOINT: moto.endpoint, WEBHOOK_TOKEN_PARAMETER: '/apinetlet/t4/webhook-token' });
    await expect(resolveSecrets(loadConfig(e, { webhookToken: true }), { webhookToken: true }, e)).rejects.toThrow(/is empty/);
  });

  it('rotates the webhook token without downtime: old and new are both accepted during the window', async () => {
    process.env.POWERTOOLS_PARAMETERS_MAX_AGE = '1';
    const name = '/apinetlet/t5/webhook-token';
    await put(name, 'old-token');
    const e = env({ SSM_ENDPOINT: moto.endpoint, WEBHOOK_TOKEN_PARAMETER: name });
    const s = await resolveSecrets(loadConfig(e, { webhookToken: true }), { webhookToken: true }, e);
    const app = createAdmissionApp({ enqueue: { enqueue: async () => {} }, token: s.webhookTokens, log: () => {} });
    const status = async (token: string) => (await app.request(`/t/${token}/validate`, { method: 'POST', body: '{}' })).status;
    const wait = () => new Promise((r) => setTimeout(r, 1100));
    // 401 = not admitted; anything else = the token passed (the empty body is then a 400).
    expect(await status('old-token')).not.toBe(401);
    expect(await status('new-token')).toBe(401);
    // 1. Put both tokens in the parameter; within maxAge every warm function accepts both.
    await put(name, 'old-token\nnew-token');
    await wait();
    expect(await status('old-token')).not.toBe(401);
    expect(await status('new-token')).not.toBe(401);
    // 2. (The webhook configurations switch to the new token here: both work meanwhile.)
    // 3. Drop the old token once every cluster uses the new one.
    await put(name, 'new-token');
    await wait();
    expect(await status('new-token')).not.toBe(401);
    expect(await status('old-token')).toBe(401);
  });
});
