// What libbpf's BPF-side macros do, as data: the helpers a read or print macro calls (so license and
// kernel-feature checks see through them), and what the arguments of a program-head macro are (typed
// values from BTF, or plain numbers read from pt_regs). Read from libbpf's bpf_helpers.h,
// bpf_tracing.h, bpf_core_read.h and usdt.bpf.h; test/unit/libbpf-macros.test.ts follows each
// macro's definitions in the installed headers to the helpers it reaches.

export type MacroHeader = 'bpf_helpers.h' | 'bpf_tracing.h' | 'bpf_core_read.h' | 'usdt.bpf.h';

export interface CallingMacro {
  header: MacroHeader;
  /** The helper the expansion calls (none for BPF_CORE_READ_BITFIELD, a direct CO-RE load). */
  calls?: string;
  /** For field-path macros (`BPF_CORE_READ(src, a, b.c)`): which argument is the source pointer. */
  source?: number;
  /** bpf_printk: with more than three values it calls bpf_trace_vprintk instead. */
  callsWithManyArgs?: string;
  /** The first libbpf release that has it, when later than 1.0 (what a project's vendored headers may lack). */
  since?: string;
}

const coreRead = (calls: string, source?: number): CallingMacro => ({ header: 'bpf_core_read.h', calls, source });

/** Macros that read or print through a helper, and the field-path macros, keyed by name. */
export const CALLING_MACROS: Readonly<Record<string, CallingMacro>> = {
  bpf_core_read: coreRead('bpf_probe_read_kernel'),
  bpf_core_read_user: coreRead('bpf_probe_read_user'),
  bpf_core_read_str: coreRead('bpf_probe_read_kernel_str'),
  bpf_core_read_user_str: coreRead('bpf_probe_read_user_str'),
  BPF_CORE_READ: coreRead('bpf_probe_read_kernel', 0),
  BPF_CORE_READ_INTO: coreRead('bpf_probe_read_kernel', 1),
  BPF_CORE_READ_STR_INTO: coreRead('bpf_probe_read_kernel_str', 1),
  BPF_CORE_READ_BITFIELD: { header: 'bpf_core_read.h', source: 0 },
  BPF_CORE_READ_BITFIELD_PROBED: coreRead('bpf_probe_read_kernel', 0),
  BPF_CORE_READ_USER: coreRead('bpf_probe_read_user', 0),
  BPF_CORE_READ_USER_INTO: coreRead('bpf_probe_read_user', 1),
  BPF_CORE_READ_USER_STR_INTO: coreRead('bpf_probe_read_user_str', 1),
  BPF_PROBE_READ: coreRead('bpf_probe_read', 0),
  BPF_PROBE_READ_INTO: coreRead('bpf_probe_read', 1),
  BPF_PROBE_READ_STR_INTO: coreRead('bpf_probe_read_str', 1),
  BPF_PROBE_READ_USER: coreRead('bpf_probe_read_user', 0),
  BPF_PROBE_READ_USER_INTO: coreRead('bpf_probe_read_user', 1),
  BPF_PROBE_READ_USER_STR_INTO: coreRead('bpf_probe_read_user_str', 1),
  bpf_printk: { header: 'bpf_helpers.h', calls: 'bpf_trace_printk', callsWithManyArgs: 'bpf_trace_vprintk' },
};

/** How many values bpf_printk passes to bpf_trace_printk before it switches to bpf_trace_vprintk. */
export const PRINTK_MAX_VALUES = 3;

/** The helper a use of a calling macro reaches, given its arguments (format string included). */
export function helperCalledBy(macro: CallingMacro, argCount: number): string | undefined {
  return macro.callsWithManyArgs && argCount - 1 > PRINTK_MAX_VALUES ? macro.callsWithManyArgs : macro.calls;
}

export type ArgumentSource =
  /** Values the verifier types from BTF: a pointer argument is a BTF pointer, readable directly. */
  | 'btf'
  /** Values read from the saved registers: to the verifier, plain numbers, whatever the declared type. */
  | 'pt_regs'
  /** USDT arguments: numbers fetched by libbpf's USDT support. */
  | 'usdt';

export interface HeadMacro {
  header: MacroHeader;
  args: ArgumentSource;
  since?: string;
}

/** `int MACRO(name, args...)` program heads, keyed by name. */
export const HEAD_MACROS = {
  BPF_PROG: { header: 'bpf_tracing.h', args: 'btf' },
  BPF_PROG2: { header: 'bpf_tracing.h', args: 'btf', since: '1.1' },
  BPF_KPROBE: { header: 'bpf_tracing.h', args: 'pt_regs' },
  BPF_KRETPROBE: { header: 'bpf_tracing.h', args: 'pt_regs' },
  BPF_KSYSCALL: { header: 'bpf_tracing.h', args: 'pt_regs' },
  BPF_KPROBE_SYSCALL: { header: 'bpf_tracing.h', args: 'pt_regs' },
  BPF_UPROBE: { header: 'bpf_tracing.h', args: 'pt_regs', since: '1.2' },
  BPF_URETPROBE: { header: 'bpf_tracing.h', args: 'pt_regs', since: '1.2' },
  BPF_USDT: { header: 'usdt.bpf.h', args: 'usdt' },
} as const satisfies Record<string, HeadMacro>;

export type HeadMacroName = keyof typeof HEAD_MACROS;
