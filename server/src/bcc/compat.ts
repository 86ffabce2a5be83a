// What BCC programs take from kernel headers that vmlinux.h lacks, because BTF keeps types and enums but
// not #defines: constants (AF_INET, PF_KTHREAD, MINORBITS...), function-like macros (MAJOR, MINOR,
// S_ISREG), the member aliases of struct sock and inet_sock (`sk->sk_family` is
// `sk->__sk_common.skc_family`), and inline casts (tcp_sk(sk)). The converter defines only those a program
// uses and the kernel's BTF does not already name (an enum constant in vmlinux.h wins).

/** name -> `#define` body (function-like macros carry their parameter list in the key's value). */
export const KERNEL_MACROS: Readonly<Record<string, string>> = {
  TASK_COMM_LEN: '16',
  PAGE_SIZE: '4096',
  PAGE_SHIFT: '12',
  PAGE_OFFSET: '0xffff888000000000UL',
  PERF_MAX_STACK_DEPTH: '127',
  BPF_MAX_STACK_DEPTH: '127',
  AF_UNIX: '1', AF_INET: '2', AF_INET6: '10', AF_NETLINK: '16', AF_PACKET: '17', AF_UNSPEC: '0',
  PF_INET: '2', PF_INET6: '10',
  ETH_P_IP: '0x0800', ETH_P_IPV6: '0x86DD', ETH_P_ARP: '0x0806', ETH_HLEN: '14', ETH_ALEN: '6',
  NSEC_PER_SEC: '1000000000ULL', NSEC_PER_MSEC: '1000000ULL', NSEC_PER_USEC: '1000ULL', USEC_PER_SEC: '1000000ULL', USEC_PER_MSEC: '1000ULL', MSEC_PER_SEC: '1000ULL',
  PF_KTHREAD: '0x00200000', PF_EXITING: '0x00000004',
  TASK_RUNNING: '0x0000', TASK_INTERRUPTIBLE: '0x0001', TASK_UNINTERRUPTIBLE: '0x0002', __TASK_STOPPED: '0x0004', __TASK_TRACED: '0x0008',
  EXIT_DEAD: '0x0010', EXIT_ZOMBIE: '0x0020', TASK_DEAD: '0x0080', TASK_WAKEKILL: '0x0100', TASK_NOLOAD: '0x0400',
  DISK_NAME_LEN: '32', BDEVNAME_SIZE: '32', NAME_MAX: '255', PATH_MAX: '4096', DNAME_INLINE_LEN: '40',
  MINORBITS: '20', MINORMASK: '((1U << MINORBITS) - 1)',
  'MAJOR(dev)': '((unsigned int) ((dev) >> MINORBITS))', 'MINOR(dev)': '((unsigned int) ((dev) & MINORMASK))', 'MKDEV(ma, mi)': '(((ma) << MINORBITS) | (mi))',
  REQ_OP_BITS: '8', REQ_OP_MASK: '((1 << REQ_OP_BITS) - 1)',
  S_IFMT: '00170000', S_IFSOCK: '0140000', S_IFLNK: '0120000', S_IFREG: '0100000', S_IFBLK: '0060000', S_IFDIR: '0040000', S_IFCHR: '0020000', S_IFIFO: '0010000',
  'S_ISREG(m)': '(((m) & S_IFMT) == S_IFREG)', 'S_ISDIR(m)': '(((m) & S_IFMT) == S_IFDIR)', 'S_ISCHR(m)': '(((m) & S_IFMT) == S_IFCHR)',
  'S_ISBLK(m)': '(((m) & S_IFMT) == S_IFBLK)', 'S_ISFIFO(m)': '(((m) & S_IFMT) == S_IFIFO)', 'S_ISSOCK(m)': '(((m) & S_IFMT) == S_IFSOCK)', 'S_ISLNK(m)': '(((m) & S_IFMT) == S_IFLNK)',
  O_RDONLY: '00000000', O_WRONLY: '00000001', O_RDWR: '00000002', O_CREAT: '00000100', O_TRUNC: '00001000', O_APPEND: '00002000',
  FMODE_READ: '0x1', FMODE_WRITE: '0x2', FMODE_EXEC: '0x20', FMODE_CREATED: '0x100000',
  MAX_NICE: '19', MIN_NICE: '-20', NICE_WIDTH: '40', MAX_RT_PRIO: '100', DEFAULT_PRIO: '(MAX_RT_PRIO + NICE_WIDTH / 2)',
  'ntohs(x)': 'bpf_ntohs(x)', 'htons(x)': 'bpf_htons(x)', 'ntohl(x)': 'bpf_ntohl(x)', 'htonl(x)': 'bpf_htonl(x)',
  'be16_to_cpu(x)': 'bpf_ntohs(x)', 'be32_to_cpu(x)': 'bpf_ntohl(x)', 'cpu_to_be16(x)': 'bpf_htons(x)', 'cpu_to_be32(x)': 'bpf_htonl(x)',
  'offsetof(TYPE, MEMBER)': '__builtin_offsetof(TYPE, MEMBER)',
  'container_of(ptr, type, member)': '({ void *__mptr = (void *)(ptr); ((type *)(__mptr - offsetof(type, member))); })',
  'READ_ONCE(x)': '(*(volatile typeof(x) *)&(x))',
  'likely(x)': '__builtin_expect(!!(x), 1)', 'unlikely(x)': '__builtin_expect(!!(x), 0)',
  IFNAMSIZ: '16', INET_ADDRSTRLEN: '16', INET6_ADDRSTRLEN: '48', TCP_CA_NAME_MAX: '16',
  SIGKILL: '9', SIGTERM: '15',
  'min(x, y)': '((x) < (y) ? (x) : (y))', 'max(x, y)': '((x) > (y) ? (x) : (y))',
  'skb_rx_queue_recorded(skb)': '(BPF_CORE_READ(skb, queue_mapping) != 0)', 'skb_get_rx_queue(skb)': '(BPF_CORE_READ(skb, queue_mapping) - 1)',
  SG_CHAIN: '0x01UL', SG_END: '0x02UL', SG_PAGE_LINK_MASK: '(SG_CHAIN | SG_END)',
  'sg_is_chain(sg)': '(BPF_CORE_READ(sg, page_link) & SG_CHAIN)', 'sg_is_last(sg)': '(BPF_CORE_READ(sg, page_link) & SG_END)',
  'sg_chain_ptr(sg)': '((struct scatterlist *)(BPF_CORE_READ(sg, page_link) & ~SG_PAGE_LINK_MASK))',
  'KERNEL_VERSION(a, b, c)': '(((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))',
  __user: '',
  __percpu: '',
  __rcu: '',
  __force: '',
};

