/**
 * Serves a web-standard (Hono) app over HTTPS on loopback: real API servers only call https://
 * webhooks, and they verify the certificate against the registration's caBundle.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { TlsMaterial } from '../emulator/tls.ts';

export interface HttpsFunction {
  /** https://127.0.0.1:<port> (no trailing slash). */
  url: string;
  stop(): Promise<void>;
}

export async function serveHttps(app: Hono, tls: TlsMaterial, port = 0): Promise<HttpsFunction> {
  const server = createAdaptorServer({
    fetch: app.fetch,
    createServer,
    serverOptions: { cert: tls.certPem, key: tls.keyPem },
  }) as Server;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
