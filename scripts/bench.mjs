#!/usr/bin/env node
// Benchmark: median wall time and peak RSS of the doctor against bare Node start-up (and the AWS CLI's
// `aws sts get-caller-identity`, when installed), all measured in this run on loopback servers.
// Usage: npm run bench            (BENCH_RUNS=N to change the number of runs per command; default 15)
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(repo, 'bin', 'codex-bedrock.cjs');
const tracer = join(repo, 'scripts', 'trace-imports.mjs');
const runs = Number(process.env.BENCH_RUNS ?? 15);
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

const ACCOUNT = '123456789012';
const ACCESS_KEY = 'AKIABENCHMARK0000001';
const SECRET = 'benchmarkSecretKeyThatIsOnlyForLoopback00';
const LONG_TERM_KEY = `ABSK${Buffer.from(`bench-user-at-${ACCOUNT}:benchmarkLongTermSecret000000`).toString('base64')}`;

/** Minimal loopback STS and Mantle: the benchmark measures the doctor, not signature verification. */
function startServer(handler) {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => handler(req, res, body));
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` }));
  });
}

const sts = await startServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'bench-sts' });
  res.end(
    `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
      `<Arn>arn:aws:iam::${ACCOUNT}:user/bench</Arn><UserId>AIDABENCH</UserId><Account>${ACCOUNT}</Account>` +
      `</GetCallerIdentityResult><ResponseMetadata><RequestId>bench-sts</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  );
});
const mantle = await startServer((req, res, body) => {
  const model = (() => {
    try {
      return JSON.parse(body).model;
    } catch {
      return 'unknown';
    }
  })();
  res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'bench-mantle', date: new Date().toUTCString() });
  res.end(JSON.stringify({ id: 'resp_bench', object: 'response', model, status: 'completed', output: [] }));
});

const root = mkdtempSync(join(tmpdir(), 'codex-bedrock-bench-'));
const home = join(root, 'home');
mkdirSync(join(home, '.codex'), { recursive: true });
const config = (extra) =>
  `model_provider = "amazon-bedrock"\nmodel = "openai.gpt-5.5"\n\n[model_providers.amazon-bedrock]\n${extra}\n[model_providers.amazon-bedrock.aws]\nregion = "us-east-1"\n`;
writeFileSync(join(home, '.codex', 'config.toml'), config(''));
mkdirSync(join(root, 'online', '.codex'), { recursive: true });
writeFileSync(join(root, 'online', '.codex', 'config.toml'), config(`base_url = "${mantle.url}/openai/v1"\n`));

const baseEnv = {
  PATH: process.env.PATH,
  HOME: home,
  CODEX_HOME: join(home, '.codex'),
  CODEX_BEDROCK_MANAGED_CONFIG: join(root, 'no-managed-config.toml'),
  AWS_CONFIG_FILE: join(root, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(root, 'no-aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  NO_COLOR: '1',
};
// `codex` first on PATH as `npm install -g @openai/codex@0.171.0` lays it out: bin/codex -> the package's
// bin/codex.js. The real package is used when the conformance cache holds it (it is what users have);
// otherwise a stand-in with the same files, whose launcher sleeps if it is ever started, so a spawn shows.
const codexCache = process.env.CODEX_CONFORMANCE_CACHE ?? '/var/cache/codex-conformance';
const realCodex = join(codexCache, '0.171.0', 'node_modules', '@openai', 'codex');
const npmPrefix = join(root, 'npm-prefix');
mkdirSync(join(npmPrefix, 'bin'), { recursive: true });
let codexPackage = realCodex;
if (!existsSync(join(realCodex, 'package.json'))) {
  codexPackage = join(npmPrefix, 'lib', 'node_modules', '@openai', 'codex');
  mkdirSync(join(codexPackage, 'bin'), { recursive: true });
  writeFileSync(join(codexPackage, 'package.json'), JSON.stringify({ name: '@openai/codex', version: '0.171.0', bin: { codex: 'bin/codex.js' }, type: 'module' }));
  writeFileSync(join(codexPackage, 'bin', 'codex.js'), '#!/usr/bin/env node\nsetTimeout(() => console.log("codex-cli 0.171.0"), 150);\n');
  chmodSync(join(codexPackage, 'bin', 'codex.js'), 0o755);
}
symlinkSync(join(codexPackage, 'bin', 'codex.js'), join(npmPrefix, 'bin', 'codex'));
const codexOnPath = { PATH: `${join(npmPrefix, 'bin')}:${process.env.PATH}` };

const iamEnv = { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_ENDPOINT_URL_STS: sts.url };
const onlineHome = { CODEX_HOME: join(root, 'online', '.codex') };

const commands = [
  { name: 'node -e 0 (baseline)', argv: [process.execPath, '-e', '0'], env: baseEnv },
  // Loading the bundle and parsing with yargs, nothing else: the start-up cost of the command line itself.
  { name: 'codex-bedrock -V (bundle + yargs only)', argv: [process.execPath, cli, '-V'], env: baseEnv },
  { name: 'doctor --offline, bearer key', argv: [process.execPath, cli, 'doctor', '--offline', '--json'], env: { ...baseEnv, AWS_BEARER_TOKEN_BEDROCK: LONG_TERM_KEY } },
  { name: 'doctor --offline, bearer, npm codex 0.171.0', argv: [process.execPath, cli, 'doctor', '--offline', '--json'], env: { ...baseEnv, ...codexOnPath, AWS_BEARER_TOKEN_BEDROCK: LONG_TERM_KEY } },
  { name: 'doctor --offline, IAM env keys', argv: [process.execPath, cli, 'doctor', '--offline', '--json'], env: { ...baseEnv, ...iamEnv } },
  { name: 'doctor, bearer key, loopback Mantle', argv: [process.execPath, cli, 'doctor', '--json'], env: { ...baseEnv, ...onlineHome, AWS_BEARER_TOKEN_BEDROCK: LONG_TERM_KEY } },
  { name: 'doctor, IAM, loopback STS + Mantle', argv: [process.execPath, cli, 'doctor', '--json'], env: { ...baseEnv, ...onlineHome, ...iamEnv } },
];
// BENCH_BASELINE_CLI=path/to/other/bin/codex-bedrock.cjs adds that build's rows to the same run (e.g. the
// commit before a change), so the difference is measured under the same machine load.
const baselineCli = process.env.BENCH_BASELINE_CLI;
if (baselineCli) {
  commands.push(
    { name: 'baseline CLI --version', argv: [process.execPath, baselineCli, '--version'], env: baseEnv },
    { name: 'baseline CLI doctor --offline, bearer key', argv: [process.execPath, baselineCli, 'doctor', '--offline', '--json'], env: { ...baseEnv, AWS_BEARER_TOKEN_BEDROCK: LONG_TERM_KEY } },
  );
}
const awsCli = process.env.PATH.split(':').map((dir) => join(dir, 'aws')).find((path) => existsSync(path));
if (awsCli) {
  commands.push({
    name: 'aws sts get-caller-identity (loopback STS)',
    argv: [awsCli, 'sts', 'get-caller-identity', '--endpoint-url', sts.url, '--region', 'us-east-1'],
    env: { ...baseEnv, ...iamEnv, HOME: process.env.HOME },
  });
}

/** Runs one command; wall time from spawn to exit, peak RSS from GNU time when present. */
function measure(command) {
  return new Promise((resolve, reject) => {
    const argv = gnuTime ? [gnuTime, '-f', '__RSS_KB=%M', ...command.argv] : command.argv;
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { env: command.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const rss = /__RSS_KB=(\d+)/.exec(stderr);
      resolve({ wallMs, rssMb: rss ? Number(rss[1]) / 1024 : null, code, stdout, stderr });
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

// Sanity run: every doctor command must succeed as expected before it is timed.
for (const command of commands.slice(1)) {
  const result = await measure(command);
  if (command.name.includes('doctor')) {
    const report = JSON.parse(result.stdout);
    const failed = report.checks.filter((check) => check.status === 'fail').map((check) => `${check.id}: ${check.summary}`);
    if (failed.length > 0) throw new Error(`${command.name} did not run cleanly:\n${failed.join('\n')}`);
    // The codex run must really have found the npm install, from its package.json (nothing started).
    if (command.env.PATH === codexOnPath.PATH && !(report.codex?.version === '0.171.0' && /package\.json$/.test(report.codex.source ?? ''))) {
      throw new Error(`${command.name}: the doctor did not read 0.171.0 from the npm package: ${JSON.stringify(report.codex)}`);
    }
  } else if (result.code !== 0) {
    throw new Error(`${command.name} failed: ${result.stderr}`);
  }
}

const samples = new Map(commands.map((command) => [command.name, []]));
for (let run = 0; run < runs; run++) {
  // Interleaved, so drift in machine load touches every command alike.
  for (const command of commands) samples.get(command.name).push(await measure(command));
}

/** Which runs load the AWS SDK at all (the offline and bearer paths must not). */
async function loadsAwsSdk(command) {
  const trace = join(root, 'trace.txt');
  rmSync(trace, { force: true });
  await measure({ ...command, argv: [process.execPath, '--import', tracer, ...command.argv.slice(1)], env: { ...command.env, CODEX_BEDROCK_TRACE_IMPORTS: trace } });
  const loaded = existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter((url) => /node_modules\/@(aws-sdk|smithy)\//.test(url)) : [];
  return loaded.length;
}

const baseline = samples.get(commands[0].name);
const baseWall = median(baseline.map((s) => s.wallMs));
const baseRss = gnuTime ? median(baseline.map((s) => s.rssMb)) : null;
const awsBaseline = awsCli ? median(samples.get(commands.at(-1).name).map((s) => s.wallMs)) : null;
console.log(`codex-bedrock benchmark: ${runs} runs per command, node ${process.version}, ${new Date().toISOString()}`);
console.log(`npm codex 0.171.0 on PATH: ${codexPackage === realCodex ? `the real package in ${realCodex}` : 'a stand-in with the npm layout (no cached @openai/codex@0.171.0)'}`);
console.log(`${'command'.padEnd(44)} ${'median ms'.padStart(10)} ${'x node'.padStart(7)} ${awsCli ? 'x aws-cli'.padStart(9) : ''} ${'peak RSS MB'.padStart(12)} ${'x node'.padStart(7)}  AWS SDK modules`);
for (const command of commands) {
  const list = samples.get(command.name);
  const wall = median(list.map((s) => s.wallMs));
  const rss = gnuTime ? median(list.map((s) => s.rssMb)) : null;
  const sdk = command.name.includes('doctor') ? String(await loadsAwsSdk(command)) : '-';
  console.log(
    `${command.name.padEnd(44)} ${wall.toFixed(1).padStart(10)} ${(wall / baseWall).toFixed(2).padStart(7)} ${awsCli ? (wall / awsBaseline).toFixed(2).padStart(9) : ''} ${rss === null ? 'n/a'.padStart(12) : rss.toFixed(1).padStart(12)} ${rss === null ? '' : (rss / baseRss).toFixed(2).padStart(7)}  ${sdk}`,
  );
}
const offlineBearer = median(samples.get('doctor --offline, bearer key').map((s) => s.wallMs));
const offlineWithCodex = median(samples.get('doctor --offline, bearer, npm codex 0.171.0').map((s) => s.wallMs));
console.log(`npm codex 0.171.0 first on PATH adds ${(((offlineWithCodex / offlineBearer) - 1) * 100).toFixed(1)} % to the offline bearer run (${offlineWithCodex.toFixed(1)} vs ${offlineBearer.toFixed(1)} ms)`);
if (!gnuTime) console.log('(peak RSS not measured: /usr/bin/time is not installed)');
sts.server.close();
mantle.server.close();
rmSync(root, { recursive: true, force: true });
