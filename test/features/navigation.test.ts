// Go to definition and the read-only `ebpf-btf:` views of kernel types, in process over the bundled
// kernel's BTF (Debian 6.12).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Location } from 'vscode-languageserver-types';
import { LanguageService } from '../../server/src/features/language-service';
import { TEST_URI, at, serviceFor, sharedSkip } from '../support/service';

let service: LanguageService;
let label: string;

before(async () => {
  service = await serviceFor();
  label = service.context.kernels.described.label;
});

function definitionAt(source: string, svc = service): Location | null {
  const { file, pos } = at(source);
  return svc.definition(file, pos);
}

/** The text of the view line a location points at. */
function viewLine(loc: Location, svc = service): string {
  const view = svc.kernelTypeView(loc.uri);
  assert.ok(view, `no view for ${loc.uri}`);
  return view.text.split('\n')[loc.range.start.line];
}

const TASK_VIEW = 'ebpf-btf:/6.12%20(bundled)/struct%20task_struct.h';

const program = (body: string) => `SEC("kprobe/do_unlinkat")
int handle(struct pt_regs *ctx)
{
\tstruct task_struct *task = (void *)bpf_get_current_task();
${body}
}
`;

describe('definition', () => {
  test('struct task_struct: the top of its kernel view', () => {
    const loc = definitionAt('struct task_st|ruct *t;');
    assert.ok(loc);
    assert.equal(loc.uri, TASK_VIEW);
    assert.deepEqual(loc.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  });

  test('task->pid: the line of pid in the view', () => {
    const loc = definitionAt(program('\treturn task->p|id;'));
    assert.ok(loc);
    assert.equal(loc.uri, TASK_VIEW);
    assert.equal(loc.range.start.line, service.kernelTypeView(TASK_VIEW)!.memberLines.get('pid'));
    assert.match(viewLine(loc), /^\tpid_t pid; \/\* offset 2432 \*\/$/);
  });

  test('a member in BPF_CORE_READ: its line in the view', () => {
    const loc = definitionAt(program('\treturn BPF_CORE_READ(task, real_pa|rent);'));
    assert.ok(loc);
    assert.equal(loc.uri, TASK_VIEW);
    assert.match(viewLine(loc), /\bstruct task_struct \*real_parent;/);
  });

  test('a member of a member: task->mm->pgd lands in struct mm_struct', () => {
    const loc = definitionAt(program('\treturn task->mm->p|gd != 0;'));
    assert.ok(loc);
    assert.equal(loc.uri, 'ebpf-btf:/6.12%20(bundled)/struct%20mm_struct.h');
    assert.match(viewLine(loc), /\bpgd;/);
  });

  test('a member of a nested anonymous struct: task->se.vruntime', () => {
    const loc = definitionAt(program('\treturn task->se.vrunt|ime;'));
    assert.ok(loc);
    assert.equal(loc.uri, 'ebpf-btf:/6.12%20(bundled)/struct%20sched_entity.h');
    assert.match(viewLine(loc), /\bvruntime;/);
  });

  test('a kernel typedef: its view', () => {
    const loc = definitionAt('void f(void) { pid_|t x; }');
    assert.ok(loc);
    assert.equal(loc.uri, 'ebpf-btf:/6.12%20(bundled)/typedef%20pid_t.h');
  });

  test('a CO-RE flavour goes to the kernel type', () => {
    assert.equal(definitionAt('struct task_struct___o|ld *t;')?.uri, TASK_VIEW);
  });

  test("the project's own struct: its definition in the file", () => {
    const loc = definitionAt('int x;\nstruct ev { int alpha; };\nvoid f(struct e|v *p) {}');
    assert.ok(loc);
    assert.equal(loc.uri, TEST_URI);
    assert.deepEqual(loc.range.start, { line: 1, character: 0 });
  });

  test('a struct the kernel lacks, and a plain word: no definition', () => {
    assert.equal(definitionAt('struct no_such_struc|t_xyz *p;'), null);
    assert.equal(definitionAt('int f(void) { return some_lo|cal; }'), null);
    assert.equal(definitionAt('int x = 1;   |  \n'), null);
  });
});

describe('kernel type views', () => {
  test('struct task_struct: a C definition with offsets, then its summary', () => {
    const view = service.kernelTypeView(TASK_VIEW);
    assert.ok(view);
    const lines = view.text.split('\n');
    assert.equal(lines[0], `/* struct task_struct in ${label} (read-only view of kernel BTF) */`);
    assert.equal(lines[1], 'struct task_struct {');
    assert.ok(view.text.endsWith('};\n/* size 9792 · align 64 · 153 cachelines · 262 members · 19 holes (101 bytes) */\n'), view.text.slice(-200));
    assert.ok(!view.text.includes('* /'), 'no comment closers broken up');
    // Every member line the view names holds that member.
    for (const name of ['pid', 'tgid', 'comm', 'real_parent', 'mm', '__state']) {
      const line = view.memberLines.get(name);
      assert.ok(line !== undefined, `no line for ${name}`);
      assert.match(lines[line], new RegExp(`\\b${name}(\\[\\d+\\])?;`), `line ${line} for ${name}: ${lines[line]}`);
    }
  });

  test("struct task_struct's layout view: pahole's text as pahole prints it", () => {
    const view = service.kernelTypeView('ebpf-btf:/6.12%20(bundled)/struct%20task_struct.layout.h');
    assert.ok(view);
    const lines = view.text.split('\n');
    assert.equal(lines[0], `/* struct task_struct in ${label}: the layout as pahole prints it */`);
    assert.equal(lines[1], 'struct task_struct {');
    assert.match(view.text, /\tunsigned int\s+__state;\s+\/\*\s+24\s+4 \*\//);
    assert.ok(view.text.includes('\t/* size: 9792, cachelines: 153, members: 262 */\n'), 'comments intact');
    assert.ok(view.text.endsWith('} __attribute__((__aligned__(64)));\n') || view.text.endsWith('};\n'), view.text.slice(-80));
    assert.equal(service.kernelTypeView('ebpf-btf:/6.12%20(bundled)/enum%20bpf_map_type.layout.h'), undefined, 'enums have no layout');
  });

  test('a member of an anonymous struct or union is named by its path', () => {
    const view = service.kernelTypeView('ebpf-btf:/6.12%20(bundled)/struct%20sk_buff.h');
    assert.ok(view);
    const paths = [...view.memberLines.keys()];
    assert.ok(paths.some((p) => p.includes('.')), 'dotted paths for nested members');
    const len = view.memberLines.get('len');
    assert.ok(len !== undefined && /\blen;/.test(view.text.split('\n')[len]));
  });

  test('an enum and a typedef have views, without a layout', () => {
    const e = service.kernelTypeView('ebpf-btf:/6.12%20(bundled)/enum%20bpf_map_type.h');
    assert.ok(e);
    assert.ok(e.text.includes('BPF_MAP_TYPE_HASH = 1,'));
    assert.ok(!e.text.includes('cacheline'));
    const t = service.kernelTypeView('ebpf-btf:/6.12%20(bundled)/typedef%20pid_t.h');
    assert.ok(t);
    assert.ok(t.text.includes('typedef __kernel_pid_t pid_t;'));
  });

  test('unknown types, kernels and URIs: no view', () => {
    assert.equal(service.kernelTypeView('ebpf-btf:/6.12%20(bundled)/struct%20no_such_struct_xyz.h'), undefined);
    assert.equal(service.kernelTypeView('ebpf-btf:/7.7/struct%20task_struct.h'), undefined);
    assert.equal(service.kernelTypeView('ebpf-btf:/6.12%20(bundled)/func%20do_unlinkat.h'), undefined);
    assert.equal(service.kernelTypeView('file:///usr/include/linux/sched.h'), undefined);
  });

  describe('against the shared kernels', { skip: sharedSkip }, () => {
    test('a view per kernel, named as hovers name it: 6.1 has no task_struct.saved_state', async () => {
      const all = await serviceFor({ targets: 'all' });
      const old = all.kernelTypeView('ebpf-btf:/6.1/struct%20task_struct.h');
      const now = all.kernelTypeView('ebpf-btf:/6.18/struct%20task_struct.h');
      assert.ok(old && now);
      assert.ok(old.text.startsWith('/* struct task_struct in 6.1.0-56-amd64 '), old.text.slice(0, 80));
      assert.ok(now.text.startsWith('/* struct task_struct in 6.18.44-fc-v669 '), now.text.slice(0, 80));
      assert.equal(old.memberLines.get('saved_state'), undefined);
      assert.notEqual(now.memberLines.get('saved_state'), undefined);
      // Definition always goes to the described kernel's view.
      assert.equal(definitionAt('struct task_st|ruct *t;', all)?.uri, TASK_VIEW);
    });
  });
});
