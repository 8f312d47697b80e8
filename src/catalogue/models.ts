/**
 * Known Bedrock model ids for Codex (SPEC section 6, plus openai.gpt-6-sol, which `codex debug models` of
 * Codex 0.169.0 lists and SPEC does not, and the ids 0.171.0 added), each with where it was seen. Which of
 * them a given Codex release has in its own catalogue, and its default, is in src/codex/rules.ts. Availability differs by
 * region and changes over time: this list catches typos offline; the live bedrock.responses call is the
 * authority.
 */
export type ModelStatus = 'current' | 'retired';

export interface CatalogueModel {
  id: string;
  status: ModelStatus;
  seenIn: string;
  /**
   * The setup guide names this id, and no Codex catalogue is needed for it to pass (openai.gpt-5.4, which
   * later releases send with fallback metadata). Other current ids are judged against the release's catalogue.
   */
  setupGuideOnly?: true;
  /** For a retired id: the id to use instead, if there is one. */
  replacedBy?: string;
}

export const MODEL_CATALOGUE: readonly CatalogueModel[] = [
  { id: 'openai.gpt-5.5', status: 'current', seenIn: 'Codex-on-Bedrock setup guide and Codex 0.169.0 Bedrock model catalogue' },
  { id: 'openai.gpt-5.4', status: 'current', setupGuideOnly: true, seenIn: 'Codex-on-Bedrock setup guide (not in Codex 0.169.0’s catalogue: Codex warns it has no metadata and uses fallback metadata)' },
  { id: 'openai.gpt-5.6-sol', status: 'current', seenIn: 'Codex 0.169.0 Bedrock model catalogue' },
  { id: 'openai.gpt-5.6-terra', status: 'current', seenIn: 'Codex 0.169.0 Bedrock model catalogue' },
  { id: 'openai.gpt-5.6-luna', status: 'current', seenIn: 'Codex 0.169.0 Bedrock model catalogue' },
  { id: 'openai.gpt-6.1-sol', status: 'current', seenIn: 'Codex 0.169.0 Bedrock model catalogue (its default)' },
  { id: 'openai.gpt-6.1-terra', status: 'current', seenIn: 'Codex 0.169.0 Bedrock model catalogue' },
  { id: 'openai.gpt-6-astra', status: 'current', seenIn: 'Codex 0.169.0 Bedrock model catalogue' },
  { id: 'openai.gpt-6-sol', status: 'current', seenIn: 'Codex 0.169.0 Bedrock model catalogue (codex debug models)' },
  { id: 'openai.gpt-6-luna', status: 'current', seenIn: 'Codex 0.169.0 Bedrock model catalogue' },
  { id: 'openai.gpt-6.2-sol', status: 'current', seenIn: 'Codex 0.171.0 Bedrock model catalogue (its default)' },
  { id: 'openai.gpt-6.2-astra', status: 'current', seenIn: 'Codex 0.171.0 Bedrock model catalogue' },
  { id: 'openai.gpt-oss-120b', status: 'retired', seenIn: 'dropped from Codex’s Bedrock catalogue' },
  { id: 'openai.gpt-oss-20b', status: 'retired', seenIn: 'dropped from Codex’s Bedrock catalogue' },
  { id: 'openai.gpt-5.4-cmb', status: 'retired', seenIn: 'old id of gpt-5.4', replacedBy: 'openai.gpt-5.4' },
];

export const CURRENT_MODEL_IDS: readonly string[] = MODEL_CATALOGUE.filter((m) => m.status === 'current').map((m) => m.id);
