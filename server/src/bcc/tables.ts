// BCC's vocabulary as data, read from bcc's src/cc/export/helpers.h and its clang frontend
// (b_frontend_action.cc): the table macros with their default arguments and the map type each becomes,
// the methods a table offers and the helper each is rewritten to, the probe naming conventions and probe
// macros, and what marks a file as libbpf rather than BCC.

/** One BCC table macro: its arguments in order, with BCC's defaults for the optional ones. */
export interface TableMacro {
  /** BCC's table type ("hash", "histogram"...), as in `section("maps/<type>")`. */
  bccType: string;
  /** The macro's parameters in order; `name` is always first. */
  params: readonly ('name' | 'key' | 'value' | 'size' | 'pages' | 'inner' | 'flags')[];
  /** How many leading parameters are required. */
  required: number;
  defaults: Partial<Record<'key' | 'value' | 'size' | 'flags', string>>;
}

const table = (bccType: string, params: TableMacro['params'], required: number, defaults: TableMacro['defaults'] = {}): TableMacro => ({ bccType, params, required, defaults });

export const TABLE_MACROS: Readonly<Record<string, TableMacro>> = {
  BPF_HASH: table('hash', ['name', 'key', 'value', 'size'], 1, { key: 'u64', value: 'u64', size: '10240' }),
  BPF_PERCPU_HASH: table('percpu_hash', ['name', 'key', 'value', 'size'], 1, { key: 'u64', value: 'u64', size: '10240' }),
  BPF_LRU_HASH: table('lru_hash', ['name', 'key', 'value', 'size'], 1, { key: 'u64', value: 'u64', size: '10240' }),
  BPF_ARRAY: table('array', ['name', 'value', 'size'], 1, { key: 'int', value: 'u64', size: '10240' }),
  BPF_PERCPU_ARRAY: table('percpu_array', ['name', 'value', 'size'], 1, { key: 'int', value: 'u64', size: '10240' }),
  BPF_HISTOGRAM: table('histogram', ['name', 'key', 'size'], 1, { key: 'int', value: 'u64', size: '64' }),
  BPF_LPM_TRIE: table('lpm_trie', ['name', 'key', 'value', 'size'], 1, { key: 'u64', value: 'u64', size: '10240', flags: 'BPF_F_NO_PREALLOC' }),
  BPF_STACK_TRACE: table('stacktrace', ['name', 'size'], 2, { key: 'int', value: 'struct bpf_stacktrace' }),
  BPF_STACK_TRACE_BUILDID: table('stacktrace', ['name', 'size'], 2, { key: 'int', value: 'struct bpf_stacktrace_buildid', flags: 'BPF_F_STACK_BUILD_ID' }),
  BPF_PERF_OUTPUT: table('perf_output', ['name'], 1, { key: 'int', value: 'u32' }),
  BPF_RINGBUF_OUTPUT: table('ringbuf', ['name', 'pages'], 2),
  BPF_PERF_ARRAY: table('perf_array', ['name', 'size'], 2, { key: 'int', value: 'u32' }),
  BPF_CGROUP_ARRAY: table('cgroup_array', ['name', 'size'], 2, { key: 'int', value: 'u32' }),
  BPF_PROG_ARRAY: table('prog', ['name', 'size'], 2, { key: 'u32', value: 'u32' }),
  BPF_DEVMAP: table('devmap', ['name', 'size'], 2, { key: 'u32', value: 'int' }),
  BPF_CPUMAP: table('cpumap', ['name', 'size'], 2, { key: 'u32', value: 'u32' }),
  BPF_XSKMAP: table('xskmap', ['name', 'size'], 2, { key: 'u32', value: 'int' }),
  BPF_QUEUE: table('queue', ['name', 'value', 'size', 'flags'], 3, { flags: '0' }),
  BPF_STACK: table('stack', ['name', 'value', 'size', 'flags'], 3, { flags: '0' }),
  BPF_SK_STORAGE: table('sk_storage', ['name', 'value'], 2, { key: 'int', flags: 'BPF_F_NO_PREALLOC' }),
  BPF_INODE_STORAGE: table('inode_storage', ['name', 'value'], 2, { key: 'int', flags: 'BPF_F_NO_PREALLOC' }),
  BPF_TASK_STORAGE: table('task_storage', ['name', 'value'], 2, { key: 'int', flags: 'BPF_F_NO_PREALLOC' }),
  BPF_SOCKMAP: table('sockmap', ['name', 'size'], 2, { key: 'u32', value: 'int' }),
  BPF_SOCKHASH: table('sockhash', ['name', 'key', 'size'], 1, { key: 'u32', value: 'int', size: '10240' }),
  BPF_CGROUP_STORAGE: table('cgroup_storage', ['name', 'value'], 2, { key: 'struct bpf_cgroup_storage_key' }),
  BPF_PERCPU_CGROUP_STORAGE: table('percpu_cgroup_storage', ['name', 'value'], 2, { key: 'struct bpf_cgroup_storage_key' }),
  BPF_ARRAY_OF_MAPS: table('array_of_maps', ['name', 'inner', 'size'], 3, { key: 'int', value: 'int' }),
  BPF_HASH_OF_MAPS: table('hash_of_maps', ['name', 'key', 'inner', 'size'], 2, { key: 'int', value: 'int', size: '10240' }),
};

