#!/usr/bin/env node
import '../dist/codex-bedrock.mjs';
