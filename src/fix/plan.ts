import { join } from 'node:path';
import type { CheckId, CheckResult } from '../checks/types.js';
import { isTable, valueAt, type ConfigLayer } from '../resolve/config.js';
import { BEDROCK_PROVIDER_ID, PROVIDER_TABLE, type EffectiveSetup } from '../resolve/setup.js';
import { lineOfKey, scanToml } from '../resolve/tomlLines.js';
import { extractTable, holdsTable, insertInTable, insertTopLevel, removeKeyLine, replaceStringValue, verifyEdit, type EditResult, type ValueChange } from './tomlEdit.js';
import { attempt, type Attempt, type PlanContext, type RoundPlan } from './attempt.js';
import { planDotenvMode, planDotenvOverrides } from './planDotenv.js';
import type { Workspace } from './workspace.js';

export type { PlannedFix, Refusal, RegionQuestion } from './attempt.js';

/** A layer fix may edit: a file of the user's (config.toml or NAME.config.toml), never -c or the managed config. */
function editableLayer(layer: ConfigLayer | undefined): layer is ConfigLayer & { name: 'user' | 'profile' } {
  return layer !== undefined && (layer.name === 'user' || layer.name === 'profile') && layer.status === 'ok';
}

function layerOfOrigin(setup: EffectiveSetup, origin: { kind: string; layer?: string }): ConfigLayer | undefined {
  return origin.kind === 'config' ? setup.layers.find((layer) => layer.name === origin.layer) : undefined;
}

function whyNotEditable(origin: { kind: string; layer?: string; flag?: string }): string {
  if (origin.kind === 'cli-override') return `it comes from ${origin.flag} on the command line; change the flag instead`;
  if (origin.kind === 'config' && origin.layer === 'managed') return 'it comes from the managed config, which only its administrator changes';
  return 'it does not come from a file fix can edit';
}

/** Edits a TOML file of the workspace; null when done, else why not (the workspace is then unchanged). */
function editToml(workspace: Workspace, path: string, edit: (text: string) => EditResult, changes: readonly ValueChange[]): string | null {
  const text = workspace.text(path);
  if (text === undefined) return `${path} cannot be read`;
  const edited = edit(text ?? '');
  if (!edited.ok) return edited.reason;
  const wrong = verifyEdit(text ?? '', edited.text, changes);
  if (wrong) return wrong;
  workspace.write(path, edited.text);
  return null;
}

const fileKeyPath = (layer: ConfigLayer, path: readonly string[]) => [...(layer.tablePath ?? []), ...path];

function keyLine(workspace: Workspace, path: string, keyPath: readonly string[]): number | undefined {
  const text = workspace.text(path);
  return typeof text === 'string' ? lineOfKey(scanToml(text), keyPath) : undefined;
}

function userLayer(setup: EffectiveSetup): ConfigLayer {
  return setup.layers.find((layer) => layer.name === 'user')!;
}

/** Moves [profiles.NAME] out of `layer`'s file into NAME.config.toml (Codex's profiles since 0.134). */
function moveLegacyTable(workspace: Workspace, setup: EffectiveSetup, layer: ConfigLayer, name: string): Attempt {
  const table = valueAt(layer.table, ['profiles', name]);
  if (!isTable(table)) return { files: [] };
  const target = join(setup.codexHome.path, `${name}.config.toml`);
  if (workspace.text(target) !== null) return `${target} already exists: merge [profiles.${name}] into it by hand`;
  const text = workspace.text(layer.path);
  if (typeof text !== 'string') return `${layer.path} cannot be read`;
  const cut = extractTable(text, ['profiles', name]);
  if (!cut.ok) return cut.reason;
  const wrong = verifyEdit(text, cut.remaining, [{ path: ['profiles', name], remove: true }]) ?? holdsTable(cut.extracted, table);
  if (wrong) return wrong;
  workspace.write(layer.path, cut.remaining);
  workspace.write(target, cut.extracted);
  return { files: [layer.path, target] };
}

