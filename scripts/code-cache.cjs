// Records V8's code cache for dist/codex-bedrock.cjs after one `doctor --offline --json` run in an empty,
// temporary home, so the functions an ordinary run needs are in the cache. Runs at build time only: the CLI
// itself never writes a file. A cache made by another Node version is rejected by V8 and simply not used.
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { compileBundle, BUNDLE } = require('../bin/load-bundle.cjs');

const home = mkdtempSync(join(tmpdir(), 'codex-bedrock-cache-'));
for (const name of Object.keys(process.env)) if (/^(AWS_|CODEX_|OPENAI_|HTTPS?_PROXY|NO_PROXY)/i.test(name)) delete process.env[name];
Object.assign(process.env, {
  HOME: home,
  CODEX_HOME: home,
  CODEX_BEDROCK_MANAGED_CONFIG: join(home, 'no-managed-config.toml'),
  AWS_CONFIG_FILE: join(home, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
  PATH: '',
});
process.argv = [process.argv[0], BUNDLE, 'doctor', '--offline', '--json'];
const { script, run } = compileBundle(null);
process.stdout.write = (_chunk, encoding, callback) => {
  const done = typeof encoding === 'function' ? encoding : callback;
  if (typeof done === 'function') done();
  return true;
};
process.exit = () => {
  writeFileSync(`${BUNDLE}.cache`, script.createCachedData());
  rmSync(home, { recursive: true, force: true });
  process.exitCode = 0;
};
run();
