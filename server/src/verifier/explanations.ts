// What the verifier's messages mean, keyed by the kernel's own format strings (kernel/bpf/verifier.c and,
// for the older wordings, the kernels that printed them). Each entry: the format as the kernel writes it
// (documentation), a pattern that matches every wording of it, and in our words what it means, what
// usually causes it and what usually fixes it. Specific entries come before generic ones: the first
// entry matching any of the error lines explains the error (so `invalid access to map value, ...`
// explains the `R0 max value is outside of the allowed memory range` that follows it).
import { CORE_POISON_CALL, CORE_POISON_VALUE } from '../relocs/poison';

export interface Explanation {
  id: string;
  /** The kernel's printf format(s), for reference. */
  formats: string[];
  pattern: RegExp;
  meaning: string;
  cause: string;
  fix: string;
}

/** CO-RE's poison as the verifier says it, and as libbpf 1.0+ rewrites it in the log. */
export const CORE_POISON_MESSAGE = new RegExp(`${CORE_POISON_CALL}|0x${CORE_POISON_VALUE.toString(16)}|failed to resolve CO-RE relocation`);

export const EXPLANATIONS: readonly Explanation[] = [
  {
    id: 'core-poison',
    formats: ['invalid func unknown#195896080', 'failed to resolve CO-RE relocation %s (libbpf)'],
    pattern: CORE_POISON_MESSAGE,
    meaning: 'The program reached an instruction libbpf poisoned because a CO-RE relocation found no match in this kernel.',
    cause: 'A field, type or enum value the program reads through BPF_CORE_READ() or preserve_access_index does not exist in this kernel.',
    fix: 'Guard the access with bpf_core_field_exists() or bpf_core_type_exists() so the poisoned instruction is on a dead branch, or use a field every target kernel has.',
  },
  {
    id: 'scalar-deref',
    formats: ["R%d invalid mem access '%s' (scalar; 'inv' before 5.19)"],
    pattern: /R\d+ invalid mem access '(?:scalar|inv)'/,
    meaning: 'The program dereferences a register that holds a plain number, not a pointer the verifier knows.',
    cause: 'A kernel pointer read as an integer (a struct field, a helper result, a context field such as skb->mark) is used as an address, or a pointer lost its type through arithmetic the verifier does not track.',
    fix: 'Read kernel memory with BPF_CORE_READ() or bpf_probe_read_kernel(); dereference only pointers the verifier typed (context, map values, packet after a bounds check, BTF pointers).',
  },
  {
    id: 'null-deref',
    formats: ["R%d invalid mem access '%s' (a type ending in _or_null)"],
    pattern: /R\d+ invalid mem access '[^']*_or_null[^']*'/,
    meaning: 'The register may be NULL here, and the program dereferences it.',
    cause: 'The result of bpf_map_lookup_elem() (or another helper or kfunc that may return NULL) is used without checking it, or the check is on a copy the verifier does not link to this register.',
    fix: 'Test the pointer against NULL right after the call and use it only on the non-NULL branch (`if (!v) return 0;`).',
  },
  {
    id: 'uninit-register',
    formats: ['R%d !read_ok'],
    pattern: /R\d+ !read_ok/,
    meaning: 'A register is read before anything was written to it on this path.',
    cause: 'An uninitialised variable, a value expected to survive a helper call in R1-R5 (calls clobber them), or R0 not set before exit.',
    fix: 'Initialise the variable on every path; keep values that must survive a call in callee-saved registers (the compiler does this when the C is well-defined).',
  },
  {
    id: 'uninit-stack',
    formats: ['invalid indirect read from stack R%d off %d+%d size %d', 'invalid read from stack off %d+%d size %d'],
    pattern: /invalid (?:indirect )?read from stack/,
    meaning: 'Stack memory is read (directly, or by a helper through a pointer) before the program wrote it.',
    cause: 'A struct or buffer on the stack passed to a helper or map call with padding or fields never written; unprivileged loads may not read uninitialised stack at all.',
    fix: 'Zero the whole object first (`struct key k = {};` or __builtin_memset) before filling it and passing it on.',
  },
  {
    id: 'packet-bounds',
    formats: ['invalid access to packet, off=%d size=%d, R%d(id=%d,off=%d,r=%d)', 'R%d offset is outside of the packet'],
    pattern: /invalid access to packet|offset is outside of the packet/,
    meaning: 'A packet read or write goes beyond the bytes the program proved are there (r= in the message is the proven range).',
    cause: 'No comparison against data_end covers this offset, or the check was made on a different pointer or before a helper that may move packet data.',
    fix: 'Compare `data + offset + size` against data_end right before the access, on the pointer you dereference, and redo it after helpers such as bpf_skb_pull_data().',
  },
  {
    id: 'map-value-bounds',
    formats: ['invalid access to map value, value_size=%d off=%d size=%d'],
    pattern: /invalid access to map value/,
    meaning: 'An access to a map value falls outside the value: off and size are where it would read or write, value_size is how big the value is.',
    cause: 'An index or offset into the value (an array inside it) whose bound is missing or too loose, or a struct on the BPF side larger than the map\'s value.',
    fix: 'Bound the index by the real element count right before the access (`if (i >= ARRAY_SIZE(v->a)) return 0;`), and keep the value type the same on both sides.',
  },
  {
    id: 'min-negative',
    formats: ['R%d min value is negative, either use unsigned index or do a if (index >=0) check.'],
    pattern: /min value is negative/,
    meaning: 'The offset added to a pointer may be negative, so the access may land before the object.',
    cause: 'A signed index (int) used into a map value, the stack or a packet with only an upper bound check.',
    fix: 'Use an unsigned index type, or check `index >= 0` as well as the upper bound.',
  },
  {
    id: 'unbounded-access',
    formats: ['R%d unbounded memory access, make sure to bounds check any such access', 'R%d unbounded memory access, make sure to bounds check any array access into a map (older)'],
    pattern: /unbounded memory access/,
    meaning: 'The offset of a memory access has no usable upper bound, so the verifier cannot prove it stays inside the object.',
    cause: 'An index read from a map, the context or a helper is used without any comparison, or the comparison was made on a copy (or in a 32-bit subregister) that the verifier could not relate to the register used.',
    fix: 'Clamp the index right before the access (`if (i >= MAX) return 0;` or `i &= MAX - 1` for a power of two), on the same variable you index with.',
  },
  {
    id: 'unbounded-min-math',
    formats: ['math between %s pointer and register with unbounded min value is not allowed'],
    pattern: /math between \S+ pointer and register with unbounded min value/,
    meaning: 'A value with no known lower bound is added to a pointer (map_value, packet, stack...).',
    cause: 'A signed variable used as an offset without a `>= 0` check, often after a sign extension the compiler inserted.',
    fix: 'Make the index unsigned or check both bounds before adding it to the pointer.',
  },
  {
    id: 'back-edge',
    formats: ['back-edge from insn %d to %d', 'infinite loop detected at insn %d'],
    pattern: /back-edge from insn|infinite loop detected/,
    meaning: 'The program has a loop the verifier will not accept: either loops are not allowed here (kernels before 5.3, unprivileged loads) or it saw the same state twice around the loop, so the loop makes no progress.',
    cause: 'A loop whose exit condition never changes in a way the verifier can see (a busy-wait, or a condition on memory it cannot track).',
    fix: 'Give the loop a constant bound, use bpf_loop() or an open-coded iterator (bpf_for), or `#pragma unroll` a small fixed loop.',
  },
  {
    id: 'jump-sequence',
    formats: ['The sequence of %d jumps is too complex.'],
    pattern: /The sequence of \d+ jumps is too complex/,
    meaning: 'More than 8192 branches were waiting to be explored at once: every iteration of a loop left another branch behind.',
    cause: 'A loop with a branch inside (or a bound the verifier cannot see) that the verifier unrolls iteration by iteration.',
    fix: 'Bound the loop with a small constant, move its body into bpf_loop() or an open-coded iterator (bpf_for), or make the branch inside the loop branchless.',
  },
  {
    id: 'too-large',
    formats: ['BPF program is too large. Processed %d insn'],
    pattern: /BPF program is too large/,
    meaning: 'The verifier walked more than a million instructions (counting every path and every loop iteration) and gave up.',
    cause: 'A long loop the verifier simulates one iteration at a time, or many branches whose combinations multiply; the per-line visits show where the budget went.',
    fix: 'Use bpf_loop() or an open-coded iterator for long loops, reduce the branches whose states cannot be merged, or split the program with tail calls.',
  },
  {
    id: 'stack-size',
    formats: ['combined stack size of %d calls is %d. Too large'],
    pattern: /combined stack size of \d+ calls/,
    meaning: 'The stack frames of a chain of BPF-to-BPF calls add up to more than 512 bytes.',
    cause: 'Large local arrays or structs in functions that call each other.',
    fix: 'Move big buffers into a per-CPU array map (a scratch value looked up once), or make the functions smaller.',
  },
  {
    id: 'gpl-only',
    formats: ['cannot call GPL-restricted function from non-GPL compatible program', 'cannot call GPL only function from proprietary program (older)'],
    pattern: /cannot call GPL[- ](?:restricted|only) function/,
    meaning: 'The program calls a helper that only GPL-compatible programs may use.',
    cause: 'The license section is not GPL-compatible (for example "Proprietary"), or it is missing.',
    fix: 'Declare a GPL-compatible license (`char LICENSE[] SEC("license") = "GPL";` or "Dual BSD/GPL"), or avoid the GPL-only helper.',
  },
  {
    id: 'helper-not-allowed',
    formats: ['program of this type cannot use helper %s#%d', 'unknown func %s#%d (kernels before 6.3)', 'invalid func %s#%d'],
    pattern: /program of this type cannot use helper|unknown func|invalid func/,
    meaning: 'This helper is not available to this program type (or does not exist in this kernel).',
    cause: 'A helper from another world (an XDP or tracing helper in a socket filter...), or a helper newer than the kernel.',
    fix: 'Pick a helper this program type offers (bpftool feature probe lists them), change the SEC() program type, or require a newer kernel.',
  },
  {
    id: 'arg-type',
    formats: ['R%d type=%s expected=%s'],
    pattern: /R\d+ type=\S+ expected=/,
    meaning: 'A helper or kfunc argument has the wrong kind: the register holds one type (type=) where the call needs another (expected=).',
    cause: 'A scalar passed where a pointer to the stack, a map value or a map is needed, a possibly-NULL pointer not checked first, or arguments in the wrong order.',
    fix: 'Pass the kind of pointer the helper documents (the address of a stack variable, a checked map value, &map), checking NULL first.',
  },
  {
    id: 'unreleased-reference',
    formats: ['Unreleased reference id=%d alloc_insn=%d'],
    pattern: /Unreleased reference/,
    meaning: 'The program can exit while still holding a reference it acquired (alloc_insn is the instruction that took it).',
    cause: 'A socket, ring buffer reservation, task or other acquired object not released on some path, often an early return.',
    fix: 'Release it on every path before returning: bpf_sk_release(), bpf_ringbuf_submit()/discard(), the matching *_release kfunc.',
  },
  {
    id: 'ctx-access',
    formats: ['invalid bpf_context access off=%d size=%d'],
    pattern: /invalid bpf_context access/,
    meaning: 'The program reads or writes a context field that this program type may not access, or with the wrong size.',
    cause: 'The wrong context struct for the section (for example a tracepoint\'s struct for a kprobe), a write to a read-only field, or a narrower/wider load than the field allows.',
    fix: 'Use the context type of this program type (BPF_PROG/BPF_KPROBE macros, the tracepoint\'s format), read fields with their own size, and read kernel structs with BPF_CORE_READ().',
  },
  {
    id: 'exit-value',
    formats: ['At program exit the register R0 has %s should have been in %s'],
    pattern: /At (?:program exit|[\w ]*callback return) the register R0/,
    meaning: 'The value the program returns is outside what this program type allows (for example 0 or 1 for some cgroup hooks).',
    cause: 'Returning a computed or uninitialised value where the hook expects a verdict.',
    fix: 'Return one of the allowed constants on every path.',
  },
  {
    id: 'kfunc-not-allowed',
    formats: ['calling kernel function %s is not allowed'],
    pattern: /calling kernel function \S+ is not allowed/,
    meaning: 'The program calls a kfunc this program type (or this attach point, or this context) may not call.',
    cause: 'A kfunc registered only for some program types, or a sleepable kfunc from a non-sleepable program.',
    fix: 'Use a program type the kfunc is registered for (the kernel\'s kfunc documentation lists them), or a helper instead.',
  },
  {
    id: 'max-value-range',
    formats: ['R%d max value is outside of the allowed memory range', 'R%d min value is outside of the allowed memory range', 'R%d max value is outside of the array range (older)'],
    pattern: /(?:min|max) value is outside of the (?:allowed memory|array) range/,
    meaning: 'The largest (or smallest) value the offset may have puts the access outside the object.',
    cause: 'A bound check that allows more than the object holds, or none on this path.',
    fix: 'Tighten the bound right before the access to the object\'s real size.',
  },
  {
    id: 'pointer-arithmetic',
    formats: ['R%d pointer arithmetic on %s prohibited', 'dereference of modified %s ptr R%d off=%d disallowed'],
    pattern: /pointer arithmetic on \S+ prohibited|dereference of modified \S+ ptr/,
    meaning: 'Arithmetic on a pointer type that must be used as is (a context, a socket, a map pointer).',
    cause: 'Indexing into the context or a kernel object by computing an address instead of naming the field.',
    fix: 'Access the field by name (the compiler emits a fixed offset), or read through BPF_CORE_READ().',
  },
];

/** The explanation of an error: the first table entry that matches any of its lines. */
export function explain(lines: readonly string[]): Explanation | null {
  for (const e of EXPLANATIONS) if (lines.some((l) => e.pattern.test(l))) return e;
  return null;
}

/** One paragraph: meaning, cause, fix. */
export function explanationText(e: Explanation): string {
  return `${e.meaning} Usual cause: ${e.cause} Usual fix: ${e.fix}`;
}

/** The line among the error lines that explains the error best: the one the explanation matched first. */
export function informativeLine(lines: readonly string[], e: Explanation | null): string | null {
  if (!e) return lines[0] ?? null;
  return lines.find((l) => e.pattern.test(l)) ?? null;
}
