import { CURRENT_MODEL_IDS, MODEL_CATALOGUE } from '../catalogue/models.js';
import { describeOrigin } from '../resolve/origin.js';
import { closest } from './suggest.js';
import type { Check, CheckOutcome } from './types.js';

const DOCS = 'https://docs.aws.amazon.com/bedrock/latest/userguide/bedrock-mantle.html';

/** Cross-region inference profile prefixes: valid on bedrock-runtime, rejected by Mantle. */
const INFERENCE_PROFILE_PREFIX = /^(us|eu|apac|jp|au|ca|global|us-gov)\./;
/** bedrock-runtime model versions such as `-1:0` or `-v1:0`. */
const RUNTIME_VERSION_SUFFIX = /-v?\d+:\d+$/;

interface NearMiss {
  suggestion: string;
  why: string;
}

/** Why an id that is not in the catalogue is probably a typo of one that is; checked in this order. */
function nearMiss(id: string): NearMiss | undefined {
  const inCatalogue = (candidate: string) => MODEL_CATALOGUE.some((m) => m.id === candidate);
  const trimmed = id.trim();
  if (trimmed !== id && inCatalogue(trimmed)) return { suggestion: trimmed, why: 'it has surrounding spaces, and Codex sends the id unchanged' };
  const lower = trimmed.toLowerCase();
  if (lower !== trimmed && inCatalogue(lower)) return { suggestion: lower, why: 'model ids are case-sensitive' };
  if (INFERENCE_PROFILE_PREFIX.test(lower)) {
    const bare = lower.replace(INFERENCE_PROFILE_PREFIX, '');
    const fixed = nearMiss(bare)?.suggestion ?? bare;
    return { suggestion: fixed, why: `"${trimmed.split('.')[0]}." is a cross-region inference profile prefix of bedrock-runtime; Mantle rejects it` };
  }
  if (RUNTIME_VERSION_SUFFIX.test(lower)) {
    const bare = lower.replace(RUNTIME_VERSION_SUFFIX, '');
    return { suggestion: nearMiss(bare)?.suggestion ?? bare, why: 'that is the bedrock-runtime form of the id (with a version suffix); Mantle uses the id without it' };
  }
  if (!lower.startsWith('openai.') && inCatalogue(`openai.${lower}`)) {
    return { suggestion: `openai.${lower}`, why: 'Bedrock ids carry the "openai." prefix' };
  }
  const retired = MODEL_CATALOGUE.find((m) => m.id === lower && m.replacedBy);
  if (retired?.replacedBy) return { suggestion: retired.replacedBy, why: `${retired.id} is retired (${retired.seenIn})` };
  return undefined;
}

export const modelId: Check = {
  id: 'model.id',
  title: 'Model id is a Bedrock model id',
  requires: ['config.provider'],
  network: false,
  run({ setup }): CheckOutcome {
    const { value: id, origin } = setup.model;
    const source = describeOrigin(origin);
    const details = [`model from ${source}`];
    const known = MODEL_CATALOGUE.find((m) => m.id === id);
    const release = setup.codex.rules.release;
    const releaseCatalogue = setup.codex.rules.behaviour.catalogue;
    if (known?.status === 'current') {
      if (releaseCatalogue.includes(id) || known.setupGuideOnly) {
        return { status: 'pass', code: 'model.ok', summary: `${id} (${source})`, details: [...details, `seen in: ${known.seenIn}`], facts: { model: id } };
      }
      // An id a later Codex release added: this release sends it unchanged, with fallback model metadata.
      return {
        status: 'warn',
        code: 'model.not-in-release-catalogue',
        summary: `${id} (${source}) is not in the model catalogue of Codex ${release} (${known.seenIn}): this Codex sends it unchanged but with fallback model metadata`,
        details: [...details, `Codex ${release} catalogue: ${releaseCatalogue.join(', ')}`],
        remediation: `Update Codex (npm install -g @openai/codex@latest) to a release that knows ${id}, or use one this release knows, e.g. ${setup.codex.rules.behaviour.defaultModel}.`,
        docs: DOCS,
        facts: { model: id },
      };
    }
    const miss = nearMiss(id);
    if (miss) {
      const retired = MODEL_CATALOGUE.find((m) => m.id === miss.suggestion && m.status === 'retired');
      const retiredNote = retired ? ` (note: ${retired.id} was ${retired.seenIn}; current ids: ${CURRENT_MODEL_IDS.slice(0, 3).join(', ')})` : '';
      return {
        status: 'fail',
        code: 'model.near-miss',
        summary: `Model ${JSON.stringify(id)} (${source}) will be rejected: ${miss.why}. Did you mean "${miss.suggestion}"?${retiredNote}`,
        details,
        remediation: `Set model = "${miss.suggestion}" at ${source}.`,
        docs: DOCS,
        facts: { suggestion: miss.suggestion },
      };
    }
    if (known?.status === 'retired') {
      return {
        status: 'warn',
        code: 'model.retired',
        summary: `${id} (${source}) was ${known.seenIn}; the region may no longer serve it`,
        details,
        remediation: `Prefer a current id such as ${CURRENT_MODEL_IDS.slice(0, 3).join(', ')}; bedrock.responses shows whether the region still serves ${id}.`,
        docs: DOCS,
      };
    }
    const similar = closest(id, CURRENT_MODEL_IDS, 2);
    if (/^openai\.[a-z0-9][a-z0-9.-]*$/.test(id)) {
      return {
        status: 'warn',
        code: 'model.not-in-catalogue',
        summary: `${id} (${source}) is not in the doctor's model catalogue${similar[0] ? `; did you mean "${similar[0]}"?` : ''}`,
        details: [...details, `known ids: ${CURRENT_MODEL_IDS.join(', ')}`],
        remediation: 'The catalogue may be older than the service: bedrock.responses settles whether the region serves this id.',
        docs: DOCS,
      };
    }
    return {
      status: 'fail',
      code: 'model.unknown',
      summary: `${JSON.stringify(id)} (${source}) is not a Bedrock model id Codex can use${similar[0] ? `; did you mean "${similar[0]}"?` : ''}`,
      details: [...details, `Codex on Bedrock uses the OpenAI models Mantle serves, with ids like ${CURRENT_MODEL_IDS.slice(0, 3).join(', ')}`],
      remediation: `Set model = "${similar[0] ?? 'openai.gpt-5.5'}" at ${source}.`,
      docs: DOCS,
    };
  },
};
