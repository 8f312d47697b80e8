/**
 * Which Codex runs here (src/codex/detect.ts, src/codex/release.ts): the real install layouts under
 * fixtures/codex-installs, read through the same disk probes the doctor uses, plus Windows PATH rules with
 * injected probes. The stand-in binaries record every start in a marker file: reading a version from the
 * files beside an install must start nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codexCandidatesOnPath, detectCodexInstalls, type DetectProbes } from '../src/codex/detect.js';
import { diskProbes as realDiskProbes } from '../src/codex/diskProbes.js';
import { chooseCodexRelease, namedRelease, type VersionProbe } from '../src/codex/release.js';
import { NEWEST_KNOWN_RELEASE } from '../src/codex/rules.js';
import type { FileRead } from '../src/io/files.js';
import { readCodexVersion } from '../src/net/codexCli.js';

const INSTALLS = resolve('fixtures/codex-installs');
const EMPTY_HOME = join(INSTALLS, 'no-such-home');
let marker = '';
let tmp = '';

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'codex-detect-'));
  marker = join(tmp, 'started.txt');
  process.env['CODEX_FIXTURE_MARKER'] = marker;
});
afterAll(() => {
  delete process.env['CODEX_FIXTURE_MARKER'];
  rmSync(tmp, { recursive: true, force: true });
});

function diskProbes(overrides: Partial<DetectProbes> = {}): DetectProbes {
  return { ...realDiskProbes('linux', {}, EMPTY_HOME), ...overrides };
}

const pathOf = (...dirs: string[]) => ({ PATH: dirs.join(':') });
/** A probe that must not be called: the layout states the version. */
const mustNotProbe: VersionProbe = (path) => Promise.reject(new Error(`probed ${path}`));
const startedNothing = () => expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('');

describe('layouts on PATH, read without starting anything', () => {
  it.each([
    { layout: 'npm-global', kind: 'npm', version: '0.171.0', from: 'lib/node_modules/@openai/codex/package.json' },
    { layout: 'native', kind: 'native', version: '0.155.0', from: 'codex-0.155.0/codex-package.json' },
    { layout: 'homebrew', kind: 'homebrew', version: '0.166.0', from: 'Homebrew cask folder' },
  ])('$layout: $kind $version', async ({ layout, kind, version, from }) => {
    const detection = detectCodexInstalls(diskProbes({ shellEnv: pathOf('/nonexistent/bin', join(INSTALLS, layout, 'bin'), '/usr/bin') }));
    expect(detection.installs).toHaveLength(1);
    const [install] = detection.installs;
    expect(install).toMatchObject({ kind, version, onPath: true, path: join(INSTALLS, layout, 'bin', 'codex') });
    expect(install!.resolvedPath).not.toBeNull();
    expect(install!.versionFrom).toContain(from);
    const release = await chooseCodexRelease(detection, undefined, mustNotProbe);
    expect(release).toMatchObject({ version, basis: 'detected', rules: { release: version } });
    startedNothing();
  });

  it('the first codex on PATH wins, as in a shell', () => {
    const detection = detectCodexInstalls(diskProbes({ shellEnv: pathOf(join(INSTALLS, 'native', 'bin'), join(INSTALLS, 'npm-global', 'bin')) }));
    expect(detection.installs.map((install) => install.version)).toEqual(['0.155.0']);
  });

  it('an npm layout whose package.json is broken: the version comes from `codex --version`, run once', async () => {
    const detection = detectCodexInstalls(diskProbes({ shellEnv: pathOf(join(INSTALLS, 'npm-garbage', 'bin')) }));
    expect(detection.installs[0]).toMatchObject({ version: null, versionFrom: null });
    const probed: string[] = [];
    const release = await chooseCodexRelease(detection, undefined, (path) => {
      probed.push(path);
      return readCodexVersion(path, 5000);
    });
    expect(probed).toEqual([join(INSTALLS, 'npm-garbage', 'bin', 'codex')]);
    expect(release).toMatchObject({ version: '0.145.0', basis: 'detected', versionFrom: expect.stringContaining('--version') });
  });
});

describe('bundles outside PATH', () => {
  it('the VS Code extension bundle is found, with no version file: its --version decides', async () => {
    const detection = detectCodexInstalls(diskProbes({ homeDir: join(INSTALLS, 'home-ide'), shellEnv: pathOf('/nonexistent') }));
    expect(detection.installs).toEqual([
      expect.objectContaining({ kind: 'ide-extension', onPath: false, version: null, path: expect.stringContaining('openai.chatgpt-26.1120.1-linux-x64/bin/linux-x86_64/codex') }),
    ]);
    const release = await chooseCodexRelease(detection, undefined, async () => ({ ok: true, output: 'codex-cli 0.169.0' }));
    expect(release).toMatchObject({ version: '0.169.0', basis: 'detected', install: { kind: 'ide-extension' } });
  });

  it('the macOS desktop app in ~/Applications is found on darwin only', () => {
    const home = join(INSTALLS, 'home-app');
    expect(detectCodexInstalls(diskProbes({ platform: 'darwin', homeDir: home })).installs).toEqual([
      expect.objectContaining({ kind: 'desktop-app', path: join(home, 'Applications', 'Codex.app', 'Contents', 'Resources', 'codex') }),
    ]);
    expect(detectCodexInstalls(diskProbes({ platform: 'linux', homeDir: home })).installs).toEqual([]);
  });

  it('the CLI on PATH decides over a bundle', async () => {
    const detection = detectCodexInstalls(diskProbes({ homeDir: join(INSTALLS, 'home-ide'), shellEnv: pathOf(join(INSTALLS, 'npm-global', 'bin')) }));
    expect(detection.installs.map((install) => install.kind)).toEqual(['npm', 'ide-extension']);
    const release = await chooseCodexRelease(detection, undefined, mustNotProbe);
    expect(release).toMatchObject({ version: '0.171.0', install: { kind: 'npm' } });
    startedNothing();
  });
});

