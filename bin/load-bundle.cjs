// Loads dist/codex-bedrock.cjs with V8's code cache when one was built for it (see scripts/code-cache.cjs).
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, '..', 'dist', 'codex-bedrock.cjs');

/** Compiles the bundle as a CommonJS module; `cachedData` null compiles from source. */
function compileBundle(cachedData) {
  // import() does not work in code compiled from a cache on Node 20; this module's own import() does.
  globalThis.__codexBedrockImport = (specifier) => import(specifier);
  const script = new Script(Module.wrap(readFileSync(BUNDLE, 'utf8')), { filename: BUNDLE, ...(cachedData ? { cachedData } : {}) });
  const run = () => {
    const module = new Module(BUNDLE, null);
    module.filename = BUNDLE;
    const moduleRequire = Module.createRequire(BUNDLE);
    script.runInThisContext()(module.exports, moduleRequire, module, BUNDLE, dirname(BUNDLE));
  };
  return { script, run };
}

function readCache() {
  try {
    return readFileSync(`${BUNDLE}.cache`);
  } catch {
    return null;
  }
}

module.exports = { BUNDLE, compileBundle, readCache };
