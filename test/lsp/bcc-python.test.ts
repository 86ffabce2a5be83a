// BCC tools in Python through the real server over stdio: the C a tool passes to BPF(text=...) gets the
// diagnostics and hovers C gets, placed on the .py; other Python files get nothing; a quick fix edits the
// Python; Convert to libbpf's request converts the editor's text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  CodeAction, CodeActionRequest, CompletionList, CompletionRequest, DidChangeTextDocumentNotification, DidOpenTextDocumentNotification, HoverRequest, MarkupContent,
  PublishDiagnosticsParams, TextEdit,
} from 'vscode-languageserver-protocol/node';
import { extractBccFromPython } from '../../server/src/bcc/python';
import { CONVERT_BCC_REQUEST, ConvertBccResult } from '../../server/src/lsp/protocol';
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
  });

  test('hover inside the C of a .py is the C\'s hover, its range on the Python; outside it, nothing', async () => {
    const uri = pathToFileURL(toolPath).toString();
    await lsp.waitForDiagnostics(uri, 60_000);
    const line = tool.split('\n').findIndex((l) => l.startsWith('int trace_entry(struct pt_regs *ctx, struct file *file)'));
    const character = tool.split('\n')[line].indexOf('file *file') + 1;
    const h = await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
    assert.match(h ? (h.contents as MarkupContent).value : '', /struct file \{/);
    assert.ok(h?.range, 'the hover names its word');
    assert.equal(tool.split('\n')[h.range.start.line].slice(h.range.start.character, h.range.end.character), 'file');
    // The Python around the C (`b = BPF(text=bpf_text)`) is not C: no hover there.
    const py = tool.split('\n').findIndex((l) => l.startsWith('b = BPF('));
    assert.equal(await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: py, character: 1 } }), null);
  });

  test('an untitled Python buffer holding a BCC tool gets the same diagnostics', async () => {
    const uri = 'untitled:Untitled-1';
    void lsp.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version: 1, text: tool } });
    const p = await lsp.waitForDiagnostics(uri, 60_000);
    const onFile = await lsp.waitForDiagnostics(pathToFileURL(toolPath).toString(), 60_000);
    assert.deepEqual(p.diagnostics.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}`), onFile.diagnostics.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}`));
  });

  test('completion inside the C of a .py: a kernel struct\'s members, each edit on the Python text', async () => {
    const path = '/tmp/ebpf-bcc-test/complete.py';
    const typed = tool.replace('    u64 ts = bpf_ktime_get_ns();\n', '    u64 ts = bpf_ktime_get_ns();\n    u64 m = file->f_m\n');
    const uri = openPython(path, typed);
    await lsp.waitForDiagnostics(uri, 60_000);
    const lines = typed.split('\n');
    const line = lines.findIndex((l) => l.includes('file->f_m'));
    const character = lines[line].indexOf('file->f_m') + 'file->f_m'.length;
    const list = (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character } })) as CompletionList;
    const mode = list.items.find((i) => i.label === 'f_mode');
    assert.ok(mode, `struct file's f_mode is offered (got ${list.items.slice(0, 10).map((i) => i.label)})`);
    const edit = mode.textEdit as TextEdit | undefined;
    assert.ok(edit, 'member items carry a textEdit');
    assert.equal(lines[edit.range.start.line].slice(edit.range.start.character, edit.range.end.character), 'f_m', 'the edit replaces what was typed, in the Python');
    // Outside the C (the Python's own code) there is nothing to complete.
    const py = lines.findIndex((l) => l.startsWith('b = BPF('));
    assert.equal(await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: py, character: 3 } }), null);
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

  test('Convert to libbpf\'s request: the editor\'s text converted as convert-bcc converts it; plain Python is refused', async () => {
    const out = '/tmp/ebpf-bcc-test/hello.bpf.c';
    const r = (await lsp.conn.sendRequest(CONVERT_BCC_REQUEST, { path: toolPath, text: tool, out })) as ConvertBccResult;
    assert.equal(r.error, undefined);
    assert.match(r.text!, /^\/\* Generated by eBPF for VS Code by convert-bcc from hello\.py/);
    assert.match(r.text!, /SEC\("kprobe\/vfs_read"\)\nint BPF_KPROBE\(trace_entry, struct file \*file\)/);
    assert.match(r.text!, /SEC\("kretprobe\/vfs_read"\)\nint BPF_KRETPROBE\(trace_return\)/);
    assert.equal(r.report!.out, out);
    assert.deepEqual(r.report!.maps.map((m) => m.name), ['start', 'dist']);
    assert.ok(r.report!.config.some((g) => g.name.toLowerCase().includes('filter') || /FILTER/.test(g.meaning)), 'FILTER becomes configuration');
    for (const m of r.report!.marks) assert.match(r.text!.split('\n')[m.line - 1], /TODO\(bcc\)/, 'each mark names its line in the written file');
    // The tool's C alone, as in a .c file beside it: the attach calls of the Python, when sent, name the sections.
    const c = extractBccFromPython(tool).programs[0].text;
    const alone = (await lsp.conn.sendRequest(CONVERT_BCC_REQUEST, { path: '/tmp/ebpf-bcc-test/hello.c', text: c, out })) as ConvertBccResult;
    const withTool = (await lsp.conn.sendRequest(CONVERT_BCC_REQUEST, { path: '/tmp/ebpf-bcc-test/hello.c', text: c, out, python: tool })) as ConvertBccResult;
    assert.doesNotMatch(alone.text!, /SEC\("kprobe\/vfs_read"\)/);
    assert.match(withTool.text!, /SEC\("kprobe\/vfs_read"\)\nint BPF_KPROBE\(trace_entry/);
    const plain = (await lsp.conn.sendRequest(CONVERT_BCC_REQUEST, { path: '/tmp/plain.py', text: 'print(1)\n', out: '/tmp/plain.bpf.c' })) as ConvertBccResult;
    assert.match(plain.error ?? '', /no BPF\(text=\.\.\.\)/);
    assert.equal(plain.text, undefined);
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
