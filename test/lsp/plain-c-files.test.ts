// C files not named .bpf.c, through the real server over stdio: the editor sends every C file, and the
// server answers only those that are eBPF programs (many projects name theirs prog.c), never the
// user-space loader beside them, where clangd answers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DidChangeTextDocumentNotification, HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { cliSkip } from '../support/cli';
import { LspSession, startLsp } from '../support/lsp-client';

const PROGRAM = [
  '#include "vmlinux.h"',
  '#include <bpf/bpf_helpers.h>',
  '',
  'SEC("kprobee/do_unlinkat")',
  'int probe(struct task_struct *task) { return 0; }',
  '',
  'char LICENSE[] SEC("license") = "GPL";',
  '',
].join('\n');

// A libbpf loader: it includes libbpf's user-space header and names kernel structs in its own code.
const LOADER = [
  '#include <bpf/libbpf.h>',
  '#include <stdio.h>',
  '',
  'struct task_struct;',
  'int main(void) { struct task_struct *task = 0; printf("%p\\n", (void *)task); return 0; }',
  '',
].join('\n');

/** The line and column of the first `word` in `text`. */
function at(text: string, word: string): { line: number; character: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(word));
  return { line, character: lines[line].indexOf(word) + 1 };
}

describe('plain .c files in the language server', { skip: cliSkip }, () => {
  let lsp: LspSession;
  before(async () => {
    lsp = await startLsp({});
  });
  after(async () => lsp.close());

  test('an eBPF program named prog.c gets diagnostics and hovers as a .bpf.c does', async () => {
    const uri = await lsp.open('/tmp/ebpf-plain-c/prog.c', PROGRAM);
    const p = await lsp.waitForDiagnostics(uri, 60_000);
    assert.ok(p.diagnostics.some((d) => /kprobee/.test(String(d.message))), `the misspelt section is reported (got ${p.diagnostics.map((d) => d.message)})`);
    const h = await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at(PROGRAM, 'task_struct') });
    assert.match(h ? (h.contents as MarkupContent).value : '', /size: \d+/, 'the kernel layout');
  });

  test('a user-space loader gets nothing: no diagnostics, no hover', async () => {
    const uri = await lsp.open('/tmp/ebpf-plain-c/loader.c', LOADER);
    const p = await lsp.waitForDiagnostics(uri, 60_000);
    assert.deepEqual(p.diagnostics, []);
    assert.equal(await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at(LOADER, 'task_struct') }), null);
  });

  test('a C file that becomes an eBPF program while edited starts getting answers', async () => {
    const uri = await lsp.open('/tmp/ebpf-plain-c/grows.c', LOADER);
    await lsp.waitForDiagnostics(uri, 60_000);
    lsp.diagnostics.delete(uri);
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: PROGRAM }] });
    for (;;) {
      const p = await lsp.waitForDiagnostics(uri, 60_000);
      if (p.diagnostics.some((d) => /kprobee/.test(String(d.message)))) break;
      lsp.diagnostics.delete(uri);
    }
  });
});
