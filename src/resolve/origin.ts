/**
 * Where a value of the effective setup came from. Every message that names a value also names its origin,
 * so a person knows which file and line (or variable, or flag) to change.
 */
export type ConfigLayerName = 'user' | 'profile' | 'project' | 'cli' | 'managed';

export type Origin =
  | { kind: 'config'; layer: ConfigLayerName; path: string; line?: number }
  | { kind: 'cli-override'; flag: string }
  | { kind: 'env'; name: string; from: 'shell' | 'dotenv'; path?: string; line?: number }
  | { kind: 'aws-config'; path: string; profile: string; line?: number }
  | { kind: 'auth-json'; path: string }
  | { kind: 'default'; note: string };

export interface Sourced<T> {
  value: T;
  origin: Origin;
}

export function describeOrigin(origin: Origin): string {
  switch (origin.kind) {
    case 'config':
      return origin.line ? `${origin.path}:${origin.line}` : origin.path;
    case 'cli-override':
      return origin.flag;
    case 'env':
      return origin.from === 'dotenv'
        ? `${origin.name} in ${origin.path ?? '.env'}${origin.line ? `:${origin.line}` : ''}`
        : `${origin.name} (shell environment)`;
    case 'aws-config':
      return `profile ${origin.profile} in ${origin.path}${origin.line ? `:${origin.line}` : ''}`;
    case 'auth-json':
      return `${origin.path} (stored by codex login)`;
    case 'default':
      return origin.note;
  }
}
