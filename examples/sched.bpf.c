// SPDX-License-Identifier: GPL-2.0
// Context switches per CPU, with the outgoing task's state read through CO-RE.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} switches SEC(".maps");

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct *t = prev;
	u32 key = 0;
	u64 *count = bpf_map_lookup_elem(&switches, &key);
	long state = BPF_CORE_READ(t, __state);

	if (count && state == 0)
		(*count)++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
