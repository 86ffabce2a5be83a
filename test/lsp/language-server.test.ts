// The real server over stdio, driven by a real LSP client, on a sample .bpf.c against real kernel BTFs:
// described kernel 6.18 (the development machines' kernel), targets Debian 6.1 and 6.12.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CompletionList, CompletionRequest, DefinitionRequest, DocumentSymbolRequest, Hover, HoverRequest, Location, MarkupContent,
  DidChangeTextDocumentNotification, WorkspaceSymbolRequest, DocumentSymbol, CodeActionRequest, CodeAction, CompletionItem, TextEdit,
} from 'vscode-languageserver-protocol/node';
import { readFileSync } from 'node:fs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { cliSkip } from '../support/cli';
import { startLsp, LspSession } from '../support/lsp-client';
import { repoRoot, sharedSkip, sharedXz } from '../support/kernels';

const fixture = join(repoRoot, 'test/fixtures/lsp/handler.bpf.c');

/** Position of the `nth` occurrence of `needle` in the text, `delta` characters in. */
function at(text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  assert.ok(i >= 0, `fixture has ${needle}`);
  const before = text.slice(0, i + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

const hoverText = (h: Hover | null) => (h ? (h.contents as MarkupContent).value : '');

describe('language server over stdio', { skip: cliSkip ?? sharedSkip }, () => {
  let lsp: LspSession;
  let uri: string;
  let text: string;
  before(async () => {
    lsp = await startLsp({
      kernel: { btf: sharedXz('6.18.44-fc-v669'), targets: [sharedXz('6.1.0-56-amd64'), sharedXz('6.12.117+deb12-amd64')] },
    });
    text = (await import('node:fs')).readFileSync(fixture, 'utf8');
    uri = await lsp.open(fixture);
  });
  after(async () => lsp.close());

  test('hover on task_struct shows its pahole layout on 6.18: size 3264', async () => {
    const h = await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at(text, 'task_struct *prev', 3) });
    const v = hoverText(h);
    assert.match(v, /struct task_struct \{/);
    assert.match(v, /size: 3264, cachelines: 51, members: \d+/);
    assert.match(v, /\/\*\s+\d+\s+\d+ \*\//, 'member offset comments');
  });

  test('completion after BPF_CORE_READ(t, lists all 248 members of task_struct, real_parent included', async () => {
    const edited = text.replace('BPF_CORE_READ(t, real_parent, tgid)', 'BPF_CORE_READ(t, ');
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }] });
    const pos = at(edited, 'BPF_CORE_READ(t, ', 'BPF_CORE_READ(t, '.length);
    const list = (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: pos })) as CompletionList;
    assert.equal(list.isIncomplete, false);
    const labels = list.items.map((i) => i.label);
    assert.ok(labels.includes('real_parent'));
    assert.ok(labels.includes('__state'));
    // Members of anonymous structs/unions are offered directly; on 6.18 task_struct has 248 reachable names.
    assert.equal(new Set(labels).size, labels.length, 'no duplicates');
    assert.equal(labels.length, 248);
  });

  test('completion after BPF_CORE_READ(t, mm, offers mm_struct members from its anonymous struct', async () => {
    const edited = text.replace('BPF_CORE_READ(t, real_parent, tgid)', 'BPF_CORE_READ(t, mm, ');
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 3 }, contentChanges: [{ text: edited }] });
    const pos = at(edited, 'BPF_CORE_READ(t, mm, ', 'BPF_CORE_READ(t, mm, '.length);
    const list = (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: pos })) as CompletionList;
    const labels = list.items.map((i) => i.label);
    for (const m of ['pgd', 'mm_users', 'exe_file']) assert.ok(labels.includes(m), m);
  });

  test('completion after -> on a parameter and on a project header struct', async () => {
    const edited = text.replace('e->pid = prev->pid;', 'e->pid = prev->re');
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 4 }, contentChanges: [{ text: edited }] });
    const list = (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: at(edited, 'prev->re', 'prev->re'.length) })) as CompletionList;
    assert.ok(list.items.some((i) => i.label === 'real_parent'));
    const ev = (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: at(edited, 'e->pid', 3) })) as CompletionList;
    assert.deepEqual(ev.items.map((i) => i.label), ['pid', 'ppid', 'comm']);
    // Back to the original text for the next tests.
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 5 }, contentChanges: [{ text }] });
  });

  test('map types and flags complete inside __uint(type, and __uint(map_flags, from the kernel', async () => {
    const edited = text.replace('__uint(type, BPF_MAP_TYPE_RINGBUF);', '__uint(type, BPF_MAP_TYPE_);\n\t__uint(map_flags, BPF_F_);');
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 7 }, contentChanges: [{ text: edited }] });
    const types = (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: at(edited, 'BPF_MAP_TYPE_)', 'BPF_MAP_TYPE_'.length) })) as CompletionList;
    const t = types.items.map((i) => i.label);
    for (const m of ['BPF_MAP_TYPE_HASH', 'BPF_MAP_TYPE_RINGBUF', 'BPF_MAP_TYPE_ARENA']) assert.ok(t.includes(m), m);
    const flags = (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: at(edited, 'BPF_F_)', 'BPF_F_'.length) })) as CompletionList;
    assert.ok(flags.items.some((i) => i.label === 'BPF_F_NO_PREALLOC'));
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 8 }, contentChanges: [{ text }] });
  });

  test('hover on SEC("tp_btf/sched_switch") names BPF_PROG_TYPE_TRACING and BPF_TRACE_RAW_TP', async () => {
    const h = await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at(text, 'tp_btf/sched_switch', 4) });
    const v = hoverText(h);
    assert.match(v, /BPF_PROG_TYPE_TRACING/);
    assert.match(v, /BPF_TRACE_RAW_TP/);
    assert.match(v, /\| kernel \| target `sched_switch` \| program type \| attach type \|\n\|---\|---\|---\|---\|\n\| 6\.1 \| present \| yes \| yes \|/);
  });

  test('hover on a field inside BPF_CORE_READ shows its offset in every kernel', async () => {
    const h = await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at(text, 'real_parent, tgid', 2) });
    const v = hoverText(h);
    assert.match(v, /struct task_struct \*real_parent/);
    assert.match(v, /\| 6\.1\.0-56-amd64 \| \d+ \| 8 \|/);
    assert.match(v, /\| 6\.12\.117\+deb12-amd64 \| \d+ \| 8 \|/);
  });

  test('hover on a helper shows its signature and documentation', async () => {
    const h = await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at(text, 'bpf_ringbuf_reserve', 3) });
    assert.match(hoverText(h), /void \*bpf_ringbuf_reserve\(void \*ringbuf, __u64 size, __u64 flags\)/);
  });

  test('a misspelled SEC is an error with a suggestion, and a quick fix', async () => {
    // The diagnostics of the text as restored (version 8), not the debounced ones of an earlier edit.
    let d = await lsp.waitForDiagnostics(uri);
    for (const deadline = Date.now() + 20_000; d.version !== 8 && Date.now() < deadline; d = await lsp.waitForDiagnostics(uri)) await new Promise((r) => setTimeout(r, 50));
    const bad = d.diagnostics.find((x) => x.code === 'unknown-section');
    assert.ok(bad, JSON.stringify(d.diagnostics));
    assert.match(bad.message as string, /did you mean "tracepoint\/syscalls\/sys_enter_openat"/);
    assert.equal(bad.range.start.line, at(text, 'tracepoints/').line);
    assert.equal(d.diagnostics.filter((x) => x.severity === 1).length, 1, 'no other errors');
    const actions = (await lsp.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: bad.range, context: { diagnostics: [bad] } })) as CodeAction[];
    const edit = actions[0]?.edit?.changes?.[uri]?.[0];
    assert.equal(edit?.newText, 'tracepoint/syscalls/sys_enter_openat');
  });

  test('go to definition of a kernel field opens the read-only C view at its line', async () => {
    const loc = (await lsp.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: at(text, 'real_parent, tgid', 2) })) as Location;
    assert.equal(loc.uri, 'ebpf-btf:/6.18/struct%20task_struct.h');
    const view = (await lsp.conn.sendRequest('ebpf/btfView', { uri: loc.uri })) as string;
    assert.match(view.split('\n')[loc.range.start.line], /struct task_struct \*real_parent;/);
  });

  test('document symbols list programs with sections, maps and globals; workspace symbols find kernel types', async () => {
    const syms = (await lsp.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
    const byName = new Map(syms.map((s) => [s.name, s.detail]));
    assert.equal(byName.get('on_switch'), 'SEC("tp_btf/sched_switch")');
    assert.equal(byName.get('events'), 'BPF_MAP_TYPE_RINGBUF');
    assert.ok(byName.has('target_tgid'));
    const ws = await lsp.conn.sendRequest(WorkspaceSymbolRequest.type, { query: 'task_struct' });
    assert.ok(Array.isArray(ws) && ws.some((s) => s.name === 'task_struct'));
  });

  test('half-typed code and binary garbage get answers, not crashes', async () => {
    const garbage = text.slice(0, 400) + '\u0000\u0001\u00ff BPF_CORE_READ(t, mm->' + '((((((((';
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 6 }, contentChanges: [{ text: garbage }] });
    const end = at(garbage, 'mm->', 4);
    await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: end });
    const h = await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 0 } });
    assert.equal(h, null);
    assert.equal(lsp.proc.exitCode, null, 'server still running');
  });

  test('BPF_PROG heads: the kernel prototype completes, and loosely typed arguments are typed from it', async () => {
    const head = `${text}\nSEC("fentry/do_unlinkat")\nint BPF_PROG(on_unlink, `;
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 7 }, contentChanges: [{ text: head }] });
    const list = (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: at(head, 'BPF_PROG(on_unlink, ', 'BPF_PROG(on_unlink, '.length) })) as CompletionList;
    assert.deepEqual(list.items.map((i) => [i.label, i.detail]), [['int dfd, struct filename *name', 'arguments of fentry/do_unlinkat in 6.18.44-fc-v669, 6.1.0-56-amd64, 6.12.117+deb12-amd64']]);

    const loose = `${text}\nSEC("tp_btf/sched_wakeup")\nint BPF_PROG(on_wakeup, void *p)\n{\n\treturn p->pid;\n}\n`;
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 8 }, contentChanges: [{ text: loose }] });
    const members = (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: at(loose, 'p->pid', 3) })) as CompletionList;
    assert.ok(members.items.some((i) => i.label === 'real_parent'), 'p is the struct task_struct * the tracepoint passes');
    const h = await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at(loose, 'p->pid', 4) });
    assert.match(hoverText(h), /pid_t pid/);
  });
});

