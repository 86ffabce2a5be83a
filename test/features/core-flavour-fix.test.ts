// The CO-RE guard quick fix for a field some kernels renamed: kernfs_node.parent is __parent from 6.15, so
// a read of `parent` checked against 6.1, 6.12 (described) and 6.18 misses in 6.18. The fix defines a
// `kernfs_node___with__parent` flavour once and rewrites each read as bpf_core_field_exists() ? ... : ...,
// for BPF_CORE_READ (the field first, after it, deep in a chain) and a direct `->` chain. Applied until no
// fix is left, the diagnostics are gone, and clang-19 builds the result against the described kernel's
// vmlinux.h (bpftool's; the bundled kernel is Debian's 6.12.117), the flavour in the object's BTF.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Diagnostic } from 'vscode-languageserver-types';
import { DiagnosticFix } from '../../server/src/features/diagnostics/rule';
import { LanguageService } from '../../server/src/features/language-service';
import { haveTool, sharedRaw, sharedSkip } from '../support/kernels';
import { parse, serviceFor } from '../support/service';

const PROGRAM = `// Which cgroup a kernfs node sits in, as cgroup-path tools read it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/kernfs_put")
int BPF_KPROBE(on_put, struct kernfs_node *kn)
{
\tstruct kernfs_node *up = BPF_CORE_READ(kn, parent);
\tconst char *up_name = BPF_CORE_READ(kn, parent, name);
\tstruct task_struct *task = (void *)bpf_get_current_task();
\tconst char *cgroup_parent = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, parent, name);
\tbpf_printk("%p %p %p", up, up_name, cgroup_parent);
\treturn 0;
}

SEC("fentry/kernfs_put")
int BPF_PROG(on_put_btf, struct kernfs_node *kn)
{
\tconst char *up_name = kn->parent->name;
\tbpf_printk("%p", up_name);
\treturn 0;
}
`;

const needs = sharedSkip ?? (haveTool('clang-19') && haveTool('bpftool') ? undefined : 'clang-19 and bpftool are needed');

/** `text` with a fix's edits applied (they do not overlap: the declaration comes before the read). */
function applyFix(text: string, fix: DiagnosticFix): string {
  const doc = TextDocument.create('file:///x.bpf.c', 'c', 1, text);
  return TextDocument.applyEdits(doc, [{ range: fix.range, newText: fix.newText }, ...(fix.edits ?? [])]);
}

describe('the CO-RE flavour guard for a renamed field (kernfs_node.parent / __parent)', { skip: needs }, () => {
  let service: LanguageService;
  let dir: string;
  const missing = (text: string): Diagnostic[] => {
    const file = parse(text);
    try {
      return service.diagnostics(file).filter((d) => d.code === 'core-field-missing');
    } finally {
      file.tree.delete();
    }
  };

  before(async () => {
    service = await serviceFor({ targets: ['6.1.0-56-amd64', '6.18.44-fc-v669'] });
    dir = mkdtempSync(join(tmpdir(), 'ebpf-ls-flavour-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('each read is reported in 6.18 only, with the guard as its fix; applied, nothing is left and clang builds it', () => {
    const first = missing(PROGRAM);
    assert.equal(first.length, 4, first.map((d) => d.message).join('\n'));
    for (const d of first) assert.match(d.message, /struct kernfs_node\.parent does not exist in 6\.18\.44-fc-v669; it is __parent there/);
    let text = PROGRAM;
    for (let round = 0; round < 4; round++) {
      const fix = missing(text).map((d) => d.data as DiagnosticFix | undefined).find((f) => f);
      assert.ok(fix, `round ${round}: a fix`);
      assert.match(fix.title, /^Guard with bpf_core_field_exists\(\): parent where it exists, else __parent \(struct kernfs_node___with__parent\)$/);
      text = applyFix(text, fix);
    }
    assert.deepEqual(missing(text).map((d) => d.message), []);
    // One flavour, after the includes; the reads rewritten as libbpf-tools write them.
    assert.equal(text.split('struct kernfs_node___with__parent {').length, 2, text);
    assert.match(text, /#include <bpf\/bpf_tracing.h>\nstruct kernfs_node___with__parent \{ struct kernfs_node \*__parent; \} __attribute__\(\(preserve_access_index\)\);\n/);
    assert.ok(text.includes('(bpf_core_field_exists(kn->parent) ? BPF_CORE_READ(kn, parent) : BPF_CORE_READ((struct kernfs_node___with__parent *)kn, __parent))'), text);
    assert.ok(text.includes('BPF_CORE_READ((struct kernfs_node___with__parent *)kn, __parent, name)'), text);
    // Deep in a chain, the pointer is read first (clang refuses a BPF_CORE_READ nested in another).
    assert.ok(text.includes('({ struct kernfs_node *___p = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn); bpf_core_field_exists(___p->parent) ? '
      + 'BPF_CORE_READ(___p, parent, name) : BPF_CORE_READ((struct kernfs_node___with__parent *)___p, __parent, name); })'), text);
    assert.ok(text.includes('(bpf_core_field_exists(kn->parent) ? kn->parent->name : ((struct kernfs_node___with__parent *)kn)->__parent->name)'), text);

    const source = join(dir, 'cgroup.bpf.c');
    writeFileSync(source, text);
    writeFileSync(join(dir, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', sharedRaw('6.12.117+deb12-amd64'), 'format', 'c'], { maxBuffer: 1 << 30 }));
    execFileSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', `-I${dir}`, '-c', source, '-o', join(dir, 'cgroup.bpf.o')]);
    // The flavour reaches the object, where libbpf relocates its __parent against each kernel's kernfs_node.
    const relocs = execFileSync('bpftool', ['btf', 'dump', 'file', join(dir, 'cgroup.bpf.o')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.match(relocs, /STRUCT 'kernfs_node___with__parent'/);
  });
});
