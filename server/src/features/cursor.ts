// What is under the cursor, answered once for hover, completion and definition. It reads the text
// around the cursor, not the tree: while a user types, an unclosed `BPF_CORE_READ(` turns the rest of the
// file into an error node, but the text is still there.
import { CallContext, Scope, callContext, coreReadTarget, expressionType, fieldPathSource } from './expression';
import { ExprType } from './types';
import { ParsedFile } from './service-context';
import { CSection } from '../csource/model';

export interface Word {
  text: string;
  start: number;
  end: number;
}

export type TypeKeyword = 'struct' | 'union' | 'enum';

export interface CursorContext {
  offset: number;
  /** The identifier at the cursor (hover, definition), or the part of it before the cursor (completion). */
  word?: Word;
  /** Inside `SEC("...")`: what is typed before the cursor, and the whole section when the string is closed. */
  section?: { typed: string; whole?: CSection };
  /** The word follows `struct`, `union` or `enum`. */
  typeKeyword?: TypeKeyword;
  /** The word follows `base->` or `base.`: the type of `base` as written (not dereferenced). */
  member?: { owner: ExprType; op: '->' | '.' };
  /** The word is a field argument of a BPF_CORE_READ-family macro. */
  coreRead?: { call: CallContext; owner?: ExprType; partial?: string };
  /** Inside `__uint(type, ...)` or `__uint(map_flags, ...)` of a map definition. */
  mapField?: 'type' | 'map_flags';
  /** After `BPF_PROG(name, `: the section of the program being written, and what is typed since the comma. */
  programArgs?: { section?: string; typed: string };
}

/**
 * The cursor's context. `completing`: the word is the part before the cursor (what completion replaces);
 * otherwise the whole identifier around it.
 */
export function cursorContext(file: ParsedFile, offset: number, scope: Scope, completing: boolean): CursorContext {
  const text = file.doc.getText();
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const line = text.slice(lineStart, offset);
  const out: CursorContext = { offset };
  const sec = /\bSEC\s*\(\s*"([^"]*)$/.exec(line);
  if (sec) out.section = { typed: sec[1], whole: file.model.sections.find((s) => s.span.start <= offset && offset <= s.span.end) };
  const mapField = /\b__uint\s*\(\s*(type|map_flags)\s*,[^)]*$/.exec(line);
  if (mapField) out.mapField = mapField[1] as 'type' | 'map_flags';
  const head = /\bBPF_PROG2?\s*\(\s*\w+\s*,\s*([^()]*)$/.exec(line);
  if (head) out.programArgs = { section: [...text.slice(0, offset).matchAll(/\bSEC\s*\(\s*"([^"]*)"\s*\)/g)].pop()?.[1], typed: head[1] };
  const word = completing ? prefixAt(text, offset) : wordAt(text, offset);
  if (!word) return out;
  out.word = word;
  const before = text.slice(Math.max(0, word.start - 64), word.start);
  // `struct `, `union `, `enum ` right before the word: read from the end, not searched for in the whole window.
  const trimmed = before.trimEnd();
  const keyword = trimmed.length < before.length ? /(?:^|\W)(struct|union|enum)$/.exec(trimmed.slice(-7)) : null;
  if (keyword) out.typeKeyword = keyword[1] as TypeKeyword;
  const access = /(->|\.)\s*$/.exec(before);
  const owner = access ? expressionType(chainBefore(text, word.start - access[0].length), scope) : undefined;
  if (owner) out.member = { owner, op: access![1] as '->' | '.' };
  const call = callContext(text, word.end);
  if (call && fieldPathSource(call.callee) !== undefined) {
    const target = coreReadTarget(call, scope);
    out.coreRead = { call, owner: target?.type, partial: target?.partial };
  }
  return out;
}

const WORD_CHAR = /\w/;

export function wordAt(text: string, offset: number): Word | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && WORD_CHAR.test(text[start - 1])) start--;
  while (end < text.length && WORD_CHAR.test(text[end])) end++;
  if (start === end) return undefined;
  return { text: text.slice(start, end), start, end };
}

/** The identifier characters just before `offset` (maybe none): what a completion replaces. */
function prefixAt(text: string, offset: number): Word {
  let start = offset;
  while (start > 0 && WORD_CHAR.test(text[start - 1])) start--;
  return { text: text.slice(start, offset), start, end: offset };
}

/** The access chain that ends at `end` (before a `->` or `.`), such as `task->mm` or `((struct x *)p)`. */
export function chainBefore(text: string, end: number): string {
  let i = end;
  let depth = 0;
  const stop = Math.max(0, end - 512);
  while (i > stop) {
    const c = text[i - 1];
    if (c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && !/[\w.>\-\s*]/.test(c)) break;
    else if (depth === 0 && c === '>' && text[i - 2] !== '-') break;
    else if (depth === 0 && c === '-' && text[i] !== '>') break;
    else if (depth === 0 && c === '*') break;
    i--;
  }
  // Two words in a row end one expression and start another: `return p->` is the chain `p`.
  return text.slice(i, end).trim().replace(/^.*\b\w+\s+(?=\w)/s, '');
}
