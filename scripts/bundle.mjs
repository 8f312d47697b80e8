#!/usr/bin/env node
// Bundles the CLI into one CommonJS file (dist/codex-bedrock.cjs) and records V8's code cache for it.
// Start-up of an --offline run is mostly module loading and first-call compilation: one CommonJS file instead
// of ~90 ES modules saves the ESM loader's work, and the code cache (made by running one offline doctor at
// build time) saves most of the compilation. The AWS SDK, the SigV4 signer, the proxy agents and the spinner
// stay external and are imported lazily, only on the paths that need them.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const outfile = 'dist/codex-bedrock.cjs';
await build({
  entryPoints: ['dist/cli/main.js'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['@aws-sdk/*', '@smithy/*', 'https-proxy-agent', 'http-proxy-agent', 'ora'],
  inject: ['scripts/import-meta-url.cjs'],
  define: { 'import.meta.url': 'importMetaUrl' },
  // Code run from a V8 code cache (bin/codex-bedrock.cjs) cannot use import() itself on Node 20, so dynamic
  // imports go through a function the loader provides; run directly, the bundle falls back to import().
  banner: { js: 'var __codexBedrockImport = globalThis.__codexBedrockImport || ((specifier) => import(specifier));' },
  logLevel: 'warning',
});
const bundled = readFileSync(outfile, 'utf8');
const dynamicImports = bundled.match(/\bimport\("/g)?.length ?? 0;
writeFileSync(outfile, bundled.replace(/\bimport\("/g, '__codexBedrockImport("'));
if (dynamicImports === 0) throw new Error('bundle: expected lazy import() calls for the external modules');
execFileSync(process.execPath, ['scripts/code-cache.cjs'], { stdio: 'inherit' });
