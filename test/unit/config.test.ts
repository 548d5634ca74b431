import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config.ts';

const ok = { APINET_NAMESPACE: 'apinet' };

function problemsOf(env: Record<string, string | undefined>, needs?: Parameters<typeof loadConfig>[1]): string[] {
  try {
    loadConfig(env, needs);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration (ARCHITECTURE.md 7)', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(ok);
    expect(c).toMatchObject({
      apinetNamespace: 'apinet',
      nodeAffinityAware: false,
      disableNetworkPeering: false,
      natAutoscaling: true,
      resyncIntervalSeconds: 300,
      queueUrls: {},
    });
    expect(c.watchFilter).toBeUndefined();
    expect(c.ironcoreKubeconfig).toBeUndefined();
  });

  it('accepts booleans as true/false/1/0 in any case', () => {
    const c = loadConfig({ ...ok, APINETLET_NODE_AFFINITY_AWARE: 'TRUE', APINETLET_DISABLE_NETWORK_PEERING: '1', NAT_AUTOSCALING: '0' });
    expect([c.nodeAffinityAware, c.disableNetworkPeering, c.natAutoscaling]).toEqual([true, true, false]);
    expect(loadConfig({ ...ok, NAT_AUTOSCALING: 'false' }).natAutoscaling).toBe(false);
  });

  it('reads queue URLs per kind and the local SQS endpoint', () => {
    const c = loadConfig({
      ...ok,
      QUEUE_URL_NETWORK: 'http://127.0.0.1:4566/000000000000/apinetlet-network.fifo',
      QUEUE_URL_NATGATEWAY: 'http://127.0.0.1:4566/000000000000/apinetlet-natgateway.fifo',
      SQS_ENDPOINT: 'http://127.0.0.1:4566',
      APINETLET_RESYNC_INTERVAL: '60',
      APINETLET_WATCH_FILTER: 'team-a',
    });
    expect(c.queueUrls).toEqual({
      Network: 'http://127.0.0.1:4566/000000000000/apinetlet-network.fifo',
      NATGateway: 'http://127.0.0.1:4566/000000000000/apinetlet-natgateway.fifo',
    });
    expect(c.sqsEndpoint).toBe('http://127.0.0.1:4566');
    expect(c.resyncIntervalSeconds).toBe(60);
    expect(c.watchFilter).toBe('team-a');
  });

  it('names every bad or missing variable in one error', () => {
    const problems = problemsOf(
      { NAT_AUTOSCALING: 'yes', APINETLET_RESYNC_INTERVAL: '-3', QUEUE_URL_VIRTUALIP: 'not a url', APINETLET_WATCH_FILTER: 'bad value!' },
      { webhookToken: true, queues: ['Network'] },
    );
    const text = problems.join('\n');
    for (const v of ['APINET_NAMESPACE', 'NAT_AUTOSCALING', 'APINETLET_RESYNC_INTERVAL', 'QUEUE_URL_VIRTUALIP', 'APINETLET_WATCH_FILTER', 'WEBHOOK_TOKEN', 'QUEUE_URL_NETWORK']) {
      expect(text).toContain(v);
    }
    expect(problems).toHaveLength(7);
    expect(text).toMatch(/APINET_NAMESPACE is required/);
    expect(text).toMatch(/NAT_AUTOSCALING must be true, false, 1 or 0/);
  });

  it('the error message lists the problems for the log', () => {
    expect(() => loadConfig({})).toThrow(/invalid configuration \(1 problem\):\n {2}- APINET_NAMESPACE is required/);
  });

  it('requires every queue URL when asked for all', () => {
    const problems = problemsOf(ok, { queues: 'all' });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/QUEUE_URL_NETWORKINTERFACE is required/);
  });

  it('rejects a namespace that is not a DNS label', () => {
    expect(problemsOf({ APINET_NAMESPACE: 'Apinet_NS' })[0]).toMatch(/^APINET_NAMESPACE must be a namespace name/);
  });
});