function planProvider(context: PlanContext, plan: RoundPlan, result: CheckResult): void {
  const { setup } = context;
  const finding = result.facts['finding'];
  const user = userLayer(setup);
  switch (finding) {
    case 'codex-home-missing':
      attempt(context, plan, result.id, `create the Codex home ${setup.codexHome.path}`, (workspace) => {
        workspace.createFolder(setup.codexHome.path);
        return { files: [] };
      });
      return;
    case 'provider-missing':
      attempt(context, plan, result.id, `${user.status === 'missing' ? 'create' : 'add to'} ${user.path}: model_provider = "amazon-bedrock" (above the first table)`, (workspace) => {
        const failed = editToml(workspace, user.path, (text) => insertTopLevel(text, 'model_provider', BEDROCK_PROVIDER_ID), [{ path: ['model_provider'], value: BEDROCK_PROVIDER_ID }]);
        return failed ?? { files: [user.path] };
      });
      return;
    case 'provider-misplaced': {
      for (const layer of setup.layers.filter(editableLayer)) {
        const text = context.workspace.text(layer.path);
        if (typeof text !== 'string') continue;
        const misplaced = scanToml(text).keys.find((key) => key.path.length > 1 && key.path.at(-1) === 'model_provider' && key.header);
        if (!misplaced) continue;
        const description = `move model_provider from under ${misplaced.header!.text} (${layer.path}:${misplaced.line}) to the top of the file`;
        attempt(context, plan, result.id, description, (workspace) => {
          if (valueAt(layer.table, misplaced.path) !== BEDROCK_PROVIDER_ID) return `its value is not "${BEDROCK_PROVIDER_ID}"`;
          const failed = editToml(
            workspace,
            layer.path,
            (current) => {
              const removed = removeKeyLine(current, misplaced.line);
              return removed.ok ? insertTopLevel(removed.text, 'model_provider', BEDROCK_PROVIDER_ID) : removed;
            },
            [{ path: misplaced.path, remove: true }, { path: fileKeyPath(layer, ['model_provider']), value: BEDROCK_PROVIDER_ID }],
          );
          return failed ?? { files: [layer.path] };
        });
        return;
      }
      return;
    }
    case 'provider-unknown': {
      const provider = setup.provider;
      if (!provider || result.facts['suggestion'] !== BEDROCK_PROVIDER_ID) return;
      const layer = layerOfOrigin(setup, provider.origin);
      attempt(context, plan, result.id, `set model_provider = "amazon-bedrock" in place of ${JSON.stringify(provider.value)}`, (workspace) => {
        if (!editableLayer(layer)) return whyNotEditable(provider.origin);
        const line = keyLine(workspace, layer.path, fileKeyPath(layer, ['model_provider']));
        if (!line) return 'its line was not found';
        const failed = editToml(workspace, layer.path, (text) => replaceStringValue(text, line, BEDROCK_PROVIDER_ID), [{ path: fileKeyPath(layer, ['model_provider']), value: BEDROCK_PROVIDER_ID }]);
        return failed ?? { files: [layer.path] };
      });
      return;
    }
    case 'legacy-profile': {
      const name = String(result.facts['profile']);
      const layer = setup.layers.find((candidate) => candidate.status === 'ok' && typeof candidate.table['profile'] === 'string');
      const hasTable = layer !== undefined && isTable(valueAt(layer.table, ['profiles', name]));
      const description = `remove the legacy \`profile = "${name}"\` line${hasTable ? ` and move [profiles.${name}] into ${name}.config.toml` : ''} (use it with codex --profile ${name})`;
      attempt(context, plan, result.id, description, (workspace) => {
        if (!editableLayer(layer)) return whyNotEditable({ kind: 'config', layer: layer?.name ?? 'user' });
        const line = keyLine(workspace, layer.path, fileKeyPath(layer, ['profile']));
        if (!line) return 'its line was not found';
        const failed = editToml(workspace, layer.path, (text) => removeKeyLine(text, line), [{ path: fileKeyPath(layer, ['profile']), remove: true }]);
        if (failed) return failed;
        const moved = layer.name === 'user' ? moveLegacyTable(workspace, setup, layer, name) : { files: [] };
        return typeof moved === 'string' ? moved : { files: [...new Set([layer.path, ...moved.files])] };
      });
      return;
    }
    case 'legacy-profile-table': {
      const name = String(result.facts['profile']);
      attempt(context, plan, result.id, `move [profiles.${name}] from ${user.path} into ${name}.config.toml`, (workspace) => moveLegacyTable(workspace, setup, user, name));
      return;
    }
    case 'provider-keys-refused': {
      const keys = JSON.parse(String(result.facts['keys'])) as string[][];
      attempt(context, plan, result.id, `remove the provider keys Codex ${setup.codex.rules.release} refuses: ${keys.map((key) => key.join('.')).join(', ')}`, (workspace) => {
        const files = new Set<string>();
        for (const key of keys) {
          for (const layer of setup.layers.filter((candidate) => candidate.status === 'ok' && valueAt(candidate.table, [...PROVIDER_TABLE, ...key]) !== undefined)) {
            if (!editableLayer(layer)) return `${key.join('.')}: ${whyNotEditable({ kind: layer.name === 'cli' ? 'cli-override' : 'config', layer: layer.name, flag: '-c' })}`;
            const keyPath = fileKeyPath(layer, [...PROVIDER_TABLE, ...key]);
            const line = keyLine(workspace, layer.path, keyPath);
            if (!line) return `${key.join('.')}: its line was not found`;
            const failed = editToml(workspace, layer.path, (text) => removeKeyLine(text, line), [{ path: keyPath, remove: true }]);
            if (failed) return `${key.join('.')}: ${failed}`;
            files.add(layer.path);
          }
        }
        return { files: [...files] };
      });
      return;
    }
    default:
      return;
  }
}

