import { AwsClient } from 'aws4fetch';

/**
 * The AWS JSON protocol (SQS: `application/x-amz-json-1.0`, SSM: `1.1`) over `fetch`, signed with
 * SigV4 by aws4fetch: the few calls the functions make, without the AWS SDK's ~400 KiB of
 * middleware in every cold start (README "Cold start"). Credentials come from the environment, as
 * Lambda provides them (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).
 */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsJsonClientOptions {
  /** Signing name and endpoint prefix: `sqs`, `ssm`. */
  service: string;
  /** X-Amz-Target prefix, e.g. `AmazonSQS`, `AmazonSSM`. */
  targetPrefix: string;
  /** `1.0` (SQS) or `1.1` (SSM). */
  jsonVersion: '1.0' | '1.1';
  region?: string;
  /** Endpoint override (a local server); default `https://<service>.<region>.amazonaws.com/`. */
  endpoint?: string;
  credentials?: AwsCredentials;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** Extra attempts on 5xx / 429 / network errors (aws4fetch's backoff); default 2. */
  retries?: number;
  env?: Record<string, string | undefined>;
}

/** An error answer of an AWS service: `code` is the error type (`QueueDoesNotExist`, `ParameterNotFound`, …). */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly sender: boolean,
  ) {
    super(message);
    this.name = code;
  }
}

export interface AwsJsonClient {
  readonly endpoint: string;
  call<T = Record<string, unknown>>(action: string, input: object): Promise<T>;
}

/** Credentials from the environment; a local endpoint without them gets placeholders (fauxqs and moto check none). */
export function credentialsFromEnv(env: Record<string, string | undefined>, local: boolean): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN?.trim() || undefined };
  if (local) return { accessKeyId: 'local', secretAccessKey: 'local' };
  throw new Error('no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them; set them to run outside Lambda)');
}

export function createAwsJsonClient(options: AwsJsonClientOptions): AwsJsonClient {
  const env = options.env ?? process.env;
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const endpoint = options.endpoint ?? `https://${options.service}.${region}.amazonaws.com/`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let signer: AwsClient | undefined;
  const getSigner = () =>
    (signer ??= new AwsClient({
      ...(options.credentials ?? credentialsFromEnv(env, options.endpoint !== undefined)),
      service: options.service,
      region,
      retries: options.retries ?? 2,
    }));
  const contentType = `application/x-amz-json-${options.jsonVersion}`;

  return {
    endpoint,
    async call<T>(action: string, input: object): Promise<T> {
      let res: Response;
      try {
        res = await getSigner().fetch(endpoint, {
          method: 'POST',
          headers: { 'Content-Type': contentType, 'X-Amz-Target': `${options.targetPrefix}.${action}` },
          body: JSON.stringify(input),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const cause = (err as { cause?: { message?: string } }).cause?.message;
        throw new AwsServiceError('NetworkError', 0, `${options.service} ${action}: ${(err as Error).message}${cause ? ` (${cause})` : ''} (endpoint ${endpoint})`, false);
      }
      const text = await res.text();
      if (res.ok) return (text ? JSON.parse(text) : {}) as T;
      let code = `HTTP${res.status}`;
      let message = text.slice(0, 300);
      try {
        const body = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
        if (body.__type) code = body.__type.slice(body.__type.lastIndexOf('#') + 1);
        message = body.message ?? body.Message ?? message;
      } catch {
        // not JSON: keep the status and the start of the text
      }
      throw new AwsServiceError(code, res.status, `${options.service} ${action}: ${code}: ${message}`, res.status < 500 && res.status !== 429);
    },
  };
}
