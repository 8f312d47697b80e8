/**
 * Reads the steps of a GitHub Actions step list (README recipes, action.yml) without a YAML library: the
 * files are ours and use one plain shape, `- name:` then `run:` (one line or a `|` block) and `env:`.
 * Anything else under a step is kept as `with`-free data the tests do not need.
 */
export interface YamlStep {
  name: string;
  id: string | null;
  run: string;
  env: Record<string, string>;
}

/** `indent` is the column of the `- name:` dash. */
export function yamlSteps(block: string, indent: number): YamlStep[] {
  const at = ' '.repeat(indent);
  const steps: YamlStep[] = [];
  let mode: 'none' | 'run' | 'env' = 'none';
  for (const line of block.split('\n')) {
    const start = new RegExp(`^${at}- name: (.+)$`).exec(line);
    if (start) {
      steps.push({ name: start[1]!, id: null, run: '', env: {} });
      mode = 'none';
      continue;
    }
    const step = steps.at(-1);
    if (!step || !line.startsWith(`${at}  `)) {
      if (line.trim() !== '' && !line.startsWith(`${at}  `)) mode = 'none';
      continue;
    }
    const body = line.slice(indent + 2);
    const key = /^([a-z-]+): ?(.*)$/.exec(body);
    if (key && !body.startsWith(' ')) {
      mode = key[1] === 'run' && key[2] === '|' ? 'run' : key[1] === 'env' ? 'env' : 'none';
      if (key[1] === 'run' && key[2] !== '|') step.run = key[2]!;
      if (key[1] === 'id') step.id = key[2]!;
      continue;
    }
    if (mode === 'run') step.run += `${body.slice(2)}\n`;
    const variable = /^ {2}([A-Z_]+): (.+)$/.exec(body);
    if (mode === 'env' && variable) step.env[variable[1]!] = variable[2]!;
  }
  return steps;
}
