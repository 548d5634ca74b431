/**
 * `serverless package` (osls, offline) on the real serverless.yml and the real esbuild bundles:
 * the CloudFormation template must wire every reconcile function to its FIFO queue with partial
 * batch responses, give each queue a FIFO DLQ, run on nodejs22.x and ship only the function's bundle.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, cpSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { PRIMARY_KINDS } from '../../../shared/api/resources.ts';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
let template: { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
let dir: string;

beforeAll(async () => {
  // Package a copy so parallel test files never see a half-written dist/ or .serverless/.
  dir = mkdtempSync(join(tmpdir(), 'apinetlet-package-'));
  for (const f of ['serverless.yml', 'package.json', 'functions', 'shared', 'infra', 'tsconfig.json']) cpSync(join(root, f), join(dir, f), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  await run('node', ['infra/build.mjs'], { cwd: dir });
  await run(join(root, 'node_modules/.bin/osls'), ['package', '--stage', 'test'], { cwd: dir, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' } });
  template = JSON.parse(readFileSync(join(dir, '.serverless/cloudformation-template-update-stack.json'), 'utf8'));
}, 180_000);

const resources = () => Object.entries(template.Resources);

describe('serverless package', () => {
  it('runs every function on nodejs22.x', () => {
    const fns = resources().filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(fns.length).toBe(9);
    for (const [, r] of fns) expect(r.Properties.Runtime).toBe('nodejs22.x');
  });

  it('feeds each reconcile function from its own FIFO queue with ReportBatchItemFailures', () => {
    const mappings = resources().filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(PRIMARY_KINDS.length);
    for (const kind of PRIMARY_KINDS) {
      const m = mappings.find(([, r]) => r.Properties.EventSourceArn['Fn::GetAtt'][0] === `${kind}Queue`);
      expect(m, kind).toBeDefined();
      expect(m![1].Properties.FunctionName['Fn::GetAtt'][0]).toBe(`Reconcile${kind}LambdaFunction`);
      expect(m![1].Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      const queue = template.Resources[`${kind}Queue`].Properties;
      expect(queue.FifoQueue).toBe(true);
      expect(queue.RedrivePolicy.maxReceiveCount).toBe(5);
      expect(template.Resources[`${kind}DLQ`].Properties.FifoQueue).toBe(true);
    }
  });

  it('ships one bundle per function and nothing else', () => {
    const list = readFileSync(join(dir, '.serverless/serverless-state.json'), 'utf8');
    const state = JSON.parse(list).service.functions as Record<string, { package: { patterns: string[] } }>;
    expect(Object.keys(state).sort()).toEqual(
      ['admission', 'watch', 'resync', ...PRIMARY_KINDS.map((k) => `reconcile${k}`)].sort(),
    );
    for (const [name, fn] of Object.entries(state)) {
      expect(fn.package.patterns.every((p) => p.startsWith('dist/')), name).toBe(true);
    }
  });

  it('routes every webhook URL of infra/kubernetes to the function that serves it', () => {
    const routes = resources()
      .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey as string);
    const manifests = ['ironcore/admission-webhooks.yaml', 'ironcore/watch-webhook.yaml', 'apinet/watch-webhook.yaml'].map((f) =>
      readFileSync(join(root, 'infra/kubernetes', f), 'utf8'),
    );
    const paths = manifests.flatMap((m) => [...m.matchAll(/url: \$\{(?:WEBHOOK|WATCH)_BASE_URL\}(\S+)/g)].map((x) => x[1]!));
    expect(paths.length).toBeGreaterThanOrEqual(4);
    for (const path of paths) {
      const route = `POST ${path.replace('${WEBHOOK_TOKEN}', '{token}').replace(/\/events\/(ironcore|apinet)$/, '/events/{cluster}')}`;
      expect(routes, path).toContain(route);
    }
  });

  it('schedules the daily dead-letter redrive on the resync function', () => {
    const rules = Object.values(template.Resources as Record<string, { Type: string; Properties: { ScheduleExpression?: string; Targets?: Array<{ Input?: string }> } }>).filter((r) => r.Type === 'AWS::Events::Rule');
    const redrive = rules.filter((r) => r.Properties.Targets?.some((t) => t.Input && JSON.parse(t.Input).redrive === true));
    expect(redrive).toHaveLength(1);
    expect(redrive[0]!.Properties.ScheduleExpression).toBe('rate(1 day)');
  });

  it('gives each function only the SQS actions it uses', () => {
    const actions = (role: string) =>
      (template.Resources[role].Properties.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: string[] }> } }>)
        .flatMap((p) => p.PolicyDocument.Statement.flatMap((st) => st.Action))
        .sort();
    // the resync sends; its daily redrive reads the dead-letter queues (and only those)
    expect(actions('EnqueueRole')).toEqual(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage', 'sqs:SendMessage']);
    const enqueueStatements = (template.Resources.EnqueueRole.Properties.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: Array<{ 'Fn::GetAtt': string[] }> }> } }>).flatMap(
      (p) => p.PolicyDocument.Statement,
    );
    const readDlq = enqueueStatements.find((st) => st.Action.includes('sqs:ReceiveMessage'))!;
    expect(readDlq.Resource.map((r) => r['Fn::GetAtt'][0]).sort()).toEqual(PRIMARY_KINDS.map((k) => `${k}DLQ`).sort());
    expect(actions('AdmissionRole')).toEqual(['sqs:SendMessage']);
    expect(actions('WatchRole')).toEqual(['sqs:SendMessage']);
    expect(actions('ReconcileRole')).toEqual(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined(); // no shared catch-all role
    const roleOf = (fn: string) => template.Resources[`${fn}LambdaFunction`].Properties.Role['Fn::GetAtt'][0];
    expect(roleOf('Admission')).toBe('AdmissionRole');
    expect(roleOf('Watch')).toBe('WatchRole');
    expect(roleOf('Resync')).toBe('EnqueueRole');
    for (const kind of PRIMARY_KINDS) expect(roleOf(`Reconcile${kind}`), kind).toBe('ReconcileRole');
  });

  it('lets each role read only the SSM parameters its functions use', () => {
    const grants = new Map<string, string[]>();
    for (const [, r] of resources().filter(([, r]) => r.Type === 'AWS::IAM::Policy')) {
      for (const st of r.Properties.PolicyDocument.Statement as Array<{ Action: string[]; Resource: Array<{ 'Fn::Sub': string }> }>) {
        expect(st.Action).toEqual(['ssm:GetParameter']);
        const names = st.Resource.map((x) => x['Fn::Sub'].replace(/^.*:parameter/, '')).sort();
        for (const role of r.Properties.Roles as Array<{ Ref: string }>) grants.set(role.Ref, [...(grants.get(role.Ref) ?? []), ...names]);
      }
    }
    const kubeconfigs = ['/apinetlet/test/apinet-kubeconfig', '/apinetlet/test/ironcore-kubeconfig'];
    expect(grants.get('AdmissionRole')).toEqual(['/apinetlet/test/webhook-token']);
    expect(grants.get('WatchRole')?.sort()).toEqual([...kubeconfigs, '/apinetlet/test/webhook-token']);
    expect(grants.get('EnqueueRole')).toEqual(kubeconfigs);
    expect(grants.get('ReconcileRole')).toEqual(kubeconfigs);
  });

  it('holds the names of the secrets, never a value', () => {
    const env = template.Resources.AdmissionLambdaFunction.Properties.Environment.Variables;
    expect(env.WEBHOOK_TOKEN_PARAMETER).toBe('/apinetlet/test/webhook-token');
    const text = JSON.stringify(template);
    for (const v of ['WEBHOOK_TOKEN"', 'IRONCORE_KUBECONFIG"', 'APINET_KUBECONFIG"']) expect(text).not.toContain(`"${v}`);
    // No kubeconfig material (YAML keys, PEM, base64 of "apiVersion") and no token-like hex strings.
    expect(text).not.toMatch(/certificate-authority|client-key|BEGIN [A-Z ]*(CERTIFICATE|KEY)|YXBpVmVyc2lvbj|[0-9a-f]{32}/);
  });

  it('has the alarms: DLQ depth, oldest message age, reconcile failures, errors and throttles per kind, resync failures', () => {
    const alarms = resources().filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
    const find = (metric: string, dim: (d: Record<string, unknown>) => boolean) =>
      alarms.filter(([, r]) => r.Properties.MetricName === metric && (r.Properties.Dimensions as Array<{ Name: string; Value: unknown }>).some((d) => dim(d as never)));
    const ref = (v: unknown) => JSON.stringify(v);
    for (const kind of PRIMARY_KINDS) {
      const dlq = find('ApproximateNumberOfMessagesVisible', (d) => ref(d.Value).includes(`"${kind}DLQ"`));
      expect(dlq, `${kind} DLQ`).toHaveLength(1);
      expect(dlq[0]![1].Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      expect(find('ApproximateAgeOfOldestMessage', (d) => ref(d.Value).includes(`"${kind}Queue"`)), `${kind} age`).toHaveLength(1);
      expect(find('failures', (d) => d.Value === kind), `${kind} failures`).toHaveLength(1);
      for (const m of ['Errors', 'Throttles']) expect(find(m, (d) => ref(d.Value).includes(`"Reconcile${kind}LambdaFunction"`)), `${kind} ${m}`).toHaveLength(1);
    }
    expect(find('Errors', (d) => ref(d.Value).includes('"ResyncLambdaFunction"'))).toHaveLength(1);
    expect(resources().filter(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
  });
});