describe('no Codex, unreadable versions, the flag', () => {
  it('none anywhere: the newest known rules, and it says so', async () => {
    const release = await chooseCodexRelease(detectCodexInstalls(diskProbes({ shellEnv: pathOf('/nonexistent') })), undefined, mustNotProbe);
    expect(release).toMatchObject({ version: null, basis: 'not-found', install: null, rules: { release: NEWEST_KNOWN_RELEASE } });
  });

  it.each([
    { name: 'garbage output', answer: { ok: true as const, output: 'Welcome to codex!' }, problem: 'printed no version' },
    { name: 'a failing binary', answer: { ok: false as const, reason: 'it exited with status 1' }, problem: 'failed: it exited with status 1' },
    { name: 'a hanging binary (the probe timed out)', answer: { ok: false as const, reason: 'it did not answer within 5 s' }, problem: 'did not answer' },
  ])('$name: version unknown, the newest known rules', async ({ answer, problem }) => {
    const detection = detectCodexInstalls(diskProbes({ shellEnv: pathOf(join(INSTALLS, 'npm-garbage', 'bin')) }));
    const release = await chooseCodexRelease(detection, undefined, async () => answer);
    expect(release).toMatchObject({ version: null, basis: 'version-unknown', rules: { release: NEWEST_KNOWN_RELEASE } });
    expect(release.versionProblem).toContain(problem);
  });

  it('--codex-version wins over the detected Codex and starts nothing', async () => {
    const detection = detectCodexInstalls(diskProbes({ shellEnv: pathOf(join(INSTALLS, 'npm-garbage', 'bin')) }));
    const release = await chooseCodexRelease(detection, '0.140.0', mustNotProbe);
    expect(release).toMatchObject({ version: '0.140.0', basis: 'flag', versionFrom: '--codex-version', rules: { release: '0.140.0' } });
    expect(release.install?.path).toContain('npm-garbage');
  });

  it.each([
    ['0.172.0', 'newer-than-known', NEWEST_KNOWN_RELEASE],
    ['0.127.0', 'older-than-supported', NEWEST_KNOWN_RELEASE],
    ['0.169.0', 'flag', '0.169.0'],
  ])('named %s: basis %s, rules of %s', (version, basis, rules) => {
    expect(namedRelease(version)).toMatchObject({ basis, rules: { release: rules } });
  });
});

describe('Windows PATH rules (injected platform)', () => {
  it('splits Path on ";" and tries PATHEXT extensions in order', () => {
    const { candidates, searchedPath } = codexCandidatesOnPath('win32', { Path: 'C:\\npm;D:\\tools', PATHEXT: '.EXE;.CMD' });
    expect(searchedPath).toBe('C:\\npm;D:\\tools');
    expect(candidates).toEqual(['C:\\npm\\codex.exe', 'C:\\npm\\codex.cmd', 'D:\\tools\\codex.exe', 'D:\\tools\\codex.cmd']);
  });

  it("npm's codex.cmd shim: the version from node_modules/@openai/codex/package.json beside it", () => {
    const files: Record<string, string> = { 'C:\\Users\\me\\AppData\\Roaming\\npm\\node_modules\\@openai\\codex\\package.json': '{"name":"@openai/codex","version":"0.166.0"}' };
    const readFile = (path: string): FileRead => (path in files ? { status: 'ok', path, text: files[path]!, mode: 0o644, size: 10 } : { status: 'missing', path });
    const detection = detectCodexInstalls({
      platform: 'win32',
      shellEnv: { Path: 'C:\\Windows;C:\\Users\\me\\AppData\\Roaming\\npm', PATHEXT: '.COM;.EXE;.BAT;.CMD' },
      homeDir: 'C:\\Users\\me',
      isExecutableFile: (path) => path === 'C:\\Users\\me\\AppData\\Roaming\\npm\\codex.cmd',
      realpath: (path) => path,
      readFile,
      listDir: () => [],
    });
    expect(detection.installs).toEqual([expect.objectContaining({ kind: 'npm', version: '0.166.0', path: 'C:\\Users\\me\\AppData\\Roaming\\npm\\codex.cmd', resolvedPath: null })]);
  });
});
