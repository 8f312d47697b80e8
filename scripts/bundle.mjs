#!/usr/bin/env node
// Bundles the CLI into one ES module (dist/codex-bedrock.mjs). Start-up time of an --offline run is mostly
// module loading; one file instead of ~90 brings it close to bare Node. The AWS SDK, the SigV4 signer, the
// proxy agents and the spinner stay external: they are imported lazily, only on the paths that need them.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/codex-bedrock.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@aws-sdk/*', '@smithy/*', 'https-proxy-agent', 'http-proxy-agent', 'ora'],
  // @iarna/toml is CommonJS and requires Node built-ins; give the bundle a real `require` for them.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
