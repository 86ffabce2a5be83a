// The CO-RE flavour guard as a code action over stdio: against 6.12 (described) and 6.18, a read of
// kernfs_node.parent (__parent from 6.15) is a warning whose quick fix edits the file in two places,
// the flavour struct after the includes and the guarded read.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CodeAction, CodeActionRequest, Diagnostic } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { cliSkip } from '../support/cli';
import { sharedSkip, sharedXz } from '../support/kernels';
import { LspSession, startLsp } from '../support/lsp-client';

const SOURCE = `#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
char LICENSE[] SEC("license") = "GPL";
SEC("kprobe/kernfs_put")
int BPF_KPROBE(on_put, struct kernfs_node *kn)
{
\treturn BPF_CORE_READ(kn, parent) != 0;
}
`;

describe('the CO-RE flavour guard as a code action', { skip: cliSkip ?? sharedSkip }, () => {
  let lsp: LspSession;
  before(async () => {
    lsp = await startLsp({ kernel: { btf: sharedXz('6.12.117+deb12-amd64'), targets: [sharedXz('6.18.44-fc-v669')] } });
  });
  after(async () => lsp.close());

  test('one action, two edits: the flavour after the includes and the guarded read', async () => {
    const uri = await lsp.open(join(tmpdir(), 'kernfs.bpf.c'), SOURCE);
    const published = await lsp.waitForDiagnostics(uri, 60_000);
    const d = published.diagnostics.find((x: Diagnostic) => x.code === 'core-field-missing');
    assert.ok(d, JSON.stringify(published.diagnostics));
    const actions = (await lsp.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
    assert.equal(actions.length, 1);
    const edits = actions[0].edit!.changes![uri];
    assert.equal(edits.length, 2);
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'c', 1, SOURCE), edits);
    assert.equal(fixed, SOURCE
      .replace('#include <bpf/bpf_core_read.h>\n', '#include <bpf/bpf_core_read.h>\nstruct kernfs_node___with__parent { struct kernfs_node *__parent; } __attribute__((preserve_access_index));\n')
      .replace('BPF_CORE_READ(kn, parent) != 0', '(bpf_core_field_exists(kn->parent) ? BPF_CORE_READ(kn, parent) : BPF_CORE_READ((struct kernfs_node___with__parent *)kn, __parent)) != 0'));
  });
});
