import type { Check, CheckOutcome } from './types.js';

/** The setup guide's minimum Codex CLI version for the Amazon Bedrock provider. */
export const MINIMUM_CODEX_VERSION = '0.128.0';
const DOCS = 'https://developers.openai.com/codex/cli';
const UPDATE = 'npm install -g @openai/codex@latest   (or: brew upgrade codex)';
/** `codex --version` starts a native binary; a few seconds is plenty, and never the whole --timeout. */
const VERSION_TIMEOUT_MS = 5000;

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export const codexVersion: Check = {
  id: 'codex.version',
  title: 'Codex CLI version',
  requires: [],
  network: false,
  async run({ setup, services, options }): Promise<CheckOutcome> {
    const cli = setup.codexCli;
    if (!cli.path) {
      return {
        status: 'warn',
        code: 'codex.not-on-path',
        summary: 'No Codex CLI (`codex`) on PATH; the desktop app or IDE extension may still be in use',
        details: [`searched PATH: ${cli.searchedPath || '(empty)'}`],
        remediation: `To use the CLI with Bedrock, install it: ${UPDATE}`,
        docs: DOCS,
      };
    }
    const answer = await services.codexVersion(cli.path, Math.min(VERSION_TIMEOUT_MS, options.timeoutMs));
    if (!answer.ok) {
      return {
        status: 'warn',
        code: 'codex.version-failed',
        summary: `${cli.path} --version failed: ${answer.reason}`,
        remediation: `Reinstall the Codex CLI: ${UPDATE}`,
        docs: DOCS,
      };
    }
    const version = /(\d+)\.(\d+)\.(\d+)/.exec(answer.output)?.[0];
    if (!version) {
      return {
        status: 'warn',
        code: 'codex.version-unreadable',
        summary: `Cannot read a version from \`${cli.path} --version\` (it printed ${JSON.stringify(answer.output.slice(0, 80))})`,
        remediation: `Check that ${cli.path} is the OpenAI Codex CLI; reinstall it with: ${UPDATE}`,
        docs: DOCS,
      };
    }
    const facts = { version, path: cli.path };
    if (compareVersions(version, MINIMUM_CODEX_VERSION) < 0) {
      return {
        status: 'fail',
        code: 'codex.too-old',
        summary: `Codex CLI ${version} (${cli.path}) is older than ${MINIMUM_CODEX_VERSION}, the first version with the Amazon Bedrock provider`,
        remediation: `Update it: ${UPDATE}`,
        docs: DOCS,
        facts,
      };
    }
    return { status: 'pass', code: 'codex.ok', summary: `Codex CLI ${version} (${cli.path})`, details: [`minimum for Bedrock: ${MINIMUM_CODEX_VERSION}`], facts };
  },
};
