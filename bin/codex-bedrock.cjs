#!/usr/bin/env node
const { compileBundle, readCache } = require('./load-bundle.cjs');

compileBundle(readCache()).run();
