// Generated .bpf.c sources of a given size, for the bench and the large-file tests.
const PROGRAM = (i: number) => `
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch_${i}, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	pid_t ppid = BPF_CORE_READ(t, real_parent, tgid);
	long state = BPF_CORE_READ(prev, __state);
	u64 ts = bpf_ktime_get_ns();
	if (ppid == ${i})
		return 1;
	bpf_printk("switch %d %ld %llu", ppid, state, ts);
	return 0;
}
`;

/** A realistic file of about `lines` lines: headers, then programs until the line count is reached. */
export function generatedSource(lines: number): string {
  const head = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>\n#include <bpf/bpf_core_read.h>\n\nchar LICENSE[] SEC("license") = "GPL";\n';
  const parts = [head];
  let count = head.split('\n').length;
  const per = PROGRAM(0).split('\n').length - 1;
  for (let i = 0; count < lines; i++, count += per) parts.push(PROGRAM(i));
  return parts.join('');
}

/** The 1,000-line file the bench measures on. */
export function thousandLineFile(): string {
  return generatedSource(1000);
}
