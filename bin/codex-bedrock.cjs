#!/usr/bin/env node
require('../dist/codex-bedrock.cjs');
