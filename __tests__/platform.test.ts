/**
 * Windows and macOS rules with injected platform facts (the tests run on Linux): no chmod advice where file
 * modes mean nothing (PATH and PATHEXT are src/codex/detect.ts's, tested with it), the managed-config location per platform, USERPROFILE as home, CI detection, and what the doctor
 * says about AWS_CA_BUNDLE (which Codex's AWS SDK for Rust ignores).
 */
import { describe, expect, it } from '@jest/globals';
import { bedrockResponses } from '../src/checks/bedrockResponses.js';
import { envDotenv } from '../src/checks/envDotenv.js';
import { classifyNetworkError } from '../src/net/networkErrors.js';
import type { MantleResult } from '../src/net/mantle.js';
import { NO_NETWORK, type Services } from '../src/net/services.js';
import { homeFolder, managedConfigPath, platformFacts } from '../src/platform.js';
import { CONFIG, DOTENV, lines, makeWorld } from './helpers/world.js';

const WINDOWS = platformFacts('win32');
const MACOS = platformFacts('darwin');
const LINUX = platformFacts('linux');
const BEARER = 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWF0LTEyMzQ1Njc4OTAxMjpzZWNyZXQ=';

describe('no chmod advice on Windows', () => {
  const spec = (platform: ReturnType<typeof platformFacts>) => ({
    files: { [CONFIG]: lines('model_provider = "amazon-bedrock"', '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"'), [DOTENV]: lines(`AWS_BEARER_TOKEN_BEDROCK=${BEARER}`) },
    modes: { [DOTENV]: 0o644 },
    platform,
  });

  it('Linux: a .env holding a key and readable by others warns with chmod 600', async () => {
    const outcome = await makeWorld(spec(LINUX)).runCheck(envDotenv);
    expect(outcome.status).toBe('warn');
    expect(outcome.remediation).toContain('chmod 600');
  });

  it('Windows: the same file passes, and nothing mentions chmod', async () => {
    const outcome = await makeWorld(spec(WINDOWS)).runCheck(envDotenv);
    expect(outcome.status).toBe('pass');
    expect(JSON.stringify(outcome)).not.toContain('chmod');
  });

  it('Windows: the desktop-app advice lists the .env lines without "then chmod 600"', async () => {
    const outcome = await makeWorld({
      files: { [CONFIG]: lines('model_provider = "amazon-bedrock"', '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"') },
      env: { AWS_BEARER_TOKEN_BEDROCK: BEARER },
      platform: WINDOWS,
    }).runCheck(envDotenv);
    expect(outcome.status).toBe('warn');
    expect(outcome.remediation).toContain('AWS_BEARER_TOKEN_BEDROCK=<your Bedrock API key>');
    expect(outcome.remediation).not.toContain('chmod');
  });
});

describe('managed config and home per platform', () => {
  it.each([
    ['linux', LINUX, '/home/u/.codex', '/etc/codex/managed_config.toml'],
    ['darwin', MACOS, '/Users/u/.codex', '/etc/codex/managed_config.toml'],
    ['win32', WINDOWS, 'C:\\Users\\u\\.codex', 'C:\\Users\\u\\.codex\\managed_config.toml'],
    ['win32', WINDOWS, 'D:\\codex\\', 'D:\\codex\\managed_config.toml'],
  ] as const)('%s, Codex home %s', (_os, facts, codexHome, expected) => {
    expect(managedConfigPath(facts, codexHome)).toBe(expected);
  });

  it('home: HOME first; on Windows USERPROFILE when HOME is unset; else the fallback', () => {
    expect(homeFolder(WINDOWS, { HOME: 'C:\\h', USERPROFILE: 'C:\\Users\\u' }, 'x')).toBe('C:\\h');
    expect(homeFolder(WINDOWS, { USERPROFILE: 'C:\\Users\\u' }, 'x')).toBe('C:\\Users\\u');
    expect(homeFolder(LINUX, { USERPROFILE: '/ignored' }, '/fallback')).toBe('/fallback');
  });
});

describe('AWS_CA_BUNDLE', () => {
  const tlsFailure: Services = {
    ...NO_NETWORK,
    mantle: async (): Promise<MantleResult> => ({ ok: false, failure: classifyNetworkError(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' })), latencyMs: 2, proxy: null }),
  };
  const world = (env: Record<string, string>) =>
    makeWorld({ files: { [CONFIG]: lines('model_provider = "amazon-bedrock"', 'model = "openai.gpt-5.5"', '[model_providers.amazon-bedrock.aws]', 'region = "us-east-1"') }, env: { AWS_BEARER_TOKEN_BEDROCK: BEARER, ...env } });

  it('a TLS failure with AWS_CA_BUNDLE set says Codex ignores it and where the CA must go instead', async () => {
    const outcome = await world({ AWS_CA_BUNDLE: '/etc/corp-ca.pem' }).runCheck(bedrockResponses, { offline: false }, tlsFailure);
    expect(outcome.status).toBe('fail');
    expect(outcome.remediation).toContain('AWS_CA_BUNDLE is set, but Codex ignores it');
    expect(outcome.remediation).toContain('SSL_CERT_FILE');
    expect(outcome.remediation).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('without AWS_CA_BUNDLE the usual TLS advice stays', async () => {
    const outcome = await world({}).runCheck(bedrockResponses, { offline: false }, tlsFailure);
    expect(outcome.remediation).not.toContain('AWS_CA_BUNDLE');
    expect(outcome.remediation).toContain('NODE_EXTRA_CA_CERTS');
  });
});
