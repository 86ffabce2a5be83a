// Small C-text scanners the BCC reader needs where tree-sitter cannot help (BCC's macros are not C: their
// arguments are types, and a probe macro followed by a block is not a function to the grammar). Each
// skips comments, strings and character literals, so a `)` or `}` inside them is never taken for code.
import type { Span } from '../csource/model';

/** The index just past a comment, string or char literal starting at `i`, or `i` when none starts there. */
function skipNonCode(text: string, i: number): number {
  const c = text[i];
  if (c === '/' && text[i + 1] === '/') {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl;
  }
  if (c === '/' && text[i + 1] === '*') {
    const end = text.indexOf('*/', i + 2);
    return end < 0 ? text.length : end + 2;
  }
  if (c === '"' || c === "'") {
    let j = i + 1;
    while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  return i;
}

/** The index of the bracket closing the one at `open` (`(`, `{`, `[`), or -1. */
export function matchingClose(text: string, open: number): number {
  const pairs: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const skipped = skipNonCode(text, i);
    if (skipped !== i) {
      i = skipped - 1;
      continue;
    }
    const c = text[i];
    if (pairs[c]) stack.push(pairs[c]);
    else if (c === ')' || c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/** The next index at or after `from` holding `ch` outside comments and strings, or -1. */
export function nextCodeChar(text: string, from: number, ch: string): number {
  for (let i = from; i < text.length; i++) {
    const skipped = skipNonCode(text, i);
    if (skipped !== i) {
      i = skipped - 1;
      continue;
    }
    if (text[i] === ch) return i;
  }
  return -1;
}

export interface ArgText {
  text: string;
  span: Span;
}

/** The comma-separated arguments between the parentheses at `open` and `close`, trimmed, with spans. */
export function splitArgs(text: string, open: number, close: number): ArgText[] {
  const out: ArgText[] = [];
  let depth = 0;
  let start = open + 1;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed) out.push({ text: trimmed, span: { start: start + lead, end: start + lead + trimmed.length } });
  };
  for (let i = open + 1; i < close; i++) {
    const skipped = skipNonCode(text, i);
    if (skipped !== i) {
      i = skipped - 1;
      continue;
    }
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      push(i);
      start = i + 1;
    }
  }
  push(close);
  return out;
}

/** The end of the line holding `i` (past its newline). */
export function lineEnd(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl + 1;
}

/** The start of the line holding `i`. */
export function lineStart(text: string, i: number): number {
  return text.lastIndexOf('\n', i - 1) + 1;
}

/** The indentation of the line holding `i`. */
export function indentAt(text: string, i: number): string {
  const start = lineStart(text, i);
  return /^[ \t]*/.exec(text.slice(start))![0];
}
