// Hover, in process over the bundled kernel's BTF (Debian 6.12): kernel type summaries and layouts, enums
// and enumerators per kernel, members with their offset and size in every kernel, SEC() facts, helpers,
// maps, typedefs and the project's own structs.
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
  test('struct task_struct: the summary first, then its pahole layout, in the bundled kernel', () => {
    const text = hoverText('struct task_st|ruct *t;');
    assert.ok(label.startsWith('bundled BTF of Linux 6.12'), label);
    // The numbers are pahole's: its own summary at the end of the layout says holes: 19, sum holes: 101.
    assert.equal(text.split('\n')[0], '**struct task_struct**: size 9792 · align 64 · 153 cachelines · 262 members · 19 holes (101 bytes)');
    assert.ok(text.includes('/* sum members: 9675, holes: 19, sum holes: 101 */'), text.slice(-600));
    assert.match(text, /^[^\n]*\n\n```c\nstruct task_struct \{/, 'the layout right after the summary (no targets: no sizes per kernel)');
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
    assert.ok(text.includes(encodeURIComponent('ebpf-btf:/6.12%20(bundled)/struct%20task_struct.layout.h')), 'the link opens the layout as pahole prints it');
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

  test('the summary stays in view when the layout is cut: it comes before it', async () => {
    const short = await serviceFor({ maxHoverLines: 20 });
    const text = hoverText('struct task_st|ruct *t;', short);
    assert.match(text.split('\n')[0], /^\*\*struct task_struct\*\*: size 9792 /);
  });

  test('a union and a struct without holes', () => {
    assert.match(hoverText('union bpf_at|tr *a;').split('\n')[0], /^\*\*union bpf_attr\*\*: size 152 · align 8 · 3 cachelines · 20 members · no holes$/);
    assert.equal(hoverText('struct list_he|ad *h;').split('\n')[0], '**struct list_head**: size 16 · align 8 · 1 cacheline · 2 members · no holes');
  });

  test('a CO-RE flavour is the kernel type, named as such', () => {
    const text = hoverText('struct task_struct___o|ld *t;');
    assert.match(text, /^\*\*struct task_struct\*\*: size 9792 /);
    assert.match(text, /\n```c\nstruct task_struct \{/);
    assert.ok(text.includes('CO-RE flavour of `struct task_struct`'), text.slice(-200));
  });

  test('a kernel typedef: what it resolves to first, then its definition and size', () => {
    const text = hoverText('void f(void) { pid_|t x; }');
    assert.deepEqual(text.split('\n').slice(0, 2), ['**typedef pid_t** → `__kernel_pid_t` → `int`\\', 'size 4 · align 4']);
    assert.ok(text.includes('typedef __kernel_pid_t pid_t;'), text);
    assert.ok(text.includes(`4 bytes in ${label}`), text);
  });

  test('a typedef of a struct: the struct summary', () => {
    const text = hoverText('void f(void) { atomic_|t x; }');
    assert.deepEqual(text.split('\n').slice(0, 2), ['**typedef atomic_t** → `struct {...}`\\', 'size 4 · align 4 · 1 cacheline · 1 member · no holes']);
  });

  test('an enumerator: its value and its enum', () => {
    const text = hoverText('int x = SKB_DROP_REASON_TCP_CS|UM;');
    assert.ok(text.startsWith('```c\nSKB_DROP_REASON_TCP_CSUM = 9\n```\nEnumerator of `enum skb_drop_reason`'), text);
    assert.ok(!text.includes('per kernel'), 'no targets: no values per kernel');
  });

  test('enumerators of anonymous enums, of enums named otherwise, large values', () => {
    assert.ok(hoverText('char c[TASK_COMM_L|EN];').startsWith('```c\nTASK_COMM_LEN = 16\n```\nEnumerator of an anonymous enum'));
    assert.ok(hoverText('int x = BPF_FUNC_map_lookup_e|lem;').startsWith('```c\nBPF_FUNC_map_lookup_elem = 1\n```\nEnumerator of `enum bpf_func_id`'));
    assert.ok(hoverText('int x = BPF_F_NO_PREA|LLOC;').startsWith('```c\nBPF_F_NO_PREALLOC = 1\n```'));
    assert.match(hoverText('int x = BPF_F_INDEX_MA|SK;'), /^```c\nBPF_F_INDEX_MASK = 4294967295 \(0xffffffff\)\n```/);
  });

  test('a capitalised word that is no enumerator: no hover', () => {
    const { file, pos } = at('int x = NO_SUCH_ENUMER|ATOR_XYZ;');
    assert.equal(service.hover(file, pos), null);
  });

  describe('against the shared kernels', { skip: sharedSkip }, () => {
    test('a struct: its size in each kernel, on the second line', async () => {
      const all = await serviceFor({ targets: 'all' });
      const lines = hoverText('struct task_st|ruct *t;', all).split('\n');
      assert.equal(lines[0], '**struct task_struct**: size 9792 · align 64 · 153 cachelines · 262 members · 19 holes (101 bytes)\\');
      assert.equal(lines[1], 'Size per kernel: 6.1: 9792 · 6.12 (bundled): 9792 · 6.12: 9792 · 6.18: 3264');
    });

    test('a struct one kernel lacks: missing there', async () => {
      const all = await serviceFor({ targets: 'all' });
      const lines = hoverText('struct bpf_arena|_x *a;', all).split('\n');
      assert.equal(lines[0], '`struct bpf_arena_x` is not in bundled BTF of Linux 6.12.117+deb12-amd64 (Debian 12).');
      const arena = hoverText('struct bpf_are|na *a;', all).split('\n');
      assert.match(arena[1], /^Size per kernel: 6\.1: missing · 6\.12 \(bundled\): \d+ · 6\.12: \d+ · 6\.18: \d+$/);
    });

    test('SKB_DROP_REASON_TCP_CSUM: 4 in 6.1, 9 in 6.12, 10 in 6.18', async () => {
      const all = await serviceFor({ targets: 'all' });
      const text = hoverText('int x = SKB_DROP_REASON_TCP_CS|UM;', all);
      assert.ok(text.startsWith('```c\nSKB_DROP_REASON_TCP_CSUM = 9\n```'), text);
      assert.ok(text.includes('Value per kernel: 6.1: 4 · 6.12 (bundled): 9 · 6.12: 9 · 6.18: 10'), text);
    });

    test('an enumerator a kernel lacks: missing there', async () => {
      const all = await serviceFor({ targets: 'all' });
      const text = hoverText('int x = BPF_MAP_TYPE_AR|ENA;', all);
      assert.ok(text.includes('Value per kernel: 6.1: missing · 6.12 (bundled): 33 · 6.12: 33 · 6.18: 33'), text);
      assert.ok(hoverText('char c[TASK_COMM_L|EN];', all).includes('Value per kernel: 6.1: 16 · 6.12 (bundled): 16 · 6.12: 16 · 6.18: 16'));
    });

    test('an enum whose values differ: the differing values side by side', async () => {
      const all = await serviceFor({ targets: 'all' });
      const text = hoverText('enum bpf_map_ty|pe t;', all);
      assert.ok(text.includes('| enumerator | 6.1 | 6.12 (bundled) | 6.12 | 6.18 |'), text);
      assert.ok(text.includes('| `BPF_MAP_TYPE_ARENA` | — | 33 | 33 | 33 |'), text);
      assert.ok(!text.includes('`BPF_MAP_TYPE_HASH`'), 'values equal everywhere are left out');
      assert.match(text, /\d+ values equal in every kernel\./);
      const drop = hoverText('enum skb_drop_rea|son t;', all);
      assert.ok(drop.includes('| `SKB_DROP_REASON_TCP_CSUM` | 4 | 9 | 9 | 10 |'), drop);
    });

    test('an enum equal in every kernel: its definition', async () => {
      const all = await serviceFor({ targets: 'all' });
      const text = hoverText('enum pid_ty|pe t;', all);
      assert.match(text, /```c\nenum pid_type \{\n\tPIDTYPE_PID = 0,/);
    });
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
  test('SEC("kprobe/do_unlinkat"): program type, no attach type, context, libbpf release, one table of kernels', () => {
    const text = hoverText('SEC("kprobe/do_unl|inkat")\nint handle(void *ctx) { return 0; }\n');
    assert.ok(text.includes('program type: `BPF_PROG_TYPE_KPROBE`'), text);
    assert.ok(text.includes('- expected attach type: none'), text);
    assert.ok(!text.includes('`0`'), text);
    assert.ok(text.includes('context: `struct pt_regs *`'), text);
    assert.ok(text.includes('- since libbpf 1.0 or earlier'), 'since 1.0 means already in v1.0.0');
    assert.ok(text.includes(`| kernel | target \`do_unlinkat\` | program type |\n|---|---|---|\n| ${label} | present | yes |`), text);
  });

  test('a BTF tracepoint names its attach type', () => {
    const text = hoverText('SEC("tp_btf/sched_swi|tch")\nint handle(void *ctx) { return 0; }\n');
    assert.ok(text.includes('`BPF_PROG_TYPE_TRACING`'), text);
    assert.ok(text.includes('expected attach type: `BPF_TRACE_RAW_TP`'), text);
    assert.ok(text.includes(`| ${label} | present | yes | yes |`), text);
  });

  test('a later libbpf release is named as such, and a section newer than the headers says so', async () => {
    const text = hoverText('SEC("kprobe.session/do_unl|inkat")\nint handle(void *ctx) { return 0; }\n');
    assert.ok(text.includes('- since libbpf 1.5\n'), text);
    const old = await serviceFor({ libbpfVersion: '1.1' });
    assert.ok(hoverText('SEC("kprobe.session/do_unl|inkat")\nint handle(void *ctx) { return 0; }\n', old).includes('- since libbpf 1.5 (the headers found here are libbpf 1.1)'));
    assert.ok(hoverText('SEC("tp_btf.s/sched_swi|tch")\nint handle(void *ctx) { return 0; }\n').includes('not in a libbpf release yet'));
  });

  test('a target the kernel lacks is **missing**', () => {
    const text = hoverText('SEC("fentry/no_such_func|tion_xyz")\nint handle(void *ctx) { return 0; }\n');
    assert.ok(text.includes(`| ${label} | **missing** | yes | yes |`), text);
  });

  describe('against the shared kernels', { skip: sharedSkip }, () => {
    test('one table: a row per kernel, the target and the attach type in each', async () => {
      const all = await serviceFor({ targets: 'all' });
      const text = hoverText('SEC("kprobe.session/do_unl|inkat")\nint handle(void *ctx) { return 0; }\n', all);
      const table = text.slice(text.indexOf('| kernel |'));
      assert.equal(table, [
        '| kernel | program type | attach type |',
        '|---|---|---|',
        '| 6.1 | yes | **missing** |',
        '| 6.12 (bundled) | yes | yes |',
        '| 6.12 | yes | yes |',
        '| 6.18 | yes | yes |',
      ].join('\n'));
      const fentry = hoverText('SEC("fentry/do_unl|inkat")\nint handle(void *ctx) { return 0; }\n', all);
      assert.ok(fentry.endsWith('| kernel | target `do_unlinkat` | program type | attach type |\n|---|---|---|---|\n| 6.1 | present | yes | yes |\n| 6.12 (bundled) | present | yes | yes |\n| 6.12 | present | yes | yes |\n| 6.18 | present | yes | yes |'), fentry);
      assert.equal(fentry.match(/present/g)?.length, 4, 'no line per kernel besides the table');
    });
  });

  test('a section libbpf does not know', () => {
    const text = hoverText('SEC("kprobee/do_unl|inkat")\nint handle(void *ctx) { return 0; }\n');
    assert.equal(text, '`SEC("kprobee/do_unlinkat")`: libbpf knows no such section name.');
  });
});

