import { analyseBearerKey, type BearerKeyAnalysis } from '../auth/bedrockKey.js';
import { existingProfiles, IAM_SOURCE_LABELS, profileKind, profileSettings, unreadableAwsFiles } from '../auth/profileKind.js';
import { accessKeyHint, formatDuration, formatTime } from '../format.js';
import { REGION_SHAPE } from '../catalogue/regions.js';
import { describeOrigin } from '../resolve/origin.js';
import type { EffectiveSetup } from '../resolve/setup.js';
import type { Check, CheckContext, CheckOutcome, CheckStatus } from './types.js';

const DOCS = 'https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html';
/** Where `aws sso login` and SSO profiles are explained: the fix for an SSO failure is there, not with API keys. */
const SSO_DOCS = 'https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sso.html';
const NEAR_EXPIRY_MS = 15 * 60 * 1000;

function worst(statuses: CheckStatus[]): CheckStatus {
  return (['fail', 'warn', 'pass'] as const).find((status) => statuses.includes(status)) ?? 'pass';
}

/** Which credentials Codex will not use, said once for every auth path. */
function precedenceNotes(setup: EffectiveSetup): string[] {
  const notes = setup.auth.ignored.map((item) => `${item.what} is present but ignored: ${item.why}`);
  if (setup.auth.emptyBearerIgnored) {
    notes.push(`AWS_BEARER_TOKEN_BEDROCK is set but empty (${describeOrigin(setup.auth.emptyBearerIgnored)}): Codex ignores it and uses IAM credentials`);
  }
  return notes;
}

/** SPEC: when several credentials are present, the one-line summary itself says which are ignored. */
function withIgnoredNote(outcome: CheckOutcome, setup: EffectiveSetup): CheckOutcome {
  const ignored = setup.auth.ignored.map((item) => item.what);
  if (setup.auth.emptyBearerIgnored) ignored.push('the empty AWS_BEARER_TOKEN_BEDROCK');
  if (ignored.length === 0 || outcome.status === 'skip') return outcome;
  return { ...outcome, summary: `${outcome.summary}; present but ignored by Codex: ${ignored.join(', ')}` };
}

function effectiveRegion(setup: EffectiveSetup): string | null {
  const value = setup.region.effective?.value;
  return typeof value === 'string' && REGION_SHAPE.test(value) ? value : null;
}

function passHeadline(analysis: BearerKeyAnalysis): string {
  if (analysis.shortTerm) {
    const key = analysis.shortTerm;
    return `Short-term Bedrock API key for ${key.region}, valid until ${formatTime(key.expiresAt)}`;
  }
  if (analysis.longTerm) {
    return `Long-term Bedrock API key of IAM user ${analysis.longTerm.iamUser} (account ${analysis.longTerm.accountId}); its expiry cannot be read offline`;
  }
  return 'Codex will send the Bedrock API key';
}

/**
 * When the failing key comes from a .env line while the shell holds a different key that would pass, the
 * root cause is the stale line (Codex's .env overrides the shell), not the key: say which line to delete.
 */
function staleDotenvLine(setup: EffectiveSetup, now: Date): string | null {
  const origin = setup.auth.origin;
  const shellKey = setup.env.shell['AWS_BEARER_TOKEN_BEDROCK'];
  if (origin?.kind !== 'env' || origin.from !== 'dotenv' || !origin.line || !shellKey || shellKey === setup.auth.bearerKey?.value) return null;
  const shellAnalysis = analyseBearerKey(shellKey, now, effectiveRegion(setup));
  if (shellAnalysis.findings.some((finding) => finding.severity !== 'info')) return null;
  return `Delete line ${origin.line} of ${origin.path ?? setup.env.dotenv.path}: its AWS_BEARER_TOKEN_BEDROCK overrides the key in your shell, which is sound (Codex applies .env over the shell).`;
}