/** `BPF_TABLE("hash", key, value, name, size)` and friends: the generic forms (type string first). */
export const GENERIC_TABLE_MACROS = new Set(['BPF_TABLE', 'BPF_F_TABLE', 'BPF_TABLE_PINNED', 'BPF_TABLE_PUBLIC', 'BPF_TABLE_SHARED']);

/** BCC's table type string to the kernel map type, as BCC's frontend maps it (histogram: see mapTypeOf). */
export const BCC_MAP_TYPES: Readonly<Record<string, string>> = {
  hash: 'BPF_MAP_TYPE_HASH', array: 'BPF_MAP_TYPE_ARRAY', percpu_hash: 'BPF_MAP_TYPE_PERCPU_HASH', percpu_array: 'BPF_MAP_TYPE_PERCPU_ARRAY',
  lru_hash: 'BPF_MAP_TYPE_LRU_HASH', lru_percpu_hash: 'BPF_MAP_TYPE_LRU_PERCPU_HASH', lpm_trie: 'BPF_MAP_TYPE_LPM_TRIE',
  histogram: 'BPF_MAP_TYPE_HASH', prog: 'BPF_MAP_TYPE_PROG_ARRAY', perf_output: 'BPF_MAP_TYPE_PERF_EVENT_ARRAY', ringbuf: 'BPF_MAP_TYPE_RINGBUF',
  perf_array: 'BPF_MAP_TYPE_PERF_EVENT_ARRAY', queue: 'BPF_MAP_TYPE_QUEUE', stack: 'BPF_MAP_TYPE_STACK', cgroup_array: 'BPF_MAP_TYPE_CGROUP_ARRAY',
  stacktrace: 'BPF_MAP_TYPE_STACK_TRACE', devmap: 'BPF_MAP_TYPE_DEVMAP', cpumap: 'BPF_MAP_TYPE_CPUMAP', xskmap: 'BPF_MAP_TYPE_XSKMAP',
  hash_of_maps: 'BPF_MAP_TYPE_HASH_OF_MAPS', array_of_maps: 'BPF_MAP_TYPE_ARRAY_OF_MAPS', sk_storage: 'BPF_MAP_TYPE_SK_STORAGE',
  inode_storage: 'BPF_MAP_TYPE_INODE_STORAGE', task_storage: 'BPF_MAP_TYPE_TASK_STORAGE', sockmap: 'BPF_MAP_TYPE_SOCKMAP', sockhash: 'BPF_MAP_TYPE_SOCKHASH',
  cgroup_storage: 'BPF_MAP_TYPE_CGROUP_STORAGE', percpu_cgroup_storage: 'BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE',
};

/** BCC's histogram is an array when its key is `int`, else a hash (b_frontend_action.cc). */
export function mapTypeOf(bccType: string, key: string): string | undefined {
  if (bccType === 'histogram') return key.trim() === 'int' ? 'BPF_MAP_TYPE_ARRAY' : 'BPF_MAP_TYPE_HASH';
  return BCC_MAP_TYPES[bccType.replace(/[:$].*$/, '')];
}

