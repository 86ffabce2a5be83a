// CO-RE's poison: the helper id libbpf calls in place of an instruction whose relocation found no target.

/** libbpf's helper id for a poisoned instruction ("bad relo"); no kernel has it, so only reaching it fails verification. */
export const CORE_POISON_VALUE = 0xbad2310;

/** What the verifier says when it reaches a poisoned instruction: `invalid func unknown#195896080`. */
export const CORE_POISON_CALL = `invalid func unknown#${CORE_POISON_VALUE}`;
