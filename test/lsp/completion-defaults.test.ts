// Completion lists for a client that takes LSP 3.17's itemDefaults.editRange (as VS Code does): the shared
// range is sent once and accepting an item gives the same text as the per-item edits other clients get.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompletionItem, CompletionList, CompletionRequest } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { cliSkip } from '../support/cli';
import { completionEdit } from '../support/completion-edit';
import { LspSession, startLsp, VSCODE_COMPLETION_CAPABILITIES } from '../support/lsp-client';
import { sharedSkip, sharedXz } from '../support/kernels';

const SOURCE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

SEC("tracepoint/syscalls/sys_enter_op")
int handle(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	return BPF_CORE_READ(t, se.vr);
}
`;

function at(text: string, needle: string): { line: number; character: number } {
  const before = text.slice(0, text.indexOf(needle) + needle.length);
  return { line: before.split('\n').length - 1, character: before.length - before.lastIndexOf('\n') - 1 };
}

/** The text after accepting `label` as LSP 3.17 says an editor does: the item's edit, else the list's range with textEditText or the label. */
function accept(text: string, list: CompletionList, label: string): { text: string; item: CompletionItem } {
  const item = list.items.find((i) => i.label === label);
  assert.ok(item, `no completion ${label} among ${list.items.length}`);
  const edit = completionEdit(list, item);
  assert.ok(edit, `${label}: neither an edit nor a default range`);
  return { text: TextDocument.applyEdits(TextDocument.create('file:///x.bpf.c', 'c', 0, text), [edit]), item };
}

describe('completion with itemDefaults.editRange', { skip: cliSkip ?? sharedSkip }, () => {
  const settings = { kernel: { btf: sharedXz('6.18.44-fc-v669'), targets: [] } };
  const file = '/tmp/ebpf-completion-defaults.bpf.c';
  let vscodeLike: LspSession;
  let plain: LspSession;
  const complete = async (lsp: LspSession, needle: string) => {
    const uri = await lsp.open(file, SOURCE);
    return (await lsp.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: at(SOURCE, needle) })) as CompletionList;
  };
  before(async () => {
    vscodeLike = await startLsp(settings, () => VSCODE_COMPLETION_CAPABILITIES);
    plain = await startLsp(settings);
  });
  after(async () => {
    await vscodeLike.close();
    await plain.close();
  });

  test('a section target: the range once, and accepting it gives exactly SEC("tracepoint/syscalls/sys_enter_openat")', async () => {
    const list = await complete(vscodeLike, 'sys_enter_op');
    assert.ok(list.itemDefaults?.editRange, 'the shared range is the default');
    assert.equal(list.items.filter((i) => i.textEdit).length, 0, 'no item repeats it');
    const { text } = accept(SOURCE, list, 'syscalls/sys_enter_openat');
    assert.equal(text.split('\n')[4], 'SEC("tracepoint/syscalls/sys_enter_openat")');
  });

  test('members in BPF_CORE_READ: the same text as per-item edits give, in fewer bytes', async () => {
    const [withDefaults, perItem] = [await complete(vscodeLike, 'se.vr'), await complete(plain, 'se.vr')];
    assert.equal(perItem.itemDefaults, undefined, 'a client that did not say it takes defaults gets per-item edits');
    assert.deepEqual(withDefaults.items.map((i) => i.label), perItem.items.map((i) => i.label));
    for (const label of ['vruntime', 'sum_exec_runtime']) assert.equal(accept(SOURCE, withDefaults, label).text, accept(SOURCE, perItem, label).text);
    assert.match(accept(SOURCE, withDefaults, 'vruntime').text, /BPF_CORE_READ\(t, se\.vruntime\);/);
    assert.ok(JSON.stringify(withDefaults).length < JSON.stringify(perItem).length * 0.75, 'the range is not repeated per item');
  });
});