/**
 * A table method and its libbpf form. `map` is where `&table` goes among the call's arguments
 * (`lookup(k)` -> bpf_map_lookup_elem(&table, k)); `suffix` arguments are appended; `helper` undefined
 * means the converter writes a helper function for it (increment, lookup_or_try_init).
 */
export interface TableMethod {
  helper?: string;
  map?: number;
  suffix?: string[];
  /** Arguments kept, in order (indexes into the call's arguments); all when unset. */
  keep?: number[];
}

export const TABLE_METHODS: Readonly<Record<string, TableMethod>> = {
  lookup: { helper: 'bpf_map_lookup_elem', map: 0 },
  update: { helper: 'bpf_map_update_elem', map: 0, suffix: ['BPF_ANY'] },
  insert: { helper: 'bpf_map_update_elem', map: 0, suffix: ['BPF_NOEXIST'] },
  delete: { helper: 'bpf_map_delete_elem', map: 0 },
  lookup_or_try_init: {},
  lookup_or_init: {},
  increment: {},
  atomic_increment: {},
  perf_submit: { helper: 'bpf_perf_event_output', map: 1 },
  perf_submit_skb: {},
  ringbuf_output: { helper: 'bpf_ringbuf_output', map: 0 },
  ringbuf_reserve: { helper: 'bpf_ringbuf_reserve', map: 0, suffix: ['0'], keep: [0] },
  ringbuf_submit: { helper: 'bpf_ringbuf_submit' },
  ringbuf_discard: { helper: 'bpf_ringbuf_discard' },
  ringbuf_query: { helper: 'bpf_ringbuf_query', map: 0 },
  get_stackid: { helper: 'bpf_get_stackid', map: 1 },
  call: { helper: 'bpf_tail_call', map: 1 },
  perf_read: { helper: 'bpf_perf_event_read', map: 0 },
  perf_counter_value: { helper: 'bpf_perf_event_read_value', map: 0 },
  check_current_task: { helper: 'bpf_current_task_under_cgroup', map: 0 },
  redirect_map: { helper: 'bpf_redirect_map', map: 0 },
  push: { helper: 'bpf_map_push_elem', map: 0 },
  pop: { helper: 'bpf_map_pop_elem', map: 0 },
  peek: { helper: 'bpf_map_peek_elem', map: 0 },
  sk_storage_get: { helper: 'bpf_sk_storage_get', map: 0 },
  sk_storage_delete: { helper: 'bpf_sk_storage_delete', map: 0 },
  inode_storage_get: { helper: 'bpf_inode_storage_get', map: 0 },
  inode_storage_delete: { helper: 'bpf_inode_storage_delete', map: 0 },
  task_storage_get: { helper: 'bpf_task_storage_get', map: 0 },
  task_storage_delete: { helper: 'bpf_task_storage_delete', map: 0 },
  get_local_storage: { helper: 'bpf_get_local_storage', map: 0 },
  sock_map_update: { helper: 'bpf_sock_map_update', map: 1 },
  sock_hash_update: { helper: 'bpf_sock_hash_update', map: 1 },
  msg_redirect_hash: { helper: 'bpf_msg_redirect_hash', map: 1 },
  sk_redirect_hash: { helper: 'bpf_sk_redirect_hash', map: 1 },
};

/** The probe naming conventions BCC's Python attaches automatically. */
export const PROBE_PREFIXES = ['kprobe__', 'kretprobe__', 'syscall__'] as const;
export type ProbePrefix = (typeof PROBE_PREFIXES)[number];

