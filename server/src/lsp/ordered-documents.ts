// Open documents whose notifications are applied in order per URI, although each update waits for
// tree-sitter (it loads asynchronously), and whose readers wait for the notifications sent before them,
// so a hover sent right after didOpen sees the file. C documents and Python BCC tools both keep theirs so.
export class OrderedDocuments<T> {
  protected readonly docs = new Map<string, T>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(protected readonly log: (msg: string) => void) {}

  /** The document once every notification sent before this call is applied. */
  async get(uri: string): Promise<T | undefined> {
    await this.pending.get(uri);
    return this.docs.get(uri);
  }

  /** The document as it is now, if still open: whether a scheduled job is about a stale version. */
  current(uri: string): T | undefined {
    return this.docs.get(uri);
  }

  all(): T[] {
    return [...this.docs.values()];
  }

  /** Runs `work` after every earlier notification of `uri`; a failure is logged and does not stop later ones. */
  protected inOrder(uri: string, work: () => Promise<void>): void {
    const next = (this.pending.get(uri) ?? Promise.resolve()).then(work).catch((e) => this.log(`Error while updating ${uri}: ${(e as Error).stack}`));
    this.pending.set(uri, next);
  }
}
