import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // test/real needs real API servers: only the real tier (npm run test:real) includes it;
    // test/differential (the Go apinetlet side by side) only with APINETLET_DIFFERENTIAL=1.
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', ...(process.env.APINETLET_SERVERS === 'real' ? ['test/real/**/*.test.ts'] : []), ...(process.env.APINETLET_DIFFERENTIAL === '1' ? ['test/differential/**/*.test.ts'] : [])],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start their own emulators and SQS servers on free ports; keep the
    // parallelism modest for a 2-core machine.
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
