#!/usr/bin/env node
// `prepare`: builds the CLI (npm runs it after `npm ci`, before `npm pack`, and when installing from git).
//
// A global install from a git URL (`npm install -g git+https://…`) clones the repository and runs a nested
// `npm install` to prepare it, but that nested install inherits `--global` and installs the clone into the
// global prefix instead of installing its devDependencies into the clone: the build then fails with
// "tsc: not found". When the build tools are missing, this script installs the locked dependencies into the
// clone itself (with the global settings removed, install scripts off so this script does not recurse),
// then builds. Everywhere else the tools are present and it only builds.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : [process.platform === 'win32' ? 'npm.cmd' : 'npm'];
const run = (args, env = process.env) => execFileSync(npm[0], [...npm.slice(1), ...args], { cwd: repo, stdio: 'inherit', env });

const toolsPresent = ['typescript/package.json', 'esbuild/package.json'].every((path) => existsSync(join(repo, 'node_modules', path)));
if (!toolsPresent) {
  console.error('codex-bedrock: build tools missing (an install from git); installing the locked dependencies to build');
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_config_(global|global_prefix|globalconfig|local_prefix|prefix|location|omit|only|production)$/i.test(name)),
  );
  run(['ci', '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund'], env);
}
run(['run', 'build']);
