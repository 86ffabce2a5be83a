// cilium/ebpf's table of program section names (its generated elfSectionDefs), as data: the order is
// cilium/ebpf's own and the first entry that matches wins. Read from github.com/cilium/ebpf at commit
// 5ba0b3b27a92c7b0402419f61240416c9b3c7c42 (v0.22.0-28-g5ba0b3b2; v0.22.0 has the same 105 entries),
// whose elf_sections.go is generated from tools/lib/bpf/libbpf.c of Linux 7.1: the entries are libbpf
// v1.7.0's section_defs, but cilium/ebpf matches them its own way (see `ciliumPatternMatches`).
//
// `prefix` is written as cilium/ebpf writes it:
//   - `name+`: the part before the first '/' must be exactly `name`; what follows the '/' is AttachTo;
//   - `name/`: the same, and the '/' must be there (no entry of this version has that form);
//   - anything else: a plain string prefix, so `socket` also takes `socket1` and `socket/http_filter`,
//     `tc` takes `tc_ingress`, `xdp` takes `xdp_pass`, `classifier` takes `classifier/ingress/main`;
//     AttachTo stays empty.
//
// Flags are libbpf's SEC_* flags as cilium/ebpf keeps them (only `sleepable` and `xdpFrags` change what
// it loads: BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS). `ignoreExtra` marks entries whose text after '/' the
// loader drops: a flag of that name existed in v0.13.0-v0.20.0 (for the compatibility entry `xdp.frags/`);
// in this version the same is done in code for struct_ops, which takes its target from `.struct_ops.link`.

export type CiliumSecFlag = 'attachable' | 'attachableOpt' | 'attachBtf' | 'sleepable' | 'xdpFrags' | 'usdt' | 'ignoreExtra';

export interface CiliumSecDef {
  prefix: string;
  progType: string;
  attachType?: string;
  flags: CiliumSecFlag[];
}

export const CILIUM_EBPF_VERSION = 'v0.22.0-28-g5ba0b3b2';
export const CILIUM_EBPF_COMMIT = '5ba0b3b27a92c7b0402419f61240416c9b3c7c42';