describe('hover of identifiers', () => {
  test("a helper: libbpf's signature, GPL-only or not, the kernels that have it, its documentation", (t) => {
    if (service.context.helpers.size === 0) return t.skip('bpf/bpf_helper_defs.h is not installed (libbpf-dev)');
    const text = hoverText('void f(void) { bpf_map_lookup_e|lem(0, 0); }');
    assert.ok(text.startsWith('```c\nvoid *bpf_map_lookup_elem(void *map, const void *key)\n```\nCallable under any license\\\n'), text);
    assert.ok(text.includes(`\\\nIn ${label}\\\n`), text);
    assert.ok(text.includes('**Returns**'), text);
    const gpl = hoverText('void f(void) { bpf_probe_read_us|er(0, 0, 0); }');
    assert.ok(gpl.includes('**GPL-only**: callable only from programs with a GPL-compatible license'), gpl);
  });

  test('a helper: the program types that may call it, and whether this program may', (t) => {
    if (service.context.helpers.size === 0) return t.skip('bpf/bpf_helper_defs.h is not installed (libbpf-dev)');
    const xdp = hoverText('void f(void) { bpf_xdp_adjust_h|ead(0, 0); }');
    assert.ok(xdp.includes('Callable from `xdp` (as the verifier of Linux 6.18 answered; tracing, LSM, freplace and struct_ops programs not asked)'), xdp);
    assert.ok(!xdp.includes('Not callable from this program'), 'outside a program nothing is said about one');
    const kprobe = hoverText('SEC("kprobe/do_unlinkat")\nint f(void *ctx) { return bpf_xdp_adjust_h|ead(0, 0); }');
    assert.ok(kprobe.includes('**Not callable from this program** (`BPF_PROG_TYPE_KPROBE`)'), kprobe);
    const inXdp = hoverText('SEC("xdp")\nint f(void *ctx) { return bpf_xdp_adjust_h|ead(0, 0); }');
    assert.ok(!inXdp.includes('Not callable'), inXdp);
    assert.ok(hoverText('void f(void) { bpf_map_lookup_e|lem(0, 0); }').includes('Callable from every program type asked'));
  });

  test('helper documentation is Markdown: no reStructuredText left', (t) => {
    if (service.context.helpers.size === 0) return t.skip('bpf/bpf_helper_defs.h is not installed (libbpf-dev)');
    const residue = /::|\\ |\\\/|(?<!`)``(?!`)/;
    for (const h of service.context.helpers.values()) {
      assert.ok(!residue.test(h.doc), `${h.name}: ${h.doc.split('\n').find((l) => residue.test(l))}`);
      assert.ok(!/^\t/m.test(h.doc.replace(/```[^]*?```/g, '')), `${h.name}: a tab-indented line outside code would render as code`);
    }
    const load = service.context.helpers.get('bpf_skb_load_bytes_relative')!.doc;
    assert.ok(load.includes('similar to `bpf_skb_load_bytes()` in that'), load);
    assert.ok(load.includes('- **BPF_HDR_START_MAC**: Base offset to load data from is *skb*\'s mac header.'), load);
    const stack = service.context.helpers.get('bpf_get_stackid')!.doc;
    assert.ok(stack.includes('To do so, use:\n\n```\n# sysctl kernel.perf_event_max_stack=<new value>\n```'), stack);
  });

  describe('helpers against the shared kernels', { skip: sharedSkip }, () => {
    test('a helper some kernels lack: where it is, and where not', async (t) => {
      const all = await serviceFor({ targets: 'all' });
      if (all.context.helpers.size === 0) return t.skip('bpf/bpf_helper_defs.h is not installed (libbpf-dev)');
      const text = hoverText('void f(void) { bpf_map_lookup_e|lem(0, 0); }', all);
      assert.ok(text.includes('\\\nIn 6.1, 6.12 (bundled), 6.12, 6.18\\\n'), text);
      const newer = [...all.context.helpers.keys()].find((h) => {
        const t2 = hoverText(`void f(void) { ${h}|(); }`, all);
        return t2.includes('**Not in** 6.1');
      });
      assert.ok(newer, 'some helper of these headers is not in 6.1');
    });
  });

  test('a map: its fields', () => {
    const text = hoverText(`struct {
\t__uint(type, BPF_MAP_TYPE_HASH);
\t__uint(max_entries, 8);
} counts SEC(".maps");
void f(void) { bpf_map_lookup_elem(&cou|nts, 0); }`);
    assert.ok(text.includes('**map `counts`**'), text);
    assert.ok(text.includes('- type: `BPF_MAP_TYPE_HASH`'), text);
    assert.ok(text.includes('- max_entries: `8`\n') || text.endsWith('- max_entries: `8`'), text);
  });

  test('a map: max_entries evaluated when it is an expression', () => {
    const text = hoverText(`struct {
\t__uint(type, BPF_MAP_TYPE_RINGBUF);
\t__uint(max_entries, 256 * 1024);
} rb SEC(".maps");
void f(void) { bpf_ringbuf_reserve(&r|b, 8, 0); }`);
    assert.ok(text.includes('- max_entries: `256 * 1024` = 262144'), text);
    assert.ok(text.includes('- type: `BPF_MAP_TYPE_RINGBUF`\n'), 'the type is not evaluated');
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