/** Member names the kernel headers #define as paths into an embedded struct. */
export const MEMBER_ALIASES: Readonly<Record<string, string>> = {
  sk_node: '__sk_common.skc_node', sk_nulls_node: '__sk_common.skc_nulls_node', sk_refcnt: '__sk_common.skc_refcnt',
  sk_tx_queue_mapping: '__sk_common.skc_tx_queue_mapping', sk_dontcopy_begin: '__sk_common.skc_dontcopy_begin',
  sk_dontcopy_end: '__sk_common.skc_dontcopy_end', sk_hash: '__sk_common.skc_hash', sk_portpair: '__sk_common.skc_portpair',
  sk_num: '__sk_common.skc_num', sk_dport: '__sk_common.skc_dport', sk_addrpair: '__sk_common.skc_addrpair',
  sk_daddr: '__sk_common.skc_daddr', sk_rcv_saddr: '__sk_common.skc_rcv_saddr', sk_family: '__sk_common.skc_family',
  sk_state: '__sk_common.skc_state', sk_reuse: '__sk_common.skc_reuse', sk_reuseport: '__sk_common.skc_reuseport',
  sk_ipv6only: '__sk_common.skc_ipv6only', sk_net_refcnt: '__sk_common.skc_net_refcnt', sk_bound_dev_if: '__sk_common.skc_bound_dev_if',
  sk_bind_node: '__sk_common.skc_bind_node', sk_prot: '__sk_common.skc_prot', sk_net: '__sk_common.skc_net',
  sk_v6_daddr: '__sk_common.skc_v6_daddr', sk_v6_rcv_saddr: '__sk_common.skc_v6_rcv_saddr', sk_cookie: '__sk_common.skc_cookie',
  sk_incoming_cpu: '__sk_common.skc_incoming_cpu', sk_flags: '__sk_common.skc_flags', sk_rxhash: '__sk_common.skc_rxhash',
  inet_daddr: 'sk.__sk_common.skc_daddr', inet_rcv_saddr: 'sk.__sk_common.skc_rcv_saddr', inet_dport: 'sk.__sk_common.skc_dport',
  inet_num: 'sk.__sk_common.skc_num',
};

/** Kernel inline functions that are casts of a socket to its protocol's struct. */
export const CAST_FUNCTIONS: Readonly<Record<string, string>> = {
  tcp_sk: 'struct tcp_sock', inet_sk: 'struct inet_sock', inet_csk: 'struct inet_connection_sock', udp_sk: 'struct udp_sock',
  raw_sk: 'struct raw_sock', tcp_rsk: 'struct tcp_request_sock', inet_rsk: 'struct inet_request_sock', inet_twsk: 'struct inet_timewait_sock',
};

/** The macro's name (without parameters) for each KERNEL_MACROS key. */
export function macroName(key: string): string {
  return key.replace(/\(.*$/, '');
}
