// The server's message writer: each message one write of header and body, the same bytes vscode-jsonrpc's
// own writer sends, readable by its reader, in call order.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Message, StreamMessageReader } from 'vscode-languageserver/node';
import { OneWriteMessageWriter } from '../../server/src/lsp/message-writer';

const hover = { jsonrpc: '2.0', id: 7, result: { contents: { kind: 'markdown', value: '**struct task_struct**: size 3264 · align 64 → `__u64` ✓' } } };

test('a message is one write: Content-Length in bytes (not characters), then the JSON body', async () => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await new OneWriteMessageWriter(out).write(hover as Message);
  assert.equal(chunks.length, 1);
  const body = Buffer.from(JSON.stringify(hover), 'utf8');
  assert.notEqual(body.length, JSON.stringify(hover).length, 'the body has multi-byte characters');
  assert.deepEqual(chunks[0], Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
});

test("vscode-jsonrpc's reader reads the messages back, in the order written", async () => {
  const out = new PassThrough();
  const writer = new OneWriteMessageWriter(out);
  const reader = new StreamMessageReader(out);
  const read: Message[] = [];
  const all = new Promise<void>((resolve) => reader.listen((m) => read.push(m) === 3 && resolve()));
  const sent = [hover, { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a.bpf.c', diagnostics: [] } }, { ...hover, id: 8 }];
  for (const m of sent) void writer.write(m as Message);
  await all;
  assert.deepEqual(read, sent);
  reader.dispose();
});

test('a message JSON cannot hold rejects and is reported as an error, not thrown at the caller', async () => {
  const writer = new OneWriteMessageWriter(new PassThrough());
  const errors: unknown[] = [];
  writer.onError((e) => errors.push(e));
  const circular: Record<string, unknown> = { jsonrpc: '2.0', id: 1 };
  circular.result = circular;
  await assert.rejects(writer.write(circular as unknown as Message), TypeError);
  assert.equal(errors.length, 1);
});
