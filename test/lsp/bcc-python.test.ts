// BCC tools in Python through the real server over stdio: the C a tool passes to BPF(text=...) gets the
// diagnostics C gets, placed on the .py; other Python files get nothing; a quick fix edits the Python.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  CodeAction, CodeActionRequest, DidChangeTextDocumentNotification, DidOpenTextDocumentNotification, HoverRequest, PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { cliSkip } from '../support/cli';
import { LspSession, startLsp } from '../support/lsp-client';
import { repoRoot } from '../support/kernels';

const toolPath = join(repoRoot, 'test/fixtures/bcc/hello.py');
const tool = readFileSync(toolPath, 'utf8');

describe('BCC in Python files', { skip: cliSkip }, () => {
  let lsp: LspSession;
  const openPython = (path: string, text: string) => {
    const uri = pathToFileURL(path).toString();
    void lsp.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text } });
    return uri;
  };
  /** The next diagnostics published for `uri` that pass `when`. */
  const nextDiagnostics = async (uri: string, when: (p: PublishDiagnosticsParams) => boolean) => {
    for (;;) {
      const p = await lsp.waitForDiagnostics(uri, 60_000);
      if (when(p)) return p;
      lsp.diagnostics.delete(uri);
    }
  };
  before(async () => {
    lsp = await startLsp({});
  });
  after(async () => lsp.close());

  test('a BCC tool: the C\'s diagnostics on the .py, at the Python text they name; plain Python gets none', async () => {
    const plain = openPython('/tmp/ebpf-bcc-test/plain.py', 'import os\n\ndef BPFish(x):\n    return "BPF_HASH(start)"\n\nprint(os.getpid())\n');
    const uri = openPython(toolPath, tool);
    const p = await lsp.waitForDiagnostics(uri, 60_000);
    const at = (d: { range: { start: { line: number; character: number }; end: { line: number; character: number } } }) => {
      const lines = tool.split('\n');
      assert.equal(d.range.start.line, d.range.end.line, 'each of these is on one line of the .py');
      return lines[d.range.start.line].slice(d.range.start.character, d.range.end.character);
    };
    const codes = new Set(p.diagnostics.map((d) => String(d.code)));
    for (const c of ['bcc-kernel-header', 'bcc-table', 'bcc-probe', 'bcc-table-method', 'bcc-placeholder']) assert.ok(codes.has(c), `${c} is reported (got ${[...codes]})`);
    assert.deepEqual(p.diagnostics.filter((d) => !String(d.code).startsWith('bcc-')).map((d) => d.message), [], 'BCC code gets only BCC diagnostics');
    assert.match(at(p.diagnostics.find((d) => d.code === 'bcc-table' && String(d.message).includes('(start)'))!), /^BPF_HASH\(start, u32, u64\)/);
    assert.equal(at(p.diagnostics.find((d) => d.code === 'bcc-placeholder')!), 'FILTER');
    assert.equal(at(p.diagnostics.find((d) => d.code === 'bcc-probe' && String(d.message).includes('trace_return'))!), 'trace_return');
    assert.equal(lsp.diagnostics.get(plain), undefined, 'nothing published for Python that passes no C to BPF()');
    // Hover and completion are the C's business: on a .py the server answers empty rather than reading Python as C.
    assert.equal(await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 14, character: 4 } }), null);
  });

  test('a quick fix edits the Python text', async () => {
    const uri = pathToFileURL(toolPath).toString();
    const p = await lsp.waitForDiagnostics(uri, 60_000);
    const lookup = p.diagnostics.find((d) => d.code === 'bcc-table-method' && String(d.message).includes('start.lookup'))!;
    const actions = (await lsp.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: lookup.range, context: { diagnostics: [lookup] } })) as CodeAction[];
    const edit = actions.find((a) => a.title.includes('bpf_map_lookup_elem'))?.edit?.changes?.[uri]?.[0];
    assert.ok(edit, `a rewrite is offered (got ${actions.map((a) => a.title)})`);
    assert.equal(edit.newText, 'bpf_map_lookup_elem(&start, &pid)');
    assert.equal(tool.split('\n')[edit.range.start.line].slice(edit.range.start.character, edit.range.end.character), 'start.lookup(&pid)');
  });

  test('a tool edited until it passes no C to BPF() has its diagnostics cleared', async () => {
    const uri = pathToFileURL(toolPath).toString();
    await lsp.waitForDiagnostics(uri, 60_000);
    lsp.diagnostics.delete(uri);
    const edited = tool.replace('b = BPF(text=bpf_text)', 'b = None');
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }] });
    const cleared = await nextDiagnostics(uri, (q) => q.version === 2 || q.diagnostics.length === 0);
    assert.deepEqual(cleared.diagnostics, []);
  });
});
