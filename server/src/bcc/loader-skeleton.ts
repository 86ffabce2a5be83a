// The user-space side BCC's Python did, as C over a bpftool skeleton (`bpftool gen skeleton X.bpf.o name X`):
// open, set the `const volatile` configuration, load, attach (SEC() targets automatically, the Python's
// extra targets by hand), then read the perf or ring buffers until Ctrl-C. Events are printed as their
// size: their layout is the program's own struct, which the user prints as the Python did.
import type { ConvertResult } from './convert';

const ATTACH: Record<string, (prog: string, target: string) => string> = {
  kprobe: (p, t) => `bpf_program__attach_kprobe(${p}, false, "${t}")`,
  kretprobe: (p, t) => `bpf_program__attach_kprobe(${p}, true, "${t}")`,
  ksyscall: (p, t) => `bpf_program__attach_ksyscall(${p}, "${t}", NULL)`,
  kretsyscall: (p, t) => `bpf_program__attach_ksyscall(${p}, "${t}", &(struct bpf_ksyscall_opts){ .sz = sizeof(struct bpf_ksyscall_opts), .retprobe = true })`,
  tracepoint: (p, t) => `bpf_program__attach_tracepoint(${p}, "${t.split('/')[0]}", "${t.split('/')[1]}")`,
  raw_tracepoint: (p, t) => `bpf_program__attach_raw_tracepoint(${p}, "${t}")`,
};

export function loaderSkeleton(name: string, r: ConvertResult): string {
  const perf = r.program.tables.filter((t) => t.bccType === 'perf_output');
  const rings = r.program.tables.filter((t) => t.bccType === 'ringbuf');
  const lines: string[] = [
    '#include <signal.h>', '#include <stdbool.h>', '#include <stdio.h>', '#include <unistd.h>', '#include <bpf/libbpf.h>', `#include "${name}.skel.h"`, '',
    'static volatile sig_atomic_t exiting;', '', 'static void on_signal(int sig)', '{', '\t(void)sig;', '\texiting = 1;', '}', '',
  ];
  for (const t of perf) {
    lines.push(`static void on_${t.name}(void *ctx, int cpu, void *data, __u32 size)`, '{', '\t(void)ctx; (void)data;',
      `\tprintf("${t.name}: %u bytes on CPU %d\\n", size, cpu); /* print the event struct as the BCC tool did */`, '}', '',
      `static void lost_${t.name}(void *ctx, int cpu, __u64 n)`, '{', '\t(void)ctx;', `\tfprintf(stderr, "${t.name}: lost %llu events on CPU %d\\n", (unsigned long long)n, cpu);`, '}', '');
  }
  for (const t of rings) {
    lines.push(`static int on_${t.name}(void *ctx, void *data, size_t size)`, '{', '\t(void)ctx; (void)data;', `\tprintf("${t.name}: %zu bytes\\n", size);`, '\treturn 0;', '}', '');
  }
  lines.push('int main(void)', '{', `\tstruct ${name} *obj;`, '\tint err = 1;');
  for (const t of perf) lines.push(`\tstruct perf_buffer *pb_${t.name} = NULL;`);
  for (const t of rings) lines.push(`\tstruct ring_buffer *rb_${t.name} = NULL;`);
  lines.push('', '\tsignal(SIGINT, on_signal);', '\tsignal(SIGTERM, on_signal);', `\tobj = ${name}__open();`, '\tif (!obj) {', '\t\tfprintf(stderr, "cannot open the BPF object\\n");', '\t\treturn 1;', '\t}');
  for (const g of r.config) lines.push(`\tobj->rodata->${g.name} = ${g.initial}; /* ${g.meaning.replace(/\*\//g, '* /')} */`);
  lines.push(`\tif (${name}__load(obj)) {`, '\t\tfprintf(stderr, "cannot load the BPF object\\n");', '\t\tgoto out;', '\t}',
    `\tif (${name}__attach(obj)) {`, '\t\tfprintf(stderr, "cannot attach the programs\\n");', '\t\tgoto out;', '\t}');
  for (const p of r.programs) {
    const attach = ATTACH[p.kind];
    for (const t of p.moreTargets) {
      if (attach) lines.push(`\tif (!${attach(`obj->progs.${p.name}`, t)})`, `\t\tfprintf(stderr, "cannot attach ${p.name} to ${t}\\n");`);
    }
    if (p.section === p.kind || p.kind === 'perf_event') lines.push(`\t/* ${p.name}: no target in its SEC(); attach it as the BCC tool did */`);
  }
  for (const t of perf) lines.push(`\tpb_${t.name} = perf_buffer__new(bpf_map__fd(obj->maps.${t.name}), 64, on_${t.name}, lost_${t.name}, NULL, NULL);`);
  for (const t of rings) lines.push(`\trb_${t.name} = ring_buffer__new(bpf_map__fd(obj->maps.${t.name}), on_${t.name}, NULL, NULL);`);
  lines.push('\twhile (!exiting) {');
  for (const t of perf) lines.push(`\t\tif (pb_${t.name})`, `\t\t\tperf_buffer__poll(pb_${t.name}, 100);`);
  for (const t of rings) lines.push(`\t\tif (rb_${t.name})`, `\t\t\tring_buffer__poll(rb_${t.name}, 100);`);
  if (perf.length + rings.length === 0) lines.push('\t\tsleep(1); /* read the maps here, as the BCC tool did */');
  lines.push('\t}', '\terr = 0;', 'out:');
  for (const t of perf) lines.push(`\tperf_buffer__free(pb_${t.name});`);
  for (const t of rings) lines.push(`\tring_buffer__free(rb_${t.name});`);
  lines.push(`\t${name}__destroy(obj);`, '\treturn err;', '}', '');
  return lines.join('\n');
}
