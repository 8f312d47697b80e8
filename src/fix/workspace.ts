import type { DirectoryState, FileRead, FileReader } from '../io/files.js';
import type { FileChange } from './transaction.js';

interface Draft {
  /** The text on disk when planning started (null: the file does not exist). */
  before: string | null;
  text: string;
  mode: number | null;
  newMode: number | null;
}

/**
 * The planned state of the files fix would change, kept in memory. Planning reads and edits it, and the
 * resolver can run over it (`reader`, `directoryState`) to predict what the doctor will say after the fix,
 * so a fix that would not clear its finding, or would hide the next one, is known before anything is written.
 */
export class Workspace {
  private readonly drafts = new Map<string, Draft>();
  private readonly createdFolders = new Set<string>();

  constructor(private readonly disk: FileReader) {}

  /** Current text of a file (planned or on disk); null when it does not exist, undefined when it cannot be read. */
  text(path: string): string | null | undefined {
    const draft = this.drafts.get(path);
    if (draft) return draft.text;
    const read = this.disk(path);
    return read.status === 'ok' ? read.text : read.status === 'missing' ? null : undefined;
  }

  private draft(path: string): Draft | undefined {
    const existing = this.drafts.get(path);
    if (existing) return existing;
    const read = this.disk(path);
    if (read.status === 'unreadable') return undefined;
    const draft: Draft = read.status === 'ok' ? { before: read.text, text: read.text, mode: read.mode & 0o7777, newMode: null } : { before: null, text: '', mode: null, newMode: null };
    this.drafts.set(path, draft);
    return draft;
  }

  write(path: string, text: string): boolean {
    const draft = this.draft(path);
    if (!draft) return false;
    draft.text = text;
    return true;
  }

  chmod(path: string, mode: number): boolean {
    const draft = this.draft(path);
    if (!draft || draft.before === null) return false;
    draft.newMode = mode;
    return true;
  }

  createFolder(path: string): void {
    this.createdFolders.add(path);
  }

  /** A copy to try a change on without committing to it. */
  fork(): Workspace {
    const copy = new Workspace(this.disk);
    this.drafts.forEach((draft, path) => copy.drafts.set(path, { ...draft }));
    this.createdFolders.forEach((folder) => copy.createdFolders.add(folder));
    return copy;
  }

  /** Takes over the state of a fork that proved worth keeping. */
  adopt(fork: Workspace): void {
    this.drafts.clear();
    fork.drafts.forEach((draft, path) => this.drafts.set(path, { ...draft }));
    fork.createdFolders.forEach((folder) => this.createdFolders.add(folder));
  }

  reader(): FileReader {
    return (path): FileRead => {
      const draft = this.drafts.get(path);
      if (!draft) return this.disk(path);
      if (draft.before === null && draft.text === '') return { status: 'missing', path };
      return { status: 'ok', path, text: draft.text, mode: draft.newMode ?? draft.mode ?? 0o600, size: Buffer.byteLength(draft.text) };
    };
  }

  directoryState(disk: (path: string) => DirectoryState): (path: string) => DirectoryState {
    return (path) => (this.createdFolders.has(path) ? 'directory' : disk(path));
  }

  /** The changes to write, one per file that differs from the disk. */
  changes(): FileChange[] {
    return [...this.drafts]
      .filter(([, draft]) => (draft.before === null ? draft.text !== '' : draft.text !== draft.before || (draft.newMode !== null && draft.newMode !== draft.mode)))
      .map(([path, draft]) => ({ path, before: draft.before, after: draft.text, newMode: draft.newMode !== null && draft.newMode !== draft.mode ? draft.newMode : null }));
  }
}
