/**
 * The keep-alive race (Node's http docs, "request.reusedSocket"): the server closes an idle
 * kept-alive connection just as the client sends the next request on it, and the request fails
 * with ECONNRESET before any answer. It showed up as "socket hang up" under load in the 5,000-object
 * convergence bench (the emulator closes idle connections after 5 s). A GET is sent again on a
 * fresh connection; a write is not (it may have reached the server), it fails as UnavailableError.
 *
 * The server here is a plain Node HTTP server on loopback that closes every connection on its
 * second request without answering: the race made deterministic.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ironcore } from '../../../shared/api/resources.ts';
import { createKubeClient, type KubeClient } from '../../../shared/kube/client.ts';
import { UnavailableError } from '../../../shared/kube/errors.ts';
import { loadKubeConfig } from '../../../shared/kube/kubeconfig.ts';

let server: http.Server;
let kube: KubeClient;
const seen: { method: string; socketRequest: number }[] = [];

beforeAll(async () => {
  const perSocket = new WeakMap<object, number>();
  server = http.createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    seen.push({ method: req.method ?? '', socketRequest: n });
    if (n >= 2) {
      req.socket.destroy(); // closed as if at its idle timeout: no answer
      return;
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', Connection: 'keep-alive' });
      res.end(JSON.stringify({ apiVersion: 'networking.ironcore.dev/v1alpha1', kind: 'Network', metadata: { namespace: 'default', name: 'n', uid: 'u-1', resourceVersion: '1' }, spec: {} }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;
  kube = createKubeClient(loadKubeConfig(kubeconfig, 'stale-socket kubeconfig'));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('a request on a kept-alive socket the server just closed', () => {
  it('a GET is sent again on a fresh connection and succeeds', async () => {
    seen.length = 0;
    expect((await kube.get(ironcore.Network, 'default', 'n'))?.metadata.uid).toBe('u-1');
    // The second GET goes out on the kept-alive socket, which the server closes unanswered.
    expect((await kube.get(ironcore.Network, 'default', 'n'))?.metadata.uid).toBe('u-1');
    expect(seen).toEqual([
      { method: 'GET', socketRequest: 1 },
      { method: 'GET', socketRequest: 2 },
      { method: 'GET', socketRequest: 1 },
    ]);
  });

  it('a write is not sent twice: it fails as UnavailableError naming the server', async () => {
    seen.length = 0;
    await kube.get(ironcore.Network, 'default', 'n'); // leaves a kept-alive socket with one request
    const err = await kube
      .mergePatch(ironcore.Network, 'default', 'n', { metadata: { labels: { a: 'b' } } }, { fieldManager: 'test' })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(String((err as Error).message)).toMatch(/127\.0\.0\.1/);
    expect(seen.filter((s) => s.method === 'PATCH')).toHaveLength(1);
  });
});
