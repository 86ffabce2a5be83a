// SPDX-License-Identifier: GPL-2.0
// A deliberate mistake: libbpf has no "tracepoints/" section (it is "tracepoint/").
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoints/syscalls/sys_enter_openat")
int handle_openat(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
