// BPF helpers the kernel lets only GPL-compatible programs call (`.gpl_only = true` in their
// bpf_func_proto). The helper set is frozen (new kernel functions are kfuncs), so one list serves every
// kernel. Probed from Linux 6.18 by test/fixtures/helpers/probe-gpl.c, which test/unit/gpl-helpers.test.ts
// reruns against the running kernel. 21 helpers no loadable program type may call under this machine's
// lockdown are from the kernel sources: 8 of them are GPL-only (probe_write_user, override_return, the
// seq_* and rc_* ones).
export const GPL_ONLY_HELPERS: ReadonlySet<string> = new Set([
  'probe_read', 'probe_write_user', 'trace_printk', 'perf_event_read', 'perf_event_output', 'get_stackid', 'get_current_task',
  'probe_read_str', 'override_return', 'perf_event_read_value', 'perf_prog_read_value', 'get_stack', 'rc_repeat', 'rc_keydown',
  'fib_lookup', 'rc_pointer_rel', 'tcp_check_syncookie', 'tcp_gen_syncookie', 'skb_output', 'probe_read_user', 'probe_read_kernel',
  'probe_read_user_str', 'probe_read_kernel_str', 'read_branch_records', 'seq_printf', 'seq_write', 'seq_printf_btf', 'xdp_output',
  'get_current_task_btf', 'check_mtu', 'snprintf', 'timer_init', 'timer_set_callback', 'timer_start', 'timer_cancel', 'get_func_ip',
  'task_pt_regs', 'get_branch_snapshot', 'trace_vprintk', 'copy_from_user_task', 'tcp_raw_gen_syncookie_ipv4',
  'tcp_raw_gen_syncookie_ipv6', 'tcp_raw_check_syncookie_ipv4', 'tcp_raw_check_syncookie_ipv6',
]);

/** The kernel's license_is_gpl_compatible(): the license strings that unlock GPL-only helpers and kfuncs. */
export const GPL_COMPATIBLE_LICENSES: ReadonlySet<string> = new Set([
  'GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL',
]);