export const CILIUM_EBPF_SECTION_DEFS: readonly CiliumSecDef[] = [
  { prefix: 'socket', progType: 'BPF_PROG_TYPE_SOCKET_FILTER', flags: [] },
  { prefix: 'sk_reuseport/migrate', progType: 'BPF_PROG_TYPE_SK_REUSEPORT', attachType: 'BPF_SK_REUSEPORT_SELECT_OR_MIGRATE', flags: ['attachable'] },
  { prefix: 'sk_reuseport', progType: 'BPF_PROG_TYPE_SK_REUSEPORT', attachType: 'BPF_SK_REUSEPORT_SELECT', flags: ['attachable'] },
  { prefix: 'kprobe+', progType: 'BPF_PROG_TYPE_KPROBE', flags: [] },
  { prefix: 'uprobe+', progType: 'BPF_PROG_TYPE_KPROBE', flags: [] },
  { prefix: 'uprobe.s+', progType: 'BPF_PROG_TYPE_KPROBE', flags: ['sleepable'] },
  { prefix: 'kretprobe+', progType: 'BPF_PROG_TYPE_KPROBE', flags: [] },
  { prefix: 'uretprobe+', progType: 'BPF_PROG_TYPE_KPROBE', flags: [] },
  { prefix: 'uretprobe.s+', progType: 'BPF_PROG_TYPE_KPROBE', flags: ['sleepable'] },
  { prefix: 'kprobe.multi+', progType: 'BPF_PROG_TYPE_KPROBE', attachType: 'BPF_TRACE_KPROBE_MULTI', flags: [] },
  { prefix: 'kretprobe.multi+', progType: 'BPF_PROG_TYPE_KPROBE', attachType: 'BPF_TRACE_KPROBE_MULTI', flags: [] },
  { prefix: 'kprobe.session+', progType: 'BPF_PROG_TYPE_KPROBE', attachType: 'BPF_TRACE_KPROBE_SESSION', flags: [] },
  { prefix: 'uprobe.multi+', progType: 'BPF_PROG_TYPE_KPROBE', attachType: 'BPF_TRACE_UPROBE_MULTI', flags: [] },
  { prefix: 'uretprobe.multi+', progType: 'BPF_PROG_TYPE_KPROBE', attachType: 'BPF_TRACE_UPROBE_MULTI', flags: [] },
  { prefix: 'uprobe.session+', progType: 'BPF_PROG_TYPE_KPROBE', attachType: 'BPF_TRACE_UPROBE_SESSION', flags: [] },
  { prefix: 'uprobe.multi.s+', progType: 'BPF_PROG_TYPE_KPROBE', attachType: 'BPF_TRACE_UPROBE_MULTI', flags: ['sleepable'] },
  { prefix: 'uretprobe.multi.s+', progType: 'BPF_PROG_TYPE_KPROBE', attachType: 'BPF_TRACE_UPROBE_MULTI', flags: ['sleepable'] },
  { prefix: 'uprobe.session.s+', progType: 'BPF_PROG_TYPE_KPROBE', attachType: 'BPF_TRACE_UPROBE_SESSION', flags: ['sleepable'] },
  { prefix: 'ksyscall+', progType: 'BPF_PROG_TYPE_KPROBE', flags: [] },
  { prefix: 'kretsyscall+', progType: 'BPF_PROG_TYPE_KPROBE', flags: [] },
  { prefix: 'usdt+', progType: 'BPF_PROG_TYPE_KPROBE', flags: ['usdt'] },
  { prefix: 'usdt.s+', progType: 'BPF_PROG_TYPE_KPROBE', flags: ['usdt', 'sleepable'] },
  { prefix: 'tc/ingress', progType: 'BPF_PROG_TYPE_SCHED_CLS', attachType: 'BPF_TCX_INGRESS', flags: [] },
  { prefix: 'tc/egress', progType: 'BPF_PROG_TYPE_SCHED_CLS', attachType: 'BPF_TCX_EGRESS', flags: [] },
  { prefix: 'tcx/ingress', progType: 'BPF_PROG_TYPE_SCHED_CLS', attachType: 'BPF_TCX_INGRESS', flags: [] },
  { prefix: 'tcx/egress', progType: 'BPF_PROG_TYPE_SCHED_CLS', attachType: 'BPF_TCX_EGRESS', flags: [] },
  { prefix: 'tc', progType: 'BPF_PROG_TYPE_SCHED_CLS', flags: [] },
  { prefix: 'classifier', progType: 'BPF_PROG_TYPE_SCHED_CLS', flags: [] },
  { prefix: 'action', progType: 'BPF_PROG_TYPE_SCHED_ACT', flags: [] },
  { prefix: 'netkit/primary', progType: 'BPF_PROG_TYPE_SCHED_CLS', attachType: 'BPF_NETKIT_PRIMARY', flags: [] },
  { prefix: 'netkit/peer', progType: 'BPF_PROG_TYPE_SCHED_CLS', attachType: 'BPF_NETKIT_PEER', flags: [] },
  { prefix: 'tracepoint+', progType: 'BPF_PROG_TYPE_TRACEPOINT', flags: [] },
  { prefix: 'tp+', progType: 'BPF_PROG_TYPE_TRACEPOINT', flags: [] },
  { prefix: 'raw_tracepoint+', progType: 'BPF_PROG_TYPE_RAW_TRACEPOINT', flags: [] },
  { prefix: 'raw_tp+', progType: 'BPF_PROG_TYPE_RAW_TRACEPOINT', flags: [] },
  { prefix: 'raw_tracepoint.w+', progType: 'BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE', flags: [] },
  { prefix: 'raw_tp.w+', progType: 'BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE', flags: [] },
  { prefix: 'tp_btf+', progType: 'BPF_PROG_TYPE_TRACING', attachType: 'BPF_TRACE_RAW_TP', flags: ['attachBtf'] },
  { prefix: 'fentry+', progType: 'BPF_PROG_TYPE_TRACING', attachType: 'BPF_TRACE_FENTRY', flags: ['attachBtf'] },
  { prefix: 'fmod_ret+', progType: 'BPF_PROG_TYPE_TRACING', attachType: 'BPF_MODIFY_RETURN', flags: ['attachBtf'] },
  { prefix: 'fexit+', progType: 'BPF_PROG_TYPE_TRACING', attachType: 'BPF_TRACE_FEXIT', flags: ['attachBtf'] },
  { prefix: 'fentry.s+', progType: 'BPF_PROG_TYPE_TRACING', attachType: 'BPF_TRACE_FENTRY', flags: ['attachBtf', 'sleepable'] },
  { prefix: 'fmod_ret.s+', progType: 'BPF_PROG_TYPE_TRACING', attachType: 'BPF_MODIFY_RETURN', flags: ['attachBtf', 'sleepable'] },
  { prefix: 'fexit.s+', progType: 'BPF_PROG_TYPE_TRACING', attachType: 'BPF_TRACE_FEXIT', flags: ['attachBtf', 'sleepable'] },
  { prefix: 'fsession+', progType: 'BPF_PROG_TYPE_TRACING', attachType: 'BPF_TRACE_FSESSION', flags: ['attachBtf'] },
  { prefix: 'fsession.s+', progType: 'BPF_PROG_TYPE_TRACING', attachType: 'BPF_TRACE_FSESSION', flags: ['attachBtf', 'sleepable'] },
  { prefix: 'freplace+', progType: 'BPF_PROG_TYPE_EXT', flags: ['attachBtf'] },
  { prefix: 'lsm+', progType: 'BPF_PROG_TYPE_LSM', attachType: 'BPF_LSM_MAC', flags: ['attachBtf'] },
  { prefix: 'lsm.s+', progType: 'BPF_PROG_TYPE_LSM', attachType: 'BPF_LSM_MAC', flags: ['attachBtf', 'sleepable'] },
  { prefix: 'lsm_cgroup+', progType: 'BPF_PROG_TYPE_LSM', attachType: 'BPF_LSM_CGROUP', flags: ['attachBtf'] },
  { prefix: 'iter+', progType: 'BPF_PROG_TYPE_TRACING', attachType: 'BPF_TRACE_ITER', flags: ['attachBtf'] },
  { prefix: 'iter.s+', progType: 'BPF_PROG_TYPE_TRACING', attachType: 'BPF_TRACE_ITER', flags: ['attachBtf', 'sleepable'] },
  { prefix: 'syscall', progType: 'BPF_PROG_TYPE_SYSCALL', flags: ['sleepable'] },
  { prefix: 'xdp.frags/devmap', progType: 'BPF_PROG_TYPE_XDP', attachType: 'BPF_XDP_DEVMAP', flags: ['xdpFrags'] },
  { prefix: 'xdp/devmap', progType: 'BPF_PROG_TYPE_XDP', attachType: 'BPF_XDP_DEVMAP', flags: ['attachable'] },
  { prefix: 'xdp.frags/cpumap', progType: 'BPF_PROG_TYPE_XDP', attachType: 'BPF_XDP_CPUMAP', flags: ['xdpFrags'] },
  { prefix: 'xdp/cpumap', progType: 'BPF_PROG_TYPE_XDP', attachType: 'BPF_XDP_CPUMAP', flags: ['attachable'] },
  { prefix: 'xdp.frags', progType: 'BPF_PROG_TYPE_XDP', attachType: 'BPF_XDP', flags: ['xdpFrags'] },
  { prefix: 'xdp', progType: 'BPF_PROG_TYPE_XDP', attachType: 'BPF_XDP', flags: ['attachableOpt'] },
  { prefix: 'perf_event', progType: 'BPF_PROG_TYPE_PERF_EVENT', flags: [] },
  { prefix: 'lwt_in', progType: 'BPF_PROG_TYPE_LWT_IN', flags: [] },
  { prefix: 'lwt_out', progType: 'BPF_PROG_TYPE_LWT_OUT', flags: [] },
  { prefix: 'lwt_xmit', progType: 'BPF_PROG_TYPE_LWT_XMIT', flags: [] },
  { prefix: 'lwt_seg6local', progType: 'BPF_PROG_TYPE_LWT_SEG6LOCAL', flags: [] },
  { prefix: 'sockops', progType: 'BPF_PROG_TYPE_SOCK_OPS', attachType: 'BPF_CGROUP_SOCK_OPS', flags: ['attachableOpt'] },
  { prefix: 'sk_skb/stream_parser', progType: 'BPF_PROG_TYPE_SK_SKB', attachType: 'BPF_SK_SKB_STREAM_PARSER', flags: ['attachableOpt'] },
  { prefix: 'sk_skb/stream_verdict', progType: 'BPF_PROG_TYPE_SK_SKB', attachType: 'BPF_SK_SKB_STREAM_VERDICT', flags: ['attachableOpt'] },
  { prefix: 'sk_skb/verdict', progType: 'BPF_PROG_TYPE_SK_SKB', attachType: 'BPF_SK_SKB_VERDICT', flags: ['attachableOpt'] },
  { prefix: 'sk_skb', progType: 'BPF_PROG_TYPE_SK_SKB', flags: [] },
  { prefix: 'sk_msg', progType: 'BPF_PROG_TYPE_SK_MSG', attachType: 'BPF_SK_MSG_VERDICT', flags: ['attachableOpt'] },
  { prefix: 'lirc_mode2', progType: 'BPF_PROG_TYPE_LIRC_MODE2', attachType: 'BPF_LIRC_MODE2', flags: ['attachableOpt'] },
  { prefix: 'flow_dissector', progType: 'BPF_PROG_TYPE_FLOW_DISSECTOR', attachType: 'BPF_FLOW_DISSECTOR', flags: ['attachableOpt'] },
  { prefix: 'cgroup_skb/ingress', progType: 'BPF_PROG_TYPE_CGROUP_SKB', attachType: 'BPF_CGROUP_INET_INGRESS', flags: ['attachableOpt'] },
  { prefix: 'cgroup_skb/egress', progType: 'BPF_PROG_TYPE_CGROUP_SKB', attachType: 'BPF_CGROUP_INET_EGRESS', flags: ['attachableOpt'] },
  { prefix: 'cgroup/skb', progType: 'BPF_PROG_TYPE_CGROUP_SKB', flags: [] },
  { prefix: 'cgroup/sock_create', progType: 'BPF_PROG_TYPE_CGROUP_SOCK', attachType: 'BPF_CGROUP_INET_SOCK_CREATE', flags: ['attachable'] },
  { prefix: 'cgroup/sock_release', progType: 'BPF_PROG_TYPE_CGROUP_SOCK', attachType: 'BPF_CGROUP_INET_SOCK_RELEASE', flags: ['attachable'] },
  { prefix: 'cgroup/sock', progType: 'BPF_PROG_TYPE_CGROUP_SOCK', attachType: 'BPF_CGROUP_INET_SOCK_CREATE', flags: ['attachableOpt'] },
  { prefix: 'cgroup/post_bind4', progType: 'BPF_PROG_TYPE_CGROUP_SOCK', attachType: 'BPF_CGROUP_INET4_POST_BIND', flags: ['attachable'] },
  { prefix: 'cgroup/post_bind6', progType: 'BPF_PROG_TYPE_CGROUP_SOCK', attachType: 'BPF_CGROUP_INET6_POST_BIND', flags: ['attachable'] },
  { prefix: 'cgroup/bind4', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_INET4_BIND', flags: ['attachable'] },
  { prefix: 'cgroup/bind6', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_INET6_BIND', flags: ['attachable'] },
  { prefix: 'cgroup/connect4', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_INET4_CONNECT', flags: ['attachable'] },
  { prefix: 'cgroup/connect6', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_INET6_CONNECT', flags: ['attachable'] },
  { prefix: 'cgroup/connect_unix', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_UNIX_CONNECT', flags: ['attachable'] },
  { prefix: 'cgroup/sendmsg4', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_UDP4_SENDMSG', flags: ['attachable'] },
  { prefix: 'cgroup/sendmsg6', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_UDP6_SENDMSG', flags: ['attachable'] },
  { prefix: 'cgroup/sendmsg_unix', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_UNIX_SENDMSG', flags: ['attachable'] },
  { prefix: 'cgroup/recvmsg4', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_UDP4_RECVMSG', flags: ['attachable'] },
  { prefix: 'cgroup/recvmsg6', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_UDP6_RECVMSG', flags: ['attachable'] },
  { prefix: 'cgroup/recvmsg_unix', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_UNIX_RECVMSG', flags: ['attachable'] },
  { prefix: 'cgroup/getpeername4', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_INET4_GETPEERNAME', flags: ['attachable'] },
  { prefix: 'cgroup/getpeername6', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_INET6_GETPEERNAME', flags: ['attachable'] },
  { prefix: 'cgroup/getpeername_unix', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_UNIX_GETPEERNAME', flags: ['attachable'] },
  { prefix: 'cgroup/getsockname4', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_INET4_GETSOCKNAME', flags: ['attachable'] },
  { prefix: 'cgroup/getsockname6', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_INET6_GETSOCKNAME', flags: ['attachable'] },
  { prefix: 'cgroup/getsockname_unix', progType: 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', attachType: 'BPF_CGROUP_UNIX_GETSOCKNAME', flags: ['attachable'] },
  { prefix: 'cgroup/sysctl', progType: 'BPF_PROG_TYPE_CGROUP_SYSCTL', attachType: 'BPF_CGROUP_SYSCTL', flags: ['attachable'] },
  { prefix: 'cgroup/getsockopt', progType: 'BPF_PROG_TYPE_CGROUP_SOCKOPT', attachType: 'BPF_CGROUP_GETSOCKOPT', flags: ['attachable'] },
  { prefix: 'cgroup/setsockopt', progType: 'BPF_PROG_TYPE_CGROUP_SOCKOPT', attachType: 'BPF_CGROUP_SETSOCKOPT', flags: ['attachable'] },
  { prefix: 'cgroup/dev', progType: 'BPF_PROG_TYPE_CGROUP_DEVICE', attachType: 'BPF_CGROUP_DEVICE', flags: ['attachableOpt'] },
  { prefix: 'struct_ops+', progType: 'BPF_PROG_TYPE_STRUCT_OPS', flags: ['ignoreExtra'] },
  { prefix: 'struct_ops.s+', progType: 'BPF_PROG_TYPE_STRUCT_OPS', flags: ['sleepable', 'ignoreExtra'] },
  { prefix: 'sk_lookup', progType: 'BPF_PROG_TYPE_SK_LOOKUP', attachType: 'BPF_SK_LOOKUP', flags: ['attachable'] },
  { prefix: 'netfilter', progType: 'BPF_PROG_TYPE_NETFILTER', attachType: 'BPF_NETFILTER', flags: [] },
];

/** Entries older cilium/ebpf releases had before the table above (v0.13.0 to v0.20.0) and v0.21.0
 * removed: name spellings that predate libbpf's, still found in projects pinned to those releases. */
export const CILIUM_EBPF_REMOVED_SECTION_DEFS: readonly (CiliumSecDef & { removedIn: string })[] = [
  { prefix: 'xdp.frags/', progType: 'BPF_PROG_TYPE_XDP', attachType: 'BPF_XDP', flags: ['xdpFrags', 'ignoreExtra'], removedIn: 'v0.21.0' },
  { prefix: 'xdp.frags_devmap/', progType: 'BPF_PROG_TYPE_XDP', attachType: 'BPF_XDP_DEVMAP', flags: ['xdpFrags'], removedIn: 'v0.21.0' },
  { prefix: 'xdp_devmap/', progType: 'BPF_PROG_TYPE_XDP', attachType: 'BPF_XDP_DEVMAP', flags: [], removedIn: 'v0.21.0' },
  { prefix: 'xdp.frags_cpumap/', progType: 'BPF_PROG_TYPE_XDP', attachType: 'BPF_XDP_CPUMAP', flags: ['xdpFrags'], removedIn: 'v0.21.0' },
  { prefix: 'xdp_cpumap/', progType: 'BPF_PROG_TYPE_XDP', attachType: 'BPF_XDP_CPUMAP', flags: [], removedIn: 'v0.21.0' },
  { prefix: 'seccomp', progType: 'BPF_PROG_TYPE_SOCKET_FILTER', flags: [], removedIn: 'v0.21.0' },
];

/** cilium/ebpf's matchSectionName: the AttachTo text when `pattern` takes `name`, else undefined. */
export function ciliumPatternMatches(pattern: string, name: string): { extra: string } | undefined {
  const slash = name.indexOf('/');
  const have = slash < 0 ? name : name.slice(0, slash);
  const extra = slash < 0 ? '' : name.slice(slash + 1);
  const want = pattern.replace(/[+/]+$/, '');
  if (pattern.endsWith('/')) return have === want && slash >= 0 ? { extra } : undefined;
  if (pattern.endsWith('+')) return have === want ? { extra } : undefined;
  return name.startsWith(pattern) ? { extra: '' } : undefined;
}
