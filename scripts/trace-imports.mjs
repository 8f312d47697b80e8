// Preloaded with `node --import`: records every module URL the program resolves into the file named by
// CODEX_BEDROCK_TRACE_IMPORTS, so tests and the benchmark can prove which runs load the AWS SDK.
import { register } from 'node:module';

const target = process.env.CODEX_BEDROCK_TRACE_IMPORTS;
if (target) {
  const hook = `
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      appendFileSync(${JSON.stringify(target)}, result.url + '\\n');
      return result;
    }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);
}