/** BCC's probe macros and the BPF_PROG-style name each gives its program. */
export const PROBE_MACROS: Readonly<Record<string, { program: (args: string[]) => string; kind: ProbeKind }>> = {
  TRACEPOINT_PROBE: { kind: 'tracepoint', program: (a) => `tracepoint__${a[0]}__${a[1]}` },
  RAW_TRACEPOINT_PROBE: { kind: 'raw_tracepoint', program: (a) => `raw_tracepoint__${a[0]}` },
  KFUNC_PROBE: { kind: 'fentry', program: (a) => `kfunc__vmlinux__${a[0]}` },
  KRETFUNC_PROBE: { kind: 'fexit', program: (a) => `kretfunc__vmlinux__${a[0]}` },
  MODULE_KFUNC_PROBE: { kind: 'fentry', program: (a) => `kfunc__${a[0]}__${a[1]}` },
  MODULE_KRETFUNC_PROBE: { kind: 'fexit', program: (a) => `kretfunc__${a[0]}__${a[1]}` },
  KMOD_RET: { kind: 'fmod_ret', program: (a) => `kmod_ret__${a[0]}` },
  LSM_PROBE: { kind: 'lsm', program: (a) => `lsm__${a[0]}` },
  BPF_ITER: { kind: 'iter', program: (a) => `bpf_iter__${a[0]}` },
};

export type ProbeKind =
  | 'kprobe' | 'kretprobe' | 'ksyscall' | 'kretsyscall' | 'tracepoint' | 'raw_tracepoint' | 'fentry' | 'fexit' | 'fmod_ret' | 'lsm' | 'iter'
  | 'uprobe' | 'uretprobe' | 'usdt' | 'perf_event' | 'socket' | 'xdp' | 'tc';

/** libbpf's section prefix for each kind of probe. */
export const SECTION_PREFIX: Readonly<Record<ProbeKind, string>> = {
  kprobe: 'kprobe', kretprobe: 'kretprobe', ksyscall: 'ksyscall', kretsyscall: 'kretsyscall', tracepoint: 'tracepoint', raw_tracepoint: 'raw_tp',
  fentry: 'fentry', fexit: 'fexit', fmod_ret: 'fmod_ret', lsm: 'lsm', iter: 'iter', uprobe: 'uprobe', uretprobe: 'uretprobe', usdt: 'usdt',
  perf_event: 'perf_event', socket: 'socket', xdp: 'xdp', tc: 'tc',
};

/** Headers that make a file libbpf code, whatever macros it uses. */
export const LIBBPF_HEADERS = /^(?:bpf\/)?(?:bpf_helpers|bpf_tracing|bpf_core_read|bpf_endian|usdt\.bpf)\.h$|(?:^|\/)vmlinux\.h$/;

/** Kernel-header include paths BCC compiles against and libbpf replaces with vmlinux.h. */
export const KERNEL_HEADER = /^(?:uapi\/|linux\/|net\/|asm\/|bcc\/|trace\/|scsi\/|crypto\/|xen\/|sound\/|drm\/|rdma\/|kvm\/)/;

/** Placeholders BCC's tools put in their C for the Python side to substitute. */
export const KNOWN_PLACEHOLDERS = new Set([
  'FILTER', 'PID_FILTER', 'TGID_FILTER', 'TID_FILTER', 'UID_FILTER', 'PID_TID_FILTER', 'FILTER_PID', 'FILTER_TID', 'FILTER_UID', 'FILTER_PORT',
  'FILTER_FAMILY', 'FILTER_COMM', 'FILTER_ERRNO', 'FILTER_US', 'FILTER_MS', 'FILTER_DEV', 'FILTER_CPU', 'FILTER_CG', 'FILTER_NETNS',
  'CGROUPSET', 'STORE', 'STORAGE', 'STORE_COMM', 'FACTOR', 'THRESHOLD', 'MIN_NS', 'MIN_US', 'MAX_PID', 'DEPTH', 'USER_STACK_GET', 'KERNEL_STACK_GET',
]);

/** Context types a probe's first parameter may have: the program's context, never a kernel pointer to follow. */
export const CONTEXT_TYPES = new Set([
  'struct pt_regs', 'struct bpf_perf_event_data', 'struct bpf_raw_tracepoint_args', 'struct __sk_buff', 'struct xdp_md', 'struct bpf_sock_ops',
  'struct sk_msg_md', 'struct sk_reuseport_md', 'struct bpf_sock_addr', 'struct bpf_sock', 'struct bpf_sockopt', 'struct bpf_sysctl',
]);
