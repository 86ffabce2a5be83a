// Errors a CLI command reports as one line with exit code 2, never a stack trace.
export class UsageError extends Error {}

export const EXIT_OK = 0;
/** Diagnostics of severity error were found (check). */
export const EXIT_FINDINGS = 1;
/** Bad usage or bad input (unreadable or corrupt file, missing tool). */
export const EXIT_BAD_INPUT = 2;

/** Bad input (unreadable or corrupt file): the message already names the file and what is wrong. */
export class InputError extends Error {}
