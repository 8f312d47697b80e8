import type { CodexInstall } from '../codex/detect.js';
import { FIRST_BEDROCK_RELEASE, NEWEST_KNOWN_RELEASE } from '../codex/rules.js';
import type { Check, CheckOutcome } from './types.js';

const DOCS = 'https://developers.openai.com/codex/cli';
const UPDATE = 'npm install -g @openai/codex@latest   (or: brew upgrade codex)';
const REPORT_NEWER =
  'Please report it so the doctor learns this release: attach `codex-bedrock doctor --report codex-bedrock-report.md` to an issue in the codex-bedrock repository (maintainers: `npm run conformance -- --codex VERSION`). Meanwhile, `--codex-version X` judges the setup by the rules of a release you name.';

const KIND_NAMES: Record<CodexInstall['kind'], string> = {
  npm: 'npm package',
  native: 'native binary',
  homebrew: 'Homebrew cask',
  'desktop-app': 'desktop app bundle',
  'ide-extension': 'IDE extension bundle',
};

function describeInstall(install: CodexInstall): string {
  return `${install.path}${install.resolvedPath ? ` -> ${install.resolvedPath}` : ''} (${KIND_NAMES[install.kind]}${install.onPath ? ', first on PATH' : ''})`;
}

/**
 * Names the Codex release the doctor modelled, where it was found and whose rules were applied. The version
 * itself was chosen before resolution (src/codex/release.ts), because the resolver's rules depend on it.
 */
export const codexVersion: Check = {
  id: 'codex.version',
  title: 'Codex version and the rules applied',
  requires: [],
  network: false,
  run({ setup }): CheckOutcome {
    const codex = setup.codex;
    const release = codex.rules.release;
    const installs = codex.detection.installs.map((install) => `found: ${describeInstall(install)}${install.version ? `, version ${install.version} (from ${install.versionFrom})` : ''}`);
    const rulesLine = `rules applied: Codex ${release} (${codex.rules.applied.map((rule) => `${rule.behaviour}: ${rule.range}`).join('; ')})`;
    const details = [...installs, rulesLine];
    const facts = {
      version: codex.version,
      versionFrom: codex.versionFrom,
      rulesFor: release,
      basis: codex.basis,
      path: codex.install?.path ?? null,
      installKind: codex.install?.kind ?? null,
    };
    const where = codex.install ? describeInstall(codex.install) : null;
    switch (codex.basis) {
      case 'flag': {
        const found = codex.install ? `; the Codex found here is ${codex.install.version ?? 'of unknown version'} (${codex.install.path})` : '';
        return { status: 'pass', code: 'codex.rules-from-flag', summary: `Judged by the rules of Codex ${codex.version} (--codex-version)${found}`, details, facts };
      }
      case 'detected':
        return { status: 'pass', code: 'codex.ok', summary: `Codex ${codex.version}, ${where}; rules for ${release} applied`, details: [`version from ${codex.versionFrom}`, ...details], facts };
      case 'newer-than-known':
        return {
          status: 'warn',
          code: 'codex.newer-than-known',
          summary: `Codex ${codex.version} (${codex.versionFrom === '--codex-version' ? '--codex-version' : where}) is newer than ${NEWEST_KNOWN_RELEASE}, the newest release this doctor was checked against; judged by the rules of ${NEWEST_KNOWN_RELEASE}, which may have changed`,
          details,
          remediation: REPORT_NEWER,
          docs: DOCS,
          facts,
        };
      case 'older-than-supported':
        return {
          status: 'fail',
          code: 'codex.too-old',
          summary: `Codex ${codex.version} (${codex.versionFrom === '--codex-version' ? '--codex-version' : where}) is older than ${FIRST_BEDROCK_RELEASE}, the first release with the Amazon Bedrock provider; the rest is judged by the rules of ${release}, which the update installs`,
          details,
          remediation: `Update it: ${UPDATE}`,
          docs: DOCS,
          facts,
        };
      case 'version-unknown':
        return {
          status: 'warn',
          code: 'codex.version-unreadable',
          summary: `Cannot tell which Codex release ${codex.install?.path ?? ''} is: ${codex.versionProblem ?? 'no version found'}; judged by the rules of the newest known release, ${release}`,
          details,
          remediation: `Check that ${codex.install?.path ?? 'it'} is the OpenAI Codex CLI (reinstall: ${UPDATE}), or name the release with --codex-version X.`,
          docs: DOCS,
          facts,
        };
      case 'not-found':
        return {
          status: 'warn',
          code: 'codex.not-found',
          summary: `No Codex found (no \`codex\` on PATH, no desktop app or IDE extension bundle); judged by the rules of the newest known release, ${release}`,
          details: [`searched PATH: ${codex.detection.searchedPath || '(empty)'}`, rulesLine],
          remediation: `To use the CLI with Bedrock, install it: ${UPDATE}. If Codex runs elsewhere (another machine, a container), name its release with --codex-version X.`,
          docs: DOCS,
          facts,
        };
    }
  },
};
