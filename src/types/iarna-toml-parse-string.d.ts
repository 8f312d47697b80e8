declare module '@iarna/toml/parse-string.js' {
  import type { JsonMap } from '@iarna/toml';
  /** The string parser alone: the package's main entry also loads the stream parser (and node:stream). */
  export default function parseString(toml: string): JsonMap;
}
