import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { createAwsJsonClient, type AwsJsonClient } from './aws/json-client.ts';

/**
 * Secrets from SSM Parameter Store (SecureString) through Powertools Parameters (ARCHITECTURE.md 7):
 * `IRONCORE_KUBECONFIG_PARAMETER`, `APINET_KUBECONFIG_PARAMETER` and `WEBHOOK_TOKEN_PARAMETER` name
 * the parameters; the kubeconfigs are read once at cold start, the webhook tokens are cached for
 * POWERTOOLS_PARAMETERS_MAX_AGE seconds (serverless.yml: 300) and then read again, which is what
 * lets a token be rotated without downtime (README "Secrets"). Values never appear in an error or
 * a log line: errors name the parameter and the variable that names it.
 *
 * The provider is Powertools' BaseProvider (its cache, maxAge and forceFetch) over a GetParameter
 * call signed by aws4fetch instead of @aws-sdk/client-ssm, which would add ~300 KiB to every cold start.
 */
export class SsmParameters extends BaseProvider {
  constructor(private readonly ssm: AwsJsonClient) {
    super({});
  }

  protected async _get(name: string): Promise<string | undefined> {
    const out = await this.ssm.call<{ Parameter?: { Value?: string } }>('GetParameter', { Name: name, WithDecryption: true });
    return out.Parameter?.Value;
  }

  protected async _getMultiple(): Promise<Record<string, unknown> | undefined> {
    throw new Error('SsmParameters reads single parameters only');
  }
}

export class SecretError extends Error {
  override name = 'SecretError';
}

export interface SecretsOptions {
  /** SSM_ENDPOINT: a local SSM server (moto) instead of AWS. */
  endpoint?: string;
  region?: string;
  env?: Record<string, string | undefined>;
}

let cachedProvider: { key: string; provider: SsmParameters } | undefined;

/** One provider (and so one cache) per cold start and endpoint. */
export function getSsmParameters(opts: SecretsOptions = {}): SsmParameters {
  const key = `${opts.endpoint ?? ''}|${opts.region ?? ''}`;
  if (cachedProvider?.key !== key) {
    const ssm = createAwsJsonClient({ service: 'ssm', targetPrefix: 'AmazonSSM', jsonVersion: '1.1', endpoint: opts.endpoint, region: opts.region, env: opts.env });
    cachedProvider = { key, provider: new SsmParameters(ssm) };
  }
  return cachedProvider.provider;
}

/**
 * Reads one secret parameter; throws SecretError naming it (and `variable`, the setting that named
 * it) when it is missing, empty or unreadable. The message carries SSM's error code and text,
 * never the value.
 */
export async function readSecret(provider: SsmParameters, name: string, variable: string, opts: { forceFetch?: boolean } = {}): Promise<string> {
  let value: unknown;
  try {
    value = await provider.get(name, { forceFetch: opts.forceFetch });
  } catch (err) {
    const cause = (err as { cause?: Error }).cause ?? err;
    const code = (cause as { code?: string }).code ?? (cause as Error).name;
    const hint =
      code === 'ParameterNotFound'
        ? `create it: aws ssm put-parameter --type SecureString --name ${name} --value …`
        : code === 'AccessDeniedException'
          ? "grant the function's role ssm:GetParameter on it (serverless.yml)"
          : 'check the parameter, the region and the SSM endpoint';
    throw new SecretError(`reading SSM parameter ${name} (${variable}) failed: ${(cause as Error).message}; ${hint}`, { cause: err });
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SecretError(`SSM parameter ${name} (${variable}) is empty; put the secret in it (a SecureString)`);
  }
  return value;
}

/** The accepted webhook tokens in a value: one per line (or comma-separated), blanks ignored. */
export function parseTokens(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((t) => t.trim())
    .filter(Boolean);
}

/** What the functions take from the configuration or, where a `*_PARAMETER` names one, from SSM. */
export interface ResolvedSecrets {
  ironcoreKubeconfig?: string;
  apinetKubeconfig?: string;
  /** The accepted webhook tokens (cached for POWERTOOLS_PARAMETERS_MAX_AGE, then read again). */
  webhookTokens: () => Promise<readonly string[]>;
}

interface SecretConfig {
  ironcoreKubeconfig?: string;
  apinetKubeconfig?: string;
  webhookToken?: string;
  ironcoreKubeconfigParameter?: string;
  apinetKubeconfigParameter?: string;
  webhookTokenParameter?: string;
  ssmEndpoint?: string;
  awsRegion?: string;
}

/**
 * Reads the kubeconfigs this function needs (`kubeconfigs`) at cold start and checks the webhook
 * token parameter once when `webhookToken` is asked for, so a missing parameter stops the cold
 * start with a message naming it. Without parameters the plain variables are used (the local stack).
 */
export async function resolveSecrets(
  config: SecretConfig,
  needs: { kubeconfigs?: boolean; webhookToken?: boolean } = {},
  env: Record<string, string | undefined> = process.env,
): Promise<ResolvedSecrets> {
  const anyParameter = config.ironcoreKubeconfigParameter || config.apinetKubeconfigParameter || config.webhookTokenParameter;
  const provider = anyParameter ? getSsmParameters({ endpoint: config.ssmEndpoint, region: config.awsRegion, env }) : undefined;
  const read = (name: string | undefined, variable: string, fallback: string | undefined) =>
    name && provider ? readSecret(provider, name, variable) : Promise.resolve(fallback);
  const [ironcoreKubeconfig, apinetKubeconfig] = needs.kubeconfigs
    ? await Promise.all([
        read(config.ironcoreKubeconfigParameter, 'IRONCORE_KUBECONFIG_PARAMETER', config.ironcoreKubeconfig),
        read(config.apinetKubeconfigParameter, 'APINET_KUBECONFIG_PARAMETER', config.apinetKubeconfig),
      ])
    : [config.ironcoreKubeconfig, config.apinetKubeconfig];
  const tokenParameter = config.webhookTokenParameter;
  const webhookTokens =
    tokenParameter && provider
      ? async () => parseTokens(await readSecret(provider, tokenParameter, 'WEBHOOK_TOKEN_PARAMETER'))
      : async () => parseTokens(config.webhookToken ?? '');
  if (needs.webhookToken) await webhookTokens();
  return { ironcoreKubeconfig, apinetKubeconfig, webhookTokens };
}