function bearerOutcome(setup: EffectiveSetup, analysis: BearerKeyAnalysis, now: Date): CheckOutcome {
  const source = describeOrigin(setup.auth.origin);
  const problems = analysis.findings.filter((f) => f.severity !== 'info');
  const status = worst(problems.map((f) => f.severity as CheckStatus));
  const notes = precedenceNotes(setup);
  const facts: Record<string, string | number | boolean | null> = { authMode: 'bearer', keyKind: analysis.kind };
  if (analysis.shortTerm) {
    Object.assign(facts, {
      expiresAt: analysis.shortTerm.expiresAt.toISOString(),
      keyRegion: analysis.shortTerm.region,
      accessKeyId: analysis.shortTerm.accessKeyIdHint,
      fromTemporaryCredentials: analysis.shortTerm.fromTemporaryCredentials,
    });
  }
  if (analysis.longTerm) Object.assign(facts, { iamUser: analysis.longTerm.iamUser, accountId: analysis.longTerm.accountId });
  const headline = status === 'pass' ? passHeadline(analysis) : problems.map((f) => f.message).join(' ');
  const deleteLine = problems.length > 0 ? staleDotenvLine(setup, now) : null;
  return {
    status,
    code: status === 'pass' ? 'auth.bearer-key-ok' : deleteLine ? 'auth.stale-dotenv-key' : `auth.${problems[0]!.code}`,
    summary: `${headline} (${source})`,
    details: [`Codex sends the key from ${source} in the Authorization header, as a bearer token`, ...analysis.findings.map((f) => `${f.severity}: ${f.message}`), ...notes],
    ...(problems.length > 0 ? { remediation: deleteLine ?? [...new Set(problems.map((f) => f.fix).filter(Boolean))].join('\n') } : {}),
    docs: DOCS,
    facts,
  };
}

/** --offline on the IAM path: say what Codex would use, from configuration alone; nothing is run. */
function offlineIamOutcome(setup: EffectiveSetup): CheckOutcome {
  const plan = setup.auth;
  const notes = precedenceNotes(setup);
  if (plan.source === 'env-keys') {
    const akid = setup.env.get('AWS_ACCESS_KEY_ID')!.trim();
    const temporary = akid.startsWith('ASIA');
    if (temporary && !setup.env.nonEmpty('AWS_SESSION_TOKEN')) {
      return {
        status: 'fail',
        code: 'auth.session-token-missing',
        summary: `AWS_ACCESS_KEY_ID ${accessKeyHint(akid)} is a temporary key (ASIA…) but AWS_SESSION_TOKEN is not set; AWS will reject it`,
        details: notes,
        remediation: 'Export AWS_SESSION_TOKEN together with the temporary keys (all three come from the same aws sts / SSO output).',
        docs: DOCS,
      };
    }
    return {
      status: 'pass',
      code: 'auth.env-keys',
      summary: `Codex will use ${temporary ? 'temporary' : 'long-term'} access key ${accessKeyHint(akid)} from ${describeOrigin(plan.origin)} (not verified: --offline)`,
      details: notes,
      facts: { authMode: 'iam', credentialSource: 'env-keys', accessKeyId: accessKeyHint(akid) },
    };
  }
  const profile = plan.awsProfile?.value ?? 'default';
  const settings = profileSettings(setup, profile);
  if (!settings) {
    const existing = existingProfiles(setup);
    const named = plan.awsProfile !== undefined;
    return {
      status: named ? 'fail' : 'warn',
      code: named ? 'auth.profile-not-found' : 'auth.no-credentials',
      summary: named
        ? `AWS profile "${profile}" (${describeOrigin(plan.origin)}) does not exist in ${setup.awsConfig.path} or ${setup.awsCredentials.path}`
        : `No Bedrock API key, no AWS access keys and no default profile: only container or instance credentials could work (not probed: --offline)`,
      details: notes,
      remediation: named
        ? existing.length > 0 ? `Use one of: ${existing.join(', ')}` : `Create it: aws configure --profile ${profile}`
        : 'Set AWS_BEARER_TOKEN_BEDROCK (a Bedrock API key) or configure IAM credentials (aws configure, aws sso login).',
      docs: DOCS,
    };
  }
  const kind = profileKind(settings);
  if (!kind) {
    return {
      status: 'fail',
      code: 'auth.profile-without-credentials',
      summary: `AWS profile "${profile}" holds no credential settings (no keys, role_arn, sso_session, credential_process or web identity)`,
      details: notes,
      remediation: `Add credentials to it: aws configure --profile ${profile}`,
      docs: DOCS,
    };
  }
  return {
    status: 'pass',
    code: 'auth.profile',
    summary: `Codex will take credentials from AWS profile "${profile}" via ${IAM_SOURCE_LABELS[kind]} (not resolved: --offline)`,
    details: notes,
    facts: { authMode: 'iam', credentialSource: kind, profile },
  };
}