// Issue 13: hovers that lead with the summary, enumerators per kernel, and completions that apply cleanly,
// over stdio (described kernel 6.18, targets 6.1 and 6.12).
describe('language server over stdio: hovers lead, completions apply', { skip: cliSkip ?? sharedSkip }, () => {
  let lsp: LspSession;
  let uri: string;
  let version = 1;
  const source = readFileSync(fixture, 'utf8');
  before(async () => {
    lsp = await startLsp({
      kernel: { btf: sharedXz('6.18.44-fc-v669'), targets: [sharedXz('6.1.0-56-amd64'), sharedXz('6.12.117+deb12-amd64')] },
    });
    uri = await lsp.open(fixture);
  });
  after(async () => lsp.close());

  async function edit(text: string): Promise<void> {
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
  }

  /** The document after accepting the completion labelled `label` at `pos`, applying its textEdit as an editor does. */
  async function accept(text: string, pos: { line: number; character: number }, label: string): Promise<{ text: string; item: CompletionItem }> {
    const list = (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: pos })) as CompletionList;
    const item = list.items.find((i) => i.label === label);
    assert.ok(item, `no completion ${label} among ${list.items.length}`);
    const e = item.textEdit as TextEdit | undefined;
    assert.ok(e && 'range' in e, `${label} carries no textEdit`);
    return { text: TextDocument.applyEdits(TextDocument.create(uri, 'c', 0, text), [e]), item };
  }

  test('hover on task_struct: the summary and the size in each kernel come first', async () => {
    await edit(source);
    const v = hoverText(await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at(source, 'task_struct *prev', 3) }));
    const [first, second] = v.split('\n');
    assert.match(first, /^\*\*struct task_struct\*\*: size 3264 · align 64 · 51 cachelines · 248 members · 17 holes \(72 bytes\) · 24 bytes of padding\\$/);
    assert.equal(second, 'Size per kernel: 6.1: 9792 · 6.12: 9792 · 6.18: 3264');
    assert.ok(v.indexOf('```c\nstruct task_struct {') > v.indexOf('Size per kernel'), 'the layout after the summary');
  });

  test('hover on an enumerator: its value in each kernel', async () => {
    const text = `${source}\nint drop_reason = SKB_DROP_REASON_TCP_CSUM;\n`;
    await edit(text);
    const v = hoverText(await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: at(text, 'SKB_DROP_REASON_TCP_CSUM', 5) }));
    assert.ok(v.startsWith('```c\nSKB_DROP_REASON_TCP_CSUM = 10\n```\nEnumerator of `enum skb_drop_reason` in 6.18.44-fc-v669'), v);
    assert.ok(v.includes('Value per kernel: 6.1: 4 · 6.12: 9 · 6.18: 10'), v);
  });

  test('accepting syscalls/sys_enter_openat after SEC("tracepoint/syscalls/sys_enter_op gives exactly SEC("tracepoint/syscalls/sys_enter_openat")', async () => {
    for (const [typed, rest] of [['SEC("tracepoint/syscalls/sys_enter_op', '")'], ['SEC("tracepoint/syscalls/sys_enter_op', '']] as const) {
      const text = source.replace('SEC("tracepoints/syscalls/sys_enter_openat")', typed + rest);
      await edit(text);
      const { text: after } = await accept(text, at(text, typed, typed.length), 'syscalls/sys_enter_openat');
      assert.equal(after.split('\n')[at(text, typed).line], 'SEC("tracepoint/syscalls/sys_enter_openat")', rest ? 'closed string' : 'unclosed string');
    }
  });

  test('SEC("tracep: tracepoint/ first, once, and accepting it asks for the targets', async () => {
    const text = source.replace('SEC("tracepoints/syscalls/sys_enter_openat")', 'SEC("tracep")');
    await edit(text);
    const pos = at(text, 'SEC("tracep', 'SEC("tracep'.length);
    const list = (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: pos })) as CompletionList;
    const order = [...list.items].sort((a, b) => a.sortText!.localeCompare(b.sortText!)).map((i) => i.label);
    assert.equal(order[0], 'tracepoint/');
    assert.ok(!order.includes('tracepoint'), 'each section once');
    const { text: after, item } = await accept(text, pos, 'tracepoint/');
    assert.equal(after.split('\n')[pos.line], 'SEC("tracepoint/")');
    assert.equal(item.command?.command, 'editor.action.triggerSuggest');
  });

  test("workspace symbols: the open file's programs and maps, named in words", async () => {
    await edit(source);
    const ws = (await lsp.conn.sendRequest(WorkspaceSymbolRequest.type, { query: 'on_sw' })) as { name: string; containerName?: string; location: { uri: string } }[];
    const prog = ws.find((s) => s.name === 'on_switch');
    assert.ok(prog, JSON.stringify(ws.slice(0, 5)));
    assert.equal(prog.containerName, 'SEC("tp_btf/sched_switch") in handler.bpf.c');
    assert.equal(prog.location.uri, uri);
    const map = ((await lsp.conn.sendRequest(WorkspaceSymbolRequest.type, { query: 'events' })) as { name: string; containerName?: string }[]).find((s) => s.name === 'events');
    assert.equal(map?.containerName, 'BPF_MAP_TYPE_RINGBUF in handler.bpf.c');
  });

  test('member and BPF_PROG argument completions replace what was typed', async () => {
    const members = source.replace('BPF_CORE_READ(t, real_parent, tgid)', 'BPF_CORE_READ(t, se.vr)');
    await edit(members);
    const m = await accept(members, at(members, 'se.vr)', 'se.vr'.length), 'vruntime');
    assert.ok(m.text.includes('BPF_CORE_READ(t, se.vruntime)'), 'a.b member path');
    const head = `${source}\nSEC("fentry/do_unlinkat")\nint BPF_PROG(on_unlink, in`;
    await edit(head);
    const a = await accept(head, at(head, 'BPF_PROG(on_unlink, in', 'BPF_PROG(on_unlink, in'.length), 'int dfd, struct filename *name');
    assert.ok(a.text.endsWith('int BPF_PROG(on_unlink, int dfd, struct filename *name'), a.text.slice(-80));
  });
});
