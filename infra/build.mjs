// Bundles every function entry point (functions/**/*.ts) into dist/<path>.mjs with esbuild:
// one self-contained ESM bundle per Lambda, targeting the nodejs22.x runtime (and Node 20 locally).
import { build } from 'esbuild';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const functionsDir = join(root, 'functions');
// OUTDIR lets tests build into a temporary folder without touching dist/ (default: <root>/dist).
const outdir = process.env.OUTDIR ? resolve(process.env.OUTDIR) : join(root, 'dist');

function entries(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return entries(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const entryPoints = Object.fromEntries(
  entries(functionsDir).map((path) => [relative(functionsDir, path).replace(/\.ts$/, ''), path]),
);
if (Object.keys(entryPoints).length === 0) {
  console.error('build: no function entry points under functions/');
  process.exit(1);
}

/**
 * zod re-exports every locale (`export * as locales`), which esbuild cannot tree-shake: ~250 KiB of
 * error-message translations in each cold start. We only use English messages, so the locale index
 * resolves to English alone.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${'/'}node_modules/zod/`) ? { path: 'zod-locales-en', namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(join(root, 'node_modules/zod/v4/locales/en.js'))};`,
      resolveDir: root,
    }));
  },
};

/**
 * zod also re-exports `fromJSONSchema` (a JSON Schema → zod converter, ~12 KiB minified) from an
 * index esbuild cannot tree-shake; nothing here converts JSON Schema, so it resolves to a stub
 * that says so. Together with the locales this keeps the admission bundle within its budget.
 */
const zodNoFromJsonSchema = {
  name: 'zod-no-from-json-schema',
  setup(b) {
    b.onResolve({ filter: /^\.\/from-json-schema\.js$/ }, (args) =>
      args.importer.includes(`${'/'}node_modules/zod/`) ? { path: 'zod-from-json-schema', namespace: 'zod-stub' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-stub' }, () => ({
      contents: 'export function fromJSONSchema() { throw new Error("fromJSONSchema is not bundled (infra/build.mjs)"); }',
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints,
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Source maps are written for local debugging (`node --enable-source-maps dist/...`) but not
  // shipped: loading the 5 MB map costs ~100 ms and ~20 MiB per cold start (npm run bench:coldstart).
  // Fully minified (the bundle budgets of test/integration/bundles.test.ts are for minified code);
  // No keepNames (it costs ~16 KiB in admission): every error class sets its `name` itself.
  sourcemap: true,
  minify: true,
  keepNames: false,
  metafile: true,
  plugins: [zodEnglishOnly, zodNoFromJsonSchema],
  legalComments: 'none',
  // The AWS SDK v3 ships in the Lambda runtime, but we bundle the exact version we test with.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});

for (const [out, meta] of Object.entries(result.metafile.outputs)) {
  if (out.endsWith('.map')) continue;
  console.log(`${relative(root, out).padEnd(48)} ${(meta.bytes / 1024).toFixed(0).padStart(6)} KiB`);
}
