// The bench's LSP client: JSON-RPC over a server's stdio with nothing between the pipe and the timer.
// vscode-jsonrpc's client queues every message it sends and receives through setImmediate and writes
// header and body apart: about 0.2 ms per round trip here, as much as our server's whole hover. The bench
// measures servers, so both are driven through this, and the figures are the servers' and the pipes'.
import { Readable, Writable } from 'node:stream';

interface Response {
  id: number;
  result?: unknown;
  error?: { code: number; message: string };
}

export class JsonRpcPipe {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly out: Writable, input: Readable) {
    input.on('data', (chunk: Buffer) => this.receive(chunk));
    input.on('close', () => this.failAll(new Error('the server closed its output')));
  }

  request<T>(method: string, params?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params?: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private send(message: object): void {
    const body = JSON.stringify(message);
    this.out.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    for (;;) {
      const headerEnd = this.buffered.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = /Content-Length: *(\d+)/i.exec(this.buffered.subarray(0, headerEnd).toString('latin1'));
      if (!length) throw new Error(`an LSP header without Content-Length: ${this.buffered.subarray(0, headerEnd).toString('latin1')}`);
      const end = headerEnd + 4 + Number(length[1]);
      if (this.buffered.length < end) return;
      const message = JSON.parse(this.buffered.subarray(headerEnd + 4, end).toString('utf8'));
      this.buffered = this.buffered.subarray(end);
      this.dispatch(message);
    }
  }

  /** Answers to our requests settle them; the server's own requests get "method not found", as vscode-jsonrpc answers unhandled ones. */
  private dispatch(message: Response & { method?: string }): void {
    if (message.method !== undefined) {
      if (message.id !== undefined) this.send({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: `Unhandled method ${message.method}` } });
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${message.error.code}: ${message.error.message}`));
    else waiter.resolve(message.result);
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
