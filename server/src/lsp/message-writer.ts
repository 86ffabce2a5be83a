// LSP messages out, each as one write of header and body. vscode-jsonrpc's stream writer queues every
// message through setImmediate, writes the header, waits for its callback, then writes the body: two
// system calls and two wake-ups of the client per answer. The bytes sent are the same.
import { Writable } from 'node:stream';
import { AbstractMessageWriter, Message, MessageWriter } from 'vscode-languageserver/node';

export class OneWriteMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errors = 0;

  constructor(private readonly out: Writable) {
    super();
    out.on('error', (e) => this.fireError(e));
    out.on('close', () => this.fireClose());
  }

  /**
   * Written in call order (the stream keeps it); a string write needs no intermediate Buffer. Failures,
   * a message JSON cannot hold included, reject and are reported, never thrown at the caller.
   */
  write(msg: Message): Promise<void> {
    return new Promise((resolve, reject) => {
      const failed = (e: Error) => {
        this.fireError(e, msg, ++this.errors);
        reject(e);
      };
      let body: string;
      try {
        body = JSON.stringify(msg);
      } catch (e) {
        return failed(e as Error);
      }
      this.out.write(`Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`, 'utf8', (e) => (e ? failed(e) : resolve()));
    });
  }

  end(): void {
    this.out.end();
  }
}
