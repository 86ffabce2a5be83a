// Every diagnostic code, with its default severity, what it says and why it has that severity: the one
// table the rules, the README and (later) a user's severity overrides read. Severity follows where
// libbpf and the kernel fail; `someKernels` is the severity when the problem exists in only some of the
// configured kernels.
import { DiagnosticSeverity } from 'vscode-languageserver-types';

export interface DiagnosticCodeInfo {
  severity: DiagnosticSeverity;
  someKernels?: DiagnosticSeverity;
  description: string;
  rationale: string;
}

const { Error, Warning, Information, Hint } = DiagnosticSeverity;

export const DIAGNOSTIC_CODES = {
  'unknown-section': {
    severity: Error, description: 'a SEC() name libbpf does not know',
    rationale: 'libbpf cannot tell the program type, so the object fails to load unless user space sets it',
  },
  'section-too-new': {
    severity: Warning, description: 'a SEC() name newer than the libbpf on the include path',
    rationale: 'the libbpf found here does not know it; the one the program ships with may',
  },
  'section-needs-target': {
    severity: Hint, description: 'a BTF-attached section without a target (`SEC("fentry")`)',
    rationale: 'valid when user space sets the target with bpf_program__set_attach_target() before loading',
  },
  'missing-target': {
    severity: Warning, description: 'an attach target missing in some or all kernels',
    rationale: 'the load (fentry, tp_btf, lsm) or the attach (kprobe, tracepoint) fails where the target does not exist, unless user space '
      + 'switches the program off (bpf_program__set_autoload) or retargets it (bpf_program__set_attach_target), as tools commonly do',
  },
  'optional-target-missing': {
    severity: Information, description: 'a missing target of a program that is optional (`SEC("?...")`), a placeholder, or one of alternatives sharing a body',
    rationale: 'such programs are loaded only when user space asks for them or sets their target, so a missing target is the expected case',
  },
  'malformed-target': {
    severity: Warning, description: 'a section target that cannot name anything (`tracepoint/nosuch`, `tp/a/b/c`)',
    rationale: 'libbpf cannot auto-attach it (a tracepoint section is `tp/<category>/<name>`); the load succeeds, and programs used as tail calls are never attached',
  },
  'legacy-map': {
    severity: Error, description: 'a `struct bpf_map_def` in SEC("maps")',
    rationale: 'libbpf 1.0 and newer refuse legacy map definitions when the object is opened',
  },
  'missing-license': {
    severity: Warning, description: 'no SEC("license") in a file whose programs need a GPL-compatible one (GPL-only helpers or kfuncs, LSM or struct_ops programs)',
    rationale: 'the kernel refuses them without one; a file is often linked with another that declares it, so it is not an error',
  },
  'no-license': {
    severity: Hint, description: 'no SEC("license") in a file whose programs need none',
    rationale: 'the kernel loads them as they are; only a GPL-only helper, a kfunc, or an LSM or struct_ops program added later would need it',
  },
  'gpl-only': {
    severity: Error, description: 'a GPL-only helper or a kfunc under a license the kernel does not count as GPL-compatible',
    rationale: 'the verifier refuses the call: "cannot call GPL-restricted function from non-GPL compatible program"',
  },
  'core-field-missing': {
    severity: Error, someKernels: Warning, description: 'a CO-RE field path missing in some or all kernels',
    rationale: 'libbpf cannot relocate the access there: it poisons the instruction and the verifier rejects the program if it runs it',
  },
  'core-no-alternative': {
    severity: Warning, description: 'guarded CO-RE alternatives that all miss in a kernel',
    rationale: 'the program loads but silently takes its fallback there',
  },
  'kernel-feature-missing': {
    severity: Error, someKernels: Warning, description: 'a helper, kfunc, kernel variable, map, program or attach type a kernel lacks',
    rationale: 'the load fails on kernels without it',
  },
  'program-head': {
    severity: Warning, description: 'a program head that does not fit its section (BPF_PROG under kprobe, a wrong context type)',
    rationale: 'the arguments are read from the wrong place, which compiles and loads but reads garbage or is rejected',
  },
  'program-args': {
    severity: Warning, description: 'BPF_PROG arguments that differ from the kernel prototype',
    rationale: 'each name receives the argument at its position in the prototype, whatever it is called',
  },
  'program-arg-number': {
    severity: Error, description: 'a BPF_PROG argument declared as a pointer and dereferenced, where the kernel passes a number',
    rationale: 'the verifier refuses the dereference: "invalid mem access \'scalar\'"',
  },
  'maybe-null-deref': {
    severity: Error, description: 'a read through a pointer that may be NULL (bpf_map_lookup_elem, bpf_ringbuf_reserve...) before any check',
    rationale: 'the verifier refuses the load: "invalid mem access \'map_value_or_null\'"',
  },
  'packet-bounds': {
    severity: Error, description: 'a read of packet data with no bounds check against data_end before it',
    rationale: 'the verifier refuses every packet access it cannot prove in bounds: "invalid access to packet"',
  },
  'direct-kernel-read': {
    severity: Error, description: 'a direct read through a kernel pointer where the verifier requires bpf_probe_read_kernel',
    rationale: 'kprobe, tracepoint and perf_event programs see kernel pointers as plain numbers; the verifier refuses loads through them',
  },
  'core-relo-error': {
    severity: Error, description: 'a CO-RE relocation of the built object that libbpf refuses',
    rationale: 'libbpf fails the whole load on that kernel',
  },
  'core-relo-unresolved': {
    severity: Error, someKernels: Warning, description: 'a CO-RE relocation of the built object with no match in some kernels',
    rationale: 'libbpf poisons the instruction; the verifier rejects the program if it reaches it',
  },
  'helper-not-allowed': {
    severity: Error, description: 'a helper the program type may not call (bpf_probe_write_user in an XDP program)',
    rationale: 'the verifier refuses the load: "program of this type cannot use helper bpf_X#N" (the table is probed from the kernel for a privileged loader)',
  },
  'bcc-table': {
    severity: Information, description: "a BCC table (BPF_HASH, BPF_ARRAY, BPF_HISTOGRAM, BPF_PERF_OUTPUT...) in BCC code",
    rationale: 'BCC code compiles under BCC; for libbpf the table becomes a BTF-defined map with the same key and value types (ebpf-ls convert-bcc)',
  },
  'bcc-table-method': {
    severity: Information, description: "a BCC table method (.lookup, .update, .increment, .perf_submit, .get_stackid...) in BCC code",
    rationale: "BCC's rewriter turns it into a helper call; libbpf code makes that call itself",
  },
  'bcc-probe': {
    severity: Information, description: 'a BCC probe (kprobe__fn, kretprobe__fn, syscall__name, TRACEPOINT_PROBE, RAW_TRACEPOINT_PROBE, KFUNC_PROBE, LSM_PROBE)',
    rationale: 'BCC attaches by name or macro; libbpf reads the attach point from SEC() and the arguments through BPF_KPROBE, BPF_KSYSCALL or BPF_PROG',
  },
  'bcc-tracepoint-args': {
    severity: Information, description: '`args->` in a BCC tracepoint probe',
    rationale: "BCC generates the struct from tracefs; libbpf programs take the event class's trace_event_raw_* struct from BTF",
  },
  'bcc-implicit-read': {
    severity: Information, description: 'a kernel pointer followed directly in BCC code (`task->real_parent->tgid`)',
    rationale: "BCC's rewriter makes it a bpf_probe_read; in libbpf code it must be written, as BPF_CORE_READ",
  },
  'bcc-probe-read': {
    severity: Information, description: 'bpf_probe_read() or bpf_probe_read_str() in BCC code',
    rationale: 'libbpf code names the memory read: bpf_probe_read_kernel() or bpf_probe_read_user() (and their _str forms)',
  },
  'bcc-kernel-header': {
    severity: Information, description: 'a kernel header (<linux/sched.h>, <net/sock.h>...) in BCC code',
    rationale: 'BCC compiles against the target\'s kernel headers; libbpf programs include vmlinux.h and libbpf\'s headers',
  },
  'bcc-placeholder': {
    severity: Information, description: "a placeholder BCC's Python substitutes (FILTER, PID_FILTER...)",
    rationale: "libbpf programs are compiled once: what the Python substituted becomes const volatile globals set through the skeleton",
  },
} satisfies Record<string, DiagnosticCodeInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** A user's severities by code (`ebpf.diagnostics.severity`, `check --severity`); `off` drops the code. */
export type SeverityName = 'error' | 'warning' | 'info' | 'hint' | 'off';
export type SeverityOverrides = Readonly<Record<string, SeverityName>>;

export const SEVERITY_NAMES: Readonly<Record<SeverityName, DiagnosticSeverity | undefined>> = {
  error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint, off: undefined,
};

/** The severity of a finding of `code`, in all configured kernels or only some; undefined when switched off. */
export function severityOf(code: DiagnosticCode, someKernels = false, overrides: SeverityOverrides = {}): DiagnosticSeverity | undefined {
  const user = overrides[code];
  if (user !== undefined && user in SEVERITY_NAMES) return SEVERITY_NAMES[user];
  const info: DiagnosticCodeInfo = DIAGNOSTIC_CODES[code];
  return someKernels ? info.someKernels ?? info.severity : info.severity;
}
