// What the verifier said, read from its log: the instruction count, the error line, the source line it
// concerns (from the `; code @ file.bpf.c:42` annotations libbpf's line_info puts in the log), and a
// plain explanation of the common messages.
import { CORE_POISON_CALL, CORE_POISON_VALUE } from '../relocs/poison';

export interface VerifierVerdict {
  processedInsns: number | undefined;
  /** The verifier's error message (the line before `processed N insns`), when the program was rejected. */
  message: string | undefined;
  /** The source line the failing instruction came from. */
  file: string | undefined;
  line: number | undefined;
  explanation: string | undefined;
}

/**
 * CO-RE's poison for a relocation that found no target: the verifier says `CORE_POISON_CALL`
 * (helper id `CORE_POISON_VALUE`), which libbpf 1.0+ rewrites in the log as `failed to resolve CO-RE relocation <kind> ...`.
 */
export const CORE_POISON_MESSAGE = new RegExp(`${CORE_POISON_CALL}|0x${CORE_POISON_VALUE.toString(16)}|failed to resolve CO-RE relocation`);
/** The poisoned instruction's line in the log, as the verifier or libbpf's rewrite prints it; group 1 is its index. */
export const CORE_POISON_INSN = new RegExp(`^(\\d+): (?:\\(85\\) call unknown#${CORE_POISON_VALUE}|<invalid CO-RE relocation>)`, 'gm');

const EXPLANATIONS: [RegExp, string][] = [
  [CORE_POISON_MESSAGE, 'A CO-RE relocation found no match in this kernel, so libbpf poisoned the instruction: a field, type or enum value the program uses does not exist here. Check the CO-RE diagnostics, or guard the access with bpf_core_field_exists().'],
  [/invalid mem access 'scalar'/, 'The program dereferences a plain number as a pointer: read kernel memory with BPF_CORE_READ()/bpf_probe_read_kernel(), or check the pointer came from a helper that returns one.'],
  [/invalid mem access '(map_value_or_null|ptr_or_null_|.*_or_null)'/, 'The pointer may be NULL here (a map lookup or helper can fail): test it against NULL before using it.'],
  [/unbounded memory access/, 'The verifier cannot prove an index or size stays within bounds: clamp it (e.g. `if (i >= MAX) return 0;` or `i &= MAX - 1`) before the access.'],
  [/program of this type cannot use helper|unknown func/, 'This helper is not allowed for this program type (or not in this kernel): pick another helper or program type.'],
  [/R\d+ !read_ok/, 'A register is read before anything was written to it: initialise the variable on every path.'],
  [/invalid indirect read from stack|invalid read from stack/, 'Stack memory is read before it is written: zero the buffer or struct (e.g. `= {}`) before passing it to a helper.'],
  [/back-edge|infinite loop detected|loop detected/, 'The verifier found a loop it cannot bound: use bpf_loop(), a bounded `for` with a constant limit, or `#pragma unroll`.'],
  [/BPF program is too large/, 'The program is too complex for the verifier: split it with tail calls or bpf_loop().'],
  [/invalid access to packet/, 'Packet access beyond what was bounds-checked: compare against data_end before reading.'],
  [/R\d+ type=\w+ expected=/, 'A helper received an argument of the wrong kind (for example a scalar where a pointer to the stack or a map value is expected).'],
];

export function analyzeLog(log: string): VerifierVerdict {
  const lines = log.split('\n');
  let processedInsns: number | undefined;
  let processedAt = -1;
  lines.forEach((l, i) => {
    const m = /^processed (\d+) insns/.exec(l);
    if (m) {
      processedInsns = Number(m[1]);
      processedAt = i;
    }
  });
  let message: string | undefined;
  const end = processedAt >= 0 ? processedAt : lines.length;
  for (let i = end - 1; i >= 0; i--) {
    const l = lines[i].trim();
    if (!l || /^\d+: \(/.test(l) || l.startsWith(';') || /^(from \d+ to \d+|verification time|stack depth|max_states)/.test(l)) continue;
    message = l;
    break;
  }
  // The source annotation nearest above the error is the line that caused it.
  let file: string | undefined;
  let line: number | undefined;
  for (let i = end - 1; message && i >= 0; i--) {
    const m = /^; .* @ (.+):(\d+)$/.exec(lines[i]);
    if (m) {
      file = m[1];
      line = Number(m[2]);
      break;
    }
  }
  const explanation = message ? EXPLANATIONS.find(([re]) => re.test(message!))?.[1] : undefined;
  return { processedInsns, message, file, line, explanation };
}
