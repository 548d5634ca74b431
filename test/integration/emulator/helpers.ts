/** Shared fixtures of the emulator integration tests: a test-only flavour and a raw HTTPS client. */
import https from 'node:https';
import type { Flavour, KindDef, KubeObject } from '../../../infra/local/emulator/types.ts';
import type { Emulator } from '../../../infra/local/emulator/index.ts';
import type { ServedKind } from '../../../infra/local/emulator/kinds.ts';

export const GROUP = 'test.emulator.dev';
export const VERSION = 'v1';

/** A namespaced kind with CR status semantics, generation, a field selector and a validation rule. */
export const widgetKind: ServedKind = {
  group: GROUP,
  version: VERSION,
  kind: 'Widget',
  resource: 'widgets',
  singular: 'widget',
  shortNames: ['wd'],
  namespaced: true,
  statusSubresource: true,
  resetsStatusOnMainWrite: true,
  nameRule: 'subdomain',
  generation: true,
  fieldSelectors: { 'spec.color': (o) => (o.spec as { color?: string } | undefined)?.color },
  hooks: {
    validate(obj) {
      const size = (obj.spec as { size?: number } | undefined)?.size;
      return size !== undefined && size < 0 ? [{ reason: 'FieldValueInvalid', message: `Invalid value: ${size}: must be >= 0`, field: 'spec.size' }] : [];
    },
  },
};

/** A cluster-scoped kind without status subresource. */
export const gadgetKind: KindDef = {
  group: GROUP,
  version: VERSION,
  kind: 'Gadget',
  resource: 'gadgets',
  singular: 'gadget',
  namespaced: false,
  statusSubresource: false,
  nameRule: 'label',
};

export const testFlavour = (): Flavour => ({ name: 'apinet', kinds: [widgetKind, gadgetKind] });

export const widget = (name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: 'Widget',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec,
});

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

/** One HTTPS request to the emulator, trusting its CA; `token: null` sends no credentials. */
export function raw(
  emu: Pick<Emulator, 'url' | 'token' | 'caPem'>,
  method: string,
  path: string,
  opts: { body?: string | Buffer; contentType?: string; token?: string | null; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const url = new URL(path, emu.url);
  const token = opts.token === undefined ? emu.token : opts.token;
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: emu.caPem,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(opts.body !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json' } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export const widgetsPath = (ns = 'default', name?: string, sub?: string) =>
  `/apis/${GROUP}/${VERSION}/namespaces/${ns}/widgets${name ? `/${name}` : ''}${sub ? `/${sub}` : ''}`;

/** Polls until `check` returns a truthy value (the garbage collector is asynchronous, §6.6). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
