// Hover, in process over the bundled kernel's BTF (Debian 6.12): kernel type layouts, members with their
// offset and size in every kernel, SEC() facts, helpers, maps, typedefs and the project's own structs.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Hover, MarkupContent } from 'vscode-languageserver-types';
import { LanguageService } from '../../server/src/features/language-service';
import { at, serviceFor, sharedSkip } from '../support/service';

let service: LanguageService;
let label: string;

before(async () => {
  service = await serviceFor();
  label = service.context.kernels.described.label;
});

/** The hover's Markdown at the `|` of `source`. */
function hoverText(source: string, svc = service): string {
  const { file, pos } = at(source);
  const h: Hover | null = svc.hover(file, pos);
  assert.ok(h, `no hover at the cursor of:\n${source}`);
  return (h.contents as MarkupContent).value;
}

const program = (body: string) => `SEC("kprobe/do_unlinkat")
int handle(struct pt_regs *ctx)
{
\tstruct task_struct *task = (void *)bpf_get_current_task();
${body}
}
`;

describe('hover of kernel types', () => {
  test('struct task_struct: its pahole layout and summary, in the bundled kernel', () => {
    const text = hoverText('struct task_st|ruct *t;');
    assert.ok(label.startsWith('bundled BTF of Linux 6.12'), label);
    assert.match(text, /^```c\nstruct task_struct \{/);
    assert.match(text, /\bunsigned int\s+__state;\s+\/\*\s+24\s+4 \*\//, '__state at offset 24, 4 bytes');
    assert.ok(text.includes('/* size: 9792, cachelines: 153, members: 262 */'), text.slice(-400));
    assert.ok(text.includes(`/* size: `) && text.includes(` in ${label}`), text.slice(-300));
  });

  test('the hover range is the type name', () => {
    const { file, pos } = at('struct task_st|ruct *t;');
    const h = service.hover(file, pos)!;
    assert.deepEqual(h.range, { start: { line: 0, character: 7 }, end: { line: 0, character: 18 } });
  });

  test('a long layout is cut at maxHoverLines, with a link to the full view', async () => {
    const short = await serviceFor({ maxHoverLines: 20 });
    const text = hoverText('struct task_st|ruct *t;', short);
    assert.match(text, /\/\* \.\.\. \d+ more lines \*\//);
    assert.ok(text.includes('command:ebpf.openBtfView?'), 'a link to the full layout');
    assert.ok(text.includes(encodeURIComponent('ebpf-btf:/0/struct/task_struct.h')));
    assert.ok(text.split('\n').length < 60, `cut to about 20 lines, got ${text.split('\n').length}`);
  });

  test('a type the kernel lacks says so', () => {
    assert.equal(hoverText('struct no_such_struc|t_xyz *p;'), `\`struct no_such_struct_xyz\` is not in ${label}.`);
  });

  test('an enum shows its values', () => {
    const text = hoverText('enum bpf_map_ty|pe t;');
    assert.match(text, /BPF_MAP_TYPE_HASH = 1,/);
    assert.match(text, /BPF_MAP_TYPE_RINGBUF = 27,/);
  });

  test('a CO-RE flavour is the kernel type, named as such', () => {
    const text = hoverText('struct task_struct___o|ld *t;');
    assert.match(text, /^```c\nstruct task_struct \{/);
    assert.ok(text.includes('CO-RE flavour of `struct task_struct`'), text.slice(-200));
  });

  test('a kernel typedef: its definition and size', () => {
    const text = hoverText('void f(void) { pid_|t x; }');
    assert.ok(text.includes('typedef __kernel_pid_t pid_t;'), text);
    assert.ok(text.includes(`4 bytes in ${label}`), text);
  });
});

describe('hover of members', () => {
  test('task->pid: its type, offset and size', () => {
    const text = hoverText(program('\treturn task->p|id;'));
    assert.ok(text.startsWith('```c\npid_t pid\n```'), text);
    assert.ok(text.includes('Member of `struct task_struct`'));
    assert.ok(text.includes(`| ${label} | 2432 | 4 | \`pid_t\` |`), text);
  });

  test('a member in a BPF_CORE_READ argument', () => {
    const text = hoverText(program('\treturn BPF_CORE_READ(task, real_pa|rent);'));
    assert.ok(text.includes('struct task_struct *real_parent'), text);
    assert.ok(text.includes(`| ${label} | 2448 | 8 | \`struct task_struct *\` |`), text);
  });

  test('a member through a chain: task->real_parent->comm', () => {
    const text = hoverText(program('\treturn task->real_parent->co|mm[0];'));
    assert.ok(text.includes('char comm[16]'), text);
    assert.match(text, new RegExp(`\\| ${label.replace(/[()+.]/g, '\\$&')} \\| \\d+ \\| 16 \\|`));
  });

  test('a bitfield shows its bit offset and width', () => {
    const text = hoverText(program('\treturn task->in_execv|e;'));
    assert.match(text, /\| \d+ \(bit \d, 1 bits\) \|/, text);
  });

  test("a member of the project's own struct", () => {
    const text = hoverText('struct ev { int alpha; };\nint f(struct ev *e) { return e->alp|ha; }');
    assert.ok(text.includes('int alpha'), text);
    assert.ok(text.includes('Member of a type defined in this project.'), text);
  });

  describe('against the shared kernels', { skip: sharedSkip }, () => {
    test('a member one kernel lacks: a row per kernel, "missing" where it is absent', async () => {
      const all = await serviceFor({ targets: 'all' });
      const text = hoverText(program('\treturn task->saved_st|ate;'), all);
      assert.ok(text.includes('| 6.1.0-56-amd64 | missing | | |'), text);
      assert.ok(text.includes('| 6.18.44-fc-v669 | 28 | 4 | `unsigned int` |'), text);
      assert.ok(text.includes('| 6.12.117+deb12-amd64 | 28 | 4 | `unsigned int` |'), text);
    });
  });
});

describe('hover of SEC() names', () => {
  test('SEC("kprobe/do_unlinkat"): program type, context, target presence', () => {
    const text = hoverText('SEC("kprobe/do_unl|inkat")\nint handle(void *ctx) { return 0; }\n');
    assert.ok(text.includes('program type: `BPF_PROG_TYPE_KPROBE`'), text);
    assert.ok(text.includes('context: `struct pt_regs *`'), text);
    assert.ok(text.includes(`target \`do_unlinkat\` in ${label}: present`), text);
  });

  test('a BTF tracepoint names its attach type', () => {
    const text = hoverText('SEC("tp_btf/sched_swi|tch")\nint handle(void *ctx) { return 0; }\n');
    assert.ok(text.includes('`BPF_PROG_TYPE_TRACING`'), text);
    assert.ok(text.includes('expected attach type: `BPF_TRACE_RAW_TP`'), text);
    assert.ok(text.includes(`target \`sched_switch\` in ${label}: present`), text);
  });

  test('a target the kernel lacks is **missing**', () => {
    const text = hoverText('SEC("fentry/no_such_func|tion_xyz")\nint handle(void *ctx) { return 0; }\n');
    assert.ok(text.includes(`target \`no_such_function_xyz\` in ${label}: **missing**`), text);
  });

  test('a section libbpf does not know', () => {
    const text = hoverText('SEC("kprobee/do_unl|inkat")\nint handle(void *ctx) { return 0; }\n');
    assert.equal(text, '`SEC("kprobee/do_unlinkat")`: libbpf knows no such section name.');
  });
});

describe('hover of identifiers', () => {
  test("a helper: libbpf's signature and documentation", (t) => {
    if (service.context.helpers.size === 0) return t.skip('bpf/bpf_helper_defs.h is not installed (libbpf-dev)');
    const text = hoverText('void f(void) { bpf_map_lookup_e|lem(0, 0); }');
    assert.ok(text.startsWith('```c\nvoid *bpf_map_lookup_elem(void *map, const void *key)\n```'), text);
    assert.ok(text.includes('**Returns**'), text);
  });

  test('a map: its fields', () => {
    const text = hoverText(`struct {
\t__uint(type, BPF_MAP_TYPE_HASH);
\t__uint(max_entries, 8);
} counts SEC(".maps");
void f(void) { bpf_map_lookup_elem(&cou|nts, 0); }`);
    assert.ok(text.includes('**map `counts`**'), text);
    assert.ok(text.includes('- type: `BPF_MAP_TYPE_HASH`'), text);
    assert.ok(text.includes('- max_entries: `8`'), text);
  });

  test('a variable of a kernel type: its declaration', () => {
    const text = hoverText(program('\treturn ta|sk != 0;'));
    assert.match(text, /^```c\nstruct task_struct \* ?task\n```$/, text);
  });

  test("the project's own struct: its members, not a kernel layout", () => {
    const text = hoverText('struct ev { int alpha; long beta; };\nvoid f(struct e|v *p) {}');
    assert.ok(text.includes('struct ev {\n\tint alpha;\n\tlong beta;\n};'), text);
    assert.ok(text.includes('Defined in this project.'));
  });

  test('nothing under the cursor: no hover', () => {
    const { file, pos } = at('int x = 1;   |  \n');
    assert.equal(service.hover(file, pos), null);
  });
});
