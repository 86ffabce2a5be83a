// CO-RE across kernels. Build it (eBPF: Build), then open eBPF: Show CO-RE Portability: every relocation
// by target kernel (set ebpf.kernel.targets to compare several). Task state moved from `state` to
// `__state` in 5.14: the guarded read below is fine everywhere, the unguarded one finds no match on new
// kernels, which the Problems view reports at its line.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___o {
	long state;
} __attribute__((preserve_access_index));

SEC("tracepoint/sched/sched_switch")
int on_switch(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	long guarded, unguarded;

	if (bpf_core_field_exists(t->__state))
		guarded = BPF_CORE_READ(t, __state);
	else
		guarded = BPF_CORE_READ((struct task_struct___o *)t, state);
	unguarded = BPF_CORE_READ((struct task_struct___o *)t, state);
	bpf_printk("state %ld %ld", guarded, unguarded);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
