// The short answer about a verifier log: the instruction count, the error line, the source line it
// concerns and a plain explanation. The whole model is ./parse (VerifierLog), ./summary (what the CLI
// prints), ./causal and ./stats.
import { CORE_POISON_VALUE } from '../relocs/poison';
import { parseVerifierLog } from './parse';
import { summarizeLog } from './summary';

export { CORE_POISON_MESSAGE } from './explanations';

export interface VerifierVerdict {
  processedInsns: number | undefined;
  /** The verifier's error message (its last word before `processed N insns`), when the program was rejected. */
  message: string | undefined;
  /** The source line the failing instruction came from. */
  file: string | undefined;
  line: number | undefined;
  explanation: string | undefined;
}

/** The poisoned instruction's line in the log, as the verifier or libbpf's rewrite prints it; group 1 is its index. */
export const CORE_POISON_INSN = new RegExp(`^(\\d+): (?:\\(85\\) call unknown#${CORE_POISON_VALUE}|<invalid CO-RE relocation>)`, 'gm');

export function analyzeLog(log: string): VerifierVerdict {
  const s = summarizeLog(parseVerifierLog(log));
  return {
    processedInsns: s.processedInsns ?? undefined,
    message: s.error?.message,
    file: s.error?.file ?? undefined,
    line: s.error?.line ?? undefined,
    explanation: s.error?.explanation ?? undefined,
  };
}
