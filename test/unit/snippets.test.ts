// Every snippet expands and compiles with the project's clang against Debian's libbpf 1.1 headers and a
// vmlinux.h of the running kernel; the ones marked for a newer libbpf fail on 1.1 for that reason only.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readLibbpfVersion } from '../../server/src/host/libbpf-version';
import { haveTool, repoRoot, RUNNING_KERNEL_BTF, sharedRaw, sharedSkip } from '../support/kernels';

type Snippets = Record<string, { prefix: string; body: string[]; description: string }>;
const bpf: Snippets = JSON.parse(readFileSync(join(repoRoot, 'snippets/bpf-c.json'), 'utf8'));
const loader: Snippets = JSON.parse(readFileSync(join(repoRoot, 'snippets/loader-c.json'), 'utf8'));

/** VS Code's snippet syntax, expanded with each placeholder's default (first choice for choices). */
function expand(body: string[]): string {
  let text = body.join('\n');
  const defaults = new Map<string, string>();
  // Innermost placeholders first, so `${2:handle_$1}` sees $1's value.
  for (let guard = 0; guard < 20; guard++) {
    const before = text;
    text = text.replace(/\$\{(\d+)\|([^|},]*)(?:,[^|}]*)*\|\}/g, (_m, n, first) => (defaults.set(n, first), first));
    text = text.replace(/\$\{(\d+):([^${}]*)\}/g, (_m, n, d) => (defaults.set(n, d), d));
    text = text.replace(/\$\{(\d+)\}|\$(\d+)/g, (m, a, b) => defaults.get(a ?? b) ?? m);
    if (text === before) break;
  }
  // Tab stops without a default ($0) expand to nothing; `\\`, `\$` and `\}` are escapes.
  return text.replace(/\$\{?\d+\}?/g, '').replace(/\\([\\$}])/g, '$1');
}

const PRELUDE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>
`;
/** Snippets meant for inside a function body; the rest are top-level declarations. */
const STATEMENT_SNIPPETS = new Set(['bpf-ringbuf-submit', 'bpf-core-read-guarded']);
const IN_FUNCTION = (code: string) => `struct event { int pid; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");
SEC("tp_btf/sched_switch")
int BPF_PROG(snippet_host, bool preempt, struct task_struct *task, struct task_struct *next)
{
\tlong state = 0;
${code}
\treturn state;
}`;

const missing = ['clang-19', 'bpftool', 'gcc'].find((t) => !haveTool(t));
const kernelBtf = existsSync(RUNNING_KERNEL_BTF) ? RUNNING_KERNEL_BTF : sharedSkip ? undefined : sharedRaw('6.18.44-fc-v669');
const skip = missing ? `${missing} is not installed (scripts/setup installs it)` : kernelBtf ? undefined : 'no kernel BTF to generate vmlinux.h from';

describe('snippets compile', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-snippets-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  if (!skip) writeFileSync(join(dir, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', kernelBtf!, 'format', 'c'], { maxBuffer: 1 << 28 }));
  const libbpf = readLibbpfVersion([]) ?? '0.0';
  const clang = (file: string) =>
    spawnSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', `-I${dir}`, '-I/usr/include/x86_64-linux-gnu', '-c', file, '-o', file + '.o'], { encoding: 'utf8' });

  for (const [name, s] of Object.entries(bpf)) {
    test(`${name} (${s.prefix})`, () => {
      const code = expand(s.body);
      assert.doesNotMatch(code, /\$\{?\d/, 'every placeholder expanded');
      const isStatement = STATEMENT_SNIPPETS.has(s.prefix);
      const file = join(dir, `${s.prefix}.bpf.c`);
      writeFileSync(file, `${PRELUDE}${isStatement ? IN_FUNCTION(code) : code}\n${s.prefix === 'bpf-license' ? '' : 'char LICENSE[] SEC("license") = "GPL";\n'}`);
      const r = clang(file);
      const needs = /needs libbpf (\d+\.\d+)/.exec(s.description);
      const [maj, min] = libbpf.split('.').map(Number);
      if (needs && (maj < Number(needs[1].split('.')[0]) || (maj === Number(needs[1].split('.')[0]) && min < Number(needs[1].split('.')[1])))) {
        assert.notEqual(r.status, 0, `${name} should not compile with libbpf ${libbpf}`);
        assert.match(r.stderr, /BPF_UPROBE|BPF_URETPROBE/, 'fails for the missing macro, not something else');
      } else {
        assert.equal(r.status, 0, `${name}:\n${code}\n${r.stderr}`);
      }
    });
  }

  test('the user-space skeleton loader compiles and links with -lbpf', () => {
    const prog = join(dir, 'prog.bpf.c');
    writeFileSync(prog, `${PRELUDE}struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");\nSEC("tp/syscalls/sys_enter_openat") int h(void *ctx) { return 0; }\nchar LICENSE[] SEC("license") = "GPL";\n`);
    assert.equal(clang(prog).status, 0);
    writeFileSync(join(dir, 'prog.skel.h'), execFileSync('bpftool', ['gen', 'skeleton', prog + '.o', 'name', 'prog']));
    const src = join(dir, 'loader.c');
    writeFileSync(src, expand(loader['skeleton loader'].body));
    const r = spawnSync('gcc', ['-o', join(dir, 'loader'), src, `-I${dir}`, '-lbpf'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});

test('grammars: valid JSON, the right scopes, and their patterns match real lines', () => {
  const inj = JSON.parse(readFileSync(join(repoRoot, 'syntaxes/bpf-c.injection.tmLanguage.json'), 'utf8'));
  assert.equal(inj.scopeName, 'source.c.bpf-injection');
  const section = new RegExp(inj.repository.section.match);
  assert.equal(section.exec('SEC("tp_btf/sched_switch")')![3], 'tp_btf/sched_switch');
  assert.ok(new RegExp(inj.repository['core-macros'].match).test('BPF_CORE_READ_INTO(&x, t, mm)'));
  assert.ok(new RegExp(inj.repository.helpers.match).test('bpf_ringbuf_reserve(&rb'));
  const log = JSON.parse(readFileSync(join(repoRoot, 'syntaxes/bpf-verifier-log.tmLanguage.json'), 'utf8'));
  assert.equal(log.scopeName, 'source.bpf-verifier-log');
  const pats = log.patterns.map((p: { match: string }) => new RegExp(p.match));
  const matches = (line: string) => pats.findIndex((re: RegExp) => re.test(line));
  assert.equal(matches('; return *v; @ prog.bpf.c:11'), 0);
  assert.equal(matches('7: (79) r0 = *(u64 *)(r0 +0)'), 1);
  assert.equal(matches("R0 invalid mem access 'map_value_or_null'"), 3);
  assert.equal(matches('processed 7 insns (limit 1000000) max_states_per_insn 0'), 4);
});
