// The CO-RE guard quick fix for a field some kernels renamed: kernfs_node.parent is __parent from 6.15, so
// a read of `parent` checked against 6.1, 6.12 (described) and 6.18 misses in 6.18. The fix defines a
// `kernfs_node___with__parent` flavour once and rewrites each read as bpf_core_field_exists() ? ... : ...,
// for BPF_CORE_READ (the field first, after it, deep in a chain), BPF_CORE_READ_INTO and a direct `->` chain. Applied until no
// fix is left, the diagnostics are gone, and clang-19 builds the result against the described kernel's
// vmlinux.h (bpftool's; the bundled kernel is Debian's 6.12.117), the flavour in the object's BTF. With
// 6.18 described instead, the names swap: the read uses __parent and the flavour declares parent.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Diagnostic } from 'vscode-languageserver-types';
import { DiagnosticFix } from '../../server/src/features/diagnostics/rule';
import { LanguageService } from '../../server/src/features/language-service';
import { haveTool, sharedRaw, sharedSkip } from '../support/kernels';
import { getLanguageService } from '../../server/src/features/language-service';
import { kernelSet } from '../../server/src/kernels/kernel';
import { helpers, parse, serviceFor, sharedKernel } from '../support/service';

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
\tstruct kernfs_node *up_again;
\tBPF_CORE_READ_INTO(&up_again, kn, parent);
\tbpf_printk("%p %p %p %p", up, up_name, cgroup_parent, up_again);
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

/** Builds `text` with clang-19 against a vmlinux.h of `kernel` (bpftool's), checking the flavour reaches the object's BTF. */
function build(text: string, kernel: '6.12.117+deb12-amd64' | '6.18.44-fc-v669'): void {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-ls-flavour-'));
  try {
    const source = join(dir, 'cgroup.bpf.c');
    writeFileSync(source, text);
    writeFileSync(join(dir, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', sharedRaw(kernel), 'format', 'c'], { maxBuffer: 1 << 30 }));
    execFileSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', `-I${dir}`, '-c', source, '-o', join(dir, 'cgroup.bpf.o')]);
    // libbpf relocates the flavour's member against each kernel's kernfs_node.
    const btf = execFileSync('bpftool', ['btf', 'dump', 'file', join(dir, 'cgroup.bpf.o')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.match(btf, /STRUCT 'kernfs_node___with_{1,2}parent'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `text` with a fix's edits applied (they do not overlap: the declaration comes before the read). */
function applyFix(text: string, fix: DiagnosticFix): string {
  const doc = TextDocument.create('file:///x.bpf.c', 'c', 1, text);
  return TextDocument.applyEdits(doc, [{ range: fix.range, newText: fix.newText }, ...(fix.edits ?? [])]);
}

describe('the CO-RE flavour guard for a renamed field (kernfs_node.parent / __parent)', { skip: needs }, () => {
  let service: LanguageService;
  /** 6.18 described (its vmlinux.h has __parent), 6.12 the target. */
  let newer: LanguageService;
  const missing = (text: string, svc = service): Diagnostic[] => {
    const file = parse(text);
    try {
      return svc.diagnostics(file).filter((d) => d.code === 'core-field-missing');
    } finally {
      file.tree.delete();
    }
  };

  before(async () => {
    service = await serviceFor({ targets: ['6.1.0-56-amd64', '6.18.44-fc-v669'] });
    newer = getLanguageService({ kernels: kernelSet(await sharedKernel('6.18.44-fc-v669'), [await sharedKernel('6.12.117+deb12-amd64')]), helpers: helpers() });
  });

  test('each read is reported in 6.18 only, with the guard as its fix; applied, nothing is left and clang builds it', () => {
    const first = missing(PROGRAM);
    assert.equal(first.length, 5, first.map((d) => d.message).join('\n'));
    for (const d of first) assert.match(d.message, /struct kernfs_node\.parent does not exist in 6\.18\.44-fc-v669; it is __parent there/);
    let text = PROGRAM;
    for (let round = 0; round < 5; round++) {
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
    assert.ok(text.includes('(bpf_core_field_exists(kn->parent) ? BPF_CORE_READ_INTO(&up_again, kn, parent) : BPF_CORE_READ_INTO(&up_again, (struct kernfs_node___with__parent *)kn, __parent));'), text);
    assert.ok(text.includes('(bpf_core_field_exists(kn->parent) ? kn->parent->name : ((struct kernfs_node___with__parent *)kn)->__parent->name)'), text);

    build(text, '6.12.117+deb12-amd64');
  });

  test('described by 6.18, whose vmlinux.h has only __parent: the read of parent becomes __parent, parent goes through the flavour', () => {
    const source = PROGRAM.slice(0, PROGRAM.indexOf('SEC("fentry'));
    const d = missing(source, newer)[0];
    assert.match(d.message, /struct kernfs_node\.parent does not exist in 6\.18\.44-fc-v669; it is __parent there/);
    const text = applyFix(source, d.data as DiagnosticFix);
    assert.ok(text.includes('struct kernfs_node___with_parent { struct kernfs_node *parent; } __attribute__((preserve_access_index));'), text);
    assert.ok(text.includes('(bpf_core_field_exists(kn->__parent) ? BPF_CORE_READ(kn, __parent) : BPF_CORE_READ((struct kernfs_node___with_parent *)kn, parent))'), text);
    // The three other reads in the program, one fix each.
    let fixed = text;
    for (let round = 0; round < 3; round++) fixed = applyFix(fixed, missing(fixed, newer).find((x) => x.data)!.data as DiagnosticFix);
    assert.deepEqual(missing(fixed, newer).map((x) => x.message), []);
    build(fixed, '6.18.44-fc-v669');
  });
});
