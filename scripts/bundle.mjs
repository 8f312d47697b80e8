#!/usr/bin/env node
// Bundles the CLI into one CommonJS file (dist/codex-bedrock.cjs). Start-up of an --offline run is mostly
// module loading: one CommonJS file instead of ~90 ES modules saves the ESM loader's work and brings the
// run close to bare Node. The AWS SDK, the SigV4 signer, the proxy agents and the spinner stay external and
// are imported lazily (real dynamic import()), only on the paths that need them.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/codex-bedrock.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['@aws-sdk/*', '@smithy/*', 'https-proxy-agent', 'http-proxy-agent', 'ora'],
  inject: ['scripts/import-meta-url.cjs'],
  define: { 'import.meta.url': 'importMetaUrl' },
  logLevel: 'warning',
});
