/**
 * fauxqs with the queues of serverless.yml in a process of its own, for benchmarks that must not
 * measure the SQS server's work as their own. Prints one JSON line {endpoint, queues}; runs until killed.
 *
 * `node --import tsx test/bench/sqs-server.ts`
 */
import { startLocalSqs } from '../../infra/local/stack/queues.ts';

const sqs = await startLocalSqs({ serverlessYmlPath: new URL('../../serverless.yml', import.meta.url).pathname });
console.log(JSON.stringify({ endpoint: sqs.endpoint, queues: sqs.queues }));
const stop = async () => {
  await sqs.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