/** A region fix takes a value the doctor is sure of, or the user's choice; never a guess. */
function chosenRegion(context: PlanContext, result: CheckResult): { value: string; why: string } | null {
  const { setup } = context;
  const allowList = setup.codex.rules.behaviour.regionAllowList;
  const suggestion = result.facts['suggestion'];
  if (typeof suggestion === 'string' && allowList.includes(suggestion)) return { value: suggestion, why: `the doctor's correction of ${JSON.stringify(setup.region.effective?.value)}` };
  const profileName = setup.auth.awsProfile?.value ?? setup.env.nonEmpty('AWS_PROFILE')?.value ?? 'default';
  const profileRegion = setup.awsConfig.profiles.get(profileName)?.values.get('region')?.value.trim();
  if (profileRegion && allowList.includes(profileRegion)) return { value: profileRegion, why: `the region of AWS profile ${profileName} in ${setup.awsConfig.path}` };
  if (context.regionChoice && allowList.includes(context.regionChoice)) return { value: context.regionChoice, why: 'your choice' };
  return null;
}

function planRegion(context: PlanContext, plan: RoundPlan, result: CheckResult): void {
  const { setup } = context;
  if (!['region-missing', 'region-blank', 'region-malformed', 'region-not-allowed'].includes(String(result.facts['finding']))) return;
  if (setup.region.rule === 'stored-key') {
    plan.refusals.push({ check: result.id, description: 'set the region', reason: 'a key stored by codex login uses only the region stored with it: sign in again in Codex and choose the region' });
    return;
  }
  const region = chosenRegion(context, result);
  if (!region) {
    plan.regionQuestion = { why: result.summary, choices: setup.codex.rules.behaviour.regionAllowList };
    return;
  }
  const regionPath = [...PROVIDER_TABLE, 'aws', 'region'];
  const setting = [...setup.layers].reverse().find((layer) => layer.status === 'ok' && valueAt(layer.table, regionPath) !== undefined);
  const layer = setting ?? userLayer(setup);
  attempt(context, plan, result.id, `set [model_providers.amazon-bedrock.aws] region = "${region.value}" in ${layer.path} (${region.why})`, (workspace) => {
    if (!editableLayer(layer)) return whyNotEditable({ kind: layer.name === 'cli' ? 'cli-override' : 'config', layer: layer.name, flag: '-c model_providers.amazon-bedrock.aws.region' });
    const keyPath = fileKeyPath(layer, regionPath);
    const line = setting ? keyLine(workspace, layer.path, keyPath) : undefined;
    if (setting && !line) return 'the line of the region setting was not found (an inline table?)';
    const edit = line ? (text: string) => replaceStringValue(text, line, region.value) : (text: string) => insertInTable(text, keyPath.slice(0, -1), 'region', region.value);
    return editToml(workspace, layer.path, edit, [{ path: keyPath, value: region.value }]) ?? { files: [layer.path] };
  });
}

function planModel(context: PlanContext, plan: RoundPlan, result: CheckResult): void {
  const suggestion = result.facts['suggestion'];
  if (typeof suggestion !== 'string') return;
  const { setup } = context;
  const origin = setup.model.origin;
  const layer = layerOfOrigin(setup, origin);
  attempt(context, plan, result.id, `set model = "${suggestion}" in place of ${JSON.stringify(setup.model.value)}`, (workspace) => {
    if (!editableLayer(layer)) return origin.kind === 'cli-override' ? `the model comes from ${origin.flag}; pass ${suggestion} there instead` : whyNotEditable(origin);
    const keyPath = fileKeyPath(layer, ['model']);
    const line = keyLine(workspace, layer.path, keyPath);
    if (!line) return 'its line was not found';
    return editToml(workspace, layer.path, (text) => replaceStringValue(text, line, suggestion), [{ path: keyPath, value: suggestion }]) ?? { files: [layer.path] };
  });
}

/** One round of planning over one doctor run (real or predicted): the fixes for the findings it shows. */
export async function planRound(context: PlanContext): Promise<RoundPlan> {
  const plan: RoundPlan = { fixes: [], refusals: [], regionQuestion: null };
  for (const result of context.results) {
    if (result.status === 'fail' && result.id === 'config.provider') planProvider(context, plan, result);
    if (result.status === 'fail' && result.id === 'region.set') planRegion(context, plan, result);
    if (result.status === 'fail' && result.id === 'model.id') planModel(context, plan, result);
    if (result.status === 'warn' && result.id === 'env.dotenv') planDotenvMode(context, plan, result);
  }
  if (plan.fixes.length === 0) await planDotenvOverrides(context, plan);
  return plan;
}

/** Bedrock API keys are created in the console; fix never writes one. */
export const BEDROCK_API_KEYS_CONSOLE = 'https://console.aws.amazon.com/bedrock/home#/api-keys';

/** What the user must do for a finding fix does not change: the exact command where one exists. */
export function instructionFor(result: CheckResult): string {
  if (result.id === 'auth.token' || result.id === 'auth.identity') {
    if (result.facts['credentialSource'] === 'sso') return `Run: aws sso login${result.facts['profile'] ? ` --profile ${String(result.facts['profile'])}` : ''}`;
    if (result.facts['authMode'] === 'bearer') {
      return `Create a Bedrock API key in the console (${BEDROCK_API_KEYS_CONSOLE}) and set AWS_BEARER_TOKEN_BEDROCK to it yourself; codex-bedrock fix never writes secrets.${result.remediation ? `\n${result.remediation}` : ''}`;
    }
  }
  return result.remediation ?? result.summary;
}