async function onlineIamOutcome(context: CheckContext): Promise<CheckOutcome> {
  const { setup } = context;
  const notes = precedenceNotes(setup);
  const resolution = await context.services.iamCredentials();
  if (!resolution.ok) {
    return {
      status: 'fail',
      code: resolution.source === 'sso' ? 'auth.sso-session' : 'auth.iam-unresolved',
      summary: `Codex cannot get IAM credentials from ${setup.auth.description}: ${resolution.reason}`,
      details: notes,
      remediation: resolution.fix,
      docs: resolution.source === 'sso' ? SSO_DOCS : DOCS,
      facts: { authMode: 'iam', credentialSource: resolution.source, profile: resolution.profile },
    };
  }
  const creds = resolution.credentials;
  const key = accessKeyHint(creds.accessKeyId);
  const via = `${IAM_SOURCE_LABELS[creds.source]}${creds.profile ? ` (profile ${creds.profile})` : ''}`;
  const facts = {
    authMode: 'iam',
    credentialSource: creds.source,
    profile: creds.profile,
    accessKeyId: key,
    temporary: Boolean(creds.sessionToken),
    expiresAt: creds.expiration?.toISOString() ?? null,
  };
  const left = creds.expiration ? creds.expiration.getTime() - context.now().getTime() : null;
  if (left !== null && left <= 0) {
    return {
      status: 'fail',
      code: 'auth.iam-expired',
      summary: `The IAM credentials from ${via} expired at ${formatTime(creds.expiration!)} (${formatDuration(left)} ago)`,
      details: notes,
      remediation: creds.source === 'sso' ? `Run: aws sso login${creds.profile ? ` --profile ${creds.profile}` : ''}` : 'Refresh the credentials (re-run what produced them).',
      docs: creds.source === 'sso' ? SSO_DOCS : DOCS,
      facts,
    };
  }
  const expiry = creds.expiration ? `, valid until ${formatTime(creds.expiration)} (${formatDuration(left!)} left)` : ', no expiry';
  if (left !== null && left < NEAR_EXPIRY_MS) {
    return {
      status: 'warn',
      code: 'auth.iam-near-expiry',
      summary: `IAM credentials from ${via} expire in ${formatDuration(left)} (${formatTime(creds.expiration!)})`,
      details: notes,
      remediation: 'Refresh them before a long Codex session; Codex re-resolves credentials from the same source when it starts.',
      docs: DOCS,
      facts,
    };
  }
  return {
    status: 'pass',
    code: 'auth.iam-ok',
    summary: `Codex will sign with ${creds.sessionToken ? 'temporary' : 'long-term'} access key ${key} from ${via}${expiry}`,
    details: notes,
    facts,
  };
}

/** Which credential Codex will use, and whether it is usable now. */
async function decide(context: CheckContext): Promise<CheckOutcome> {
  const { setup } = context;
  if (setup.auth.mode === 'command') {
    return {
      status: 'warn',
      code: 'auth.command',
      summary: `Codex gets its credential from the auth command at ${describeOrigin(setup.auth.origin)}; the doctor does not run it`,
      details: precedenceNotes(setup),
      remediation: 'Run the configured command by hand and check that it prints a valid Bedrock API key.',
      docs: DOCS,
      facts: { authMode: 'command' },
    };
  }
  if (setup.auth.mode === 'bearer') {
    return bearerOutcome(setup, analyseBearerKey(setup.auth.bearerKey!.value, context.now(), effectiveRegion(setup)), context.now());
  }
  const unreadable = unreadableAwsFiles(setup);
  if (unreadable.length > 0 && setup.auth.source !== 'env-keys') {
    return {
      status: 'fail',
      code: 'auth.aws-files-unreadable',
      summary: `${unreadable.join('; ')}: the AWS SDK, and so Codex, find no profiles in it`,
      details: precedenceNotes(setup),
      remediation: 'Restore the file as INI text (aws configure writes it), or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at readable files.',
      docs: DOCS,
    };
  }
  return context.options.offline ? offlineIamOutcome(setup) : onlineIamOutcome(context);
}

export const authToken: Check = {
  id: 'auth.token',
  title: 'Credential Codex will use',
  requires: ['config.provider'],
  network: false,
  async run(context) {
    return withIgnoredNote(await decide(context), context.setup);
  },
};
