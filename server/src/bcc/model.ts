// What a BCC program is made of, as read from its C (and its Python, when there is one): tables, the
// methods called on them, probes with their attach targets, kernel-header includes, bpf_probe_read calls,
// `args->` in tracepoint probes and placeholders. Spans are offsets in the C text.
import type { Span } from '../csource/model';
import type { ProbeKind } from './tables';

export interface BccTable {
  name: string;
  macro: string;
  /** BCC's table type ("hash", "histogram", "perf_output"...). */
  bccType: string;
  /** The kernel map type libbpf declares (`BPF_MAP_TYPE_HASH`); undefined when BCC's type is unknown. */
  mapType?: string;
  key?: string;
  value?: string;
  /** max_entries as written (an expression), or the default. */
  size?: string;
  /** BPF_RINGBUF_OUTPUT's page count. */
  pages?: string;
  flags?: string;
  /** The inner map of a map-of-maps. */
  inner?: string;
  /** The whole statement, `;` included. */
  span: Span;
  nameSpan: Span;
}

export interface BccMethodCall {
  table: string;
  method: string;
  args: { text: string; span: Span }[];
  span: Span;
  /** `table.method`, the callee. */
  calleeSpan: Span;
}

/** Where a probe attaches: from its name, its macro, or the Python that attaches it. */
export interface AttachTarget {
  kind: ProbeKind;
  /** Kernel function, `category/name`, raw tracepoint, syscall name, `library:symbol`; undefined when set at run time. */
  target?: string;
}

export interface BccProbe {
  /** The program's name in the object (BCC's function name, or the one its macro defines). */
  name: string;
  kind: ProbeKind;
  target?: string;
  /** More targets the Python attaches the same function to. */
  moreTargets: string[];
  via: 'prefix' | 'macro' | 'python' | 'context';
  /** The macro, for macro probes. */
  macro?: string;
  /** The macro's arguments as written (`sched, sched_switch`; fentry arguments). */
  macroArgs: string[];
  /** Parameters as written (`struct sock *sk`), the context parameter first for plain functions. */
  params: string[];
  /** From the start of the head (return type) to the body's `{`, exclusive. */
  head: Span;
  body: Span;
  /** The name as written, for plain functions. */
  nameSpan: Span;
}

export interface BccInclude {
  path: string;
  /** The whole `#include <...>` line. */
  span: Span;
}

export interface BccProbeRead {
  callee: string;
  calleeSpan: Span;
  span: Span;
  args: { text: string; span: Span }[];
  /** The variant it must be: user memory (a `__user` pointer, a syscall argument) or kernel. */
  variant: 'kernel' | 'user';
}

export interface BccArgsUse {
  probe: string;
  field: string;
  /** `args->field`. */
  span: Span;
  /** A value read (not written, not its address, not continued by `.x` or `[i]`). */
  read: boolean;
}

export interface BccPlaceholder {
  name: string;
  span: Span;
}

export interface BccProgram {
  tables: BccTable[];
  methodCalls: BccMethodCall[];
  probes: BccProbe[];
  includes: BccInclude[];
  probeReads: BccProbeRead[];
  argsUses: BccArgsUse[];
  placeholders: BccPlaceholder[];
  /** Top-level functions that are not probes (helpers the probes call). */
  functions: { name: string; span: Span; params: string[]; body: Span }[];
}
