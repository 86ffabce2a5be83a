// A Python tokenizer just deep enough to find the C text a BCC tool hands to BPF(text=...): strings (every
// prefix and quote form, with their escapes decoded and each character's offset in the file kept),
// names, numbers, operators, and logical lines with their indentation.

export type PyToken =
  | { kind: 'string'; start: number; end: number; value: string; offsets: number[]; formatted: boolean }
  | { kind: 'name'; start: number; end: number; text: string }
  | { kind: 'number'; start: number; end: number; text: string }
  | { kind: 'op'; start: number; end: number; text: string };

export interface PyLine {
  indent: number;
  tokens: PyToken[];
  start: number;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };

/** The string literal at `i` (its prefix included), or undefined. */
function stringAt(text: string, i: number): Extract<PyToken, { kind: 'string' }> | undefined {
  const m = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(text.slice(i, i + 5));
  if (!m) return undefined;
  const raw = /r/i.test(m[1]);
  const quote = m[2];
  let j = i + m[0].length;
  const chars: string[] = [];
  const offsets: number[] = [];
  while (j < text.length) {
    if (text.startsWith(quote, j)) {
      return { kind: 'string', start: i, end: j + quote.length, value: chars.join(''), offsets, formatted: /f/i.test(m[1]) };
    }
    if (quote.length === 1 && text[j] === '\n') break;
    if (text[j] === '\\' && j + 1 < text.length) {
      const next = text[j + 1];
      if (raw) {
        chars.push('\\', next);
        offsets.push(j, j + 1);
      } else if (next === '\n') {
        // a line continuation inside the string: nothing
      } else if (ESCAPES[next] !== undefined) {
        chars.push(ESCAPES[next]);
        offsets.push(j);
      } else {
        chars.push('\\', next);
        offsets.push(j, j + 1);
      }
      j += 2;
      continue;
    }
    chars.push(text[j]);
    offsets.push(j);
    j++;
  }
  return undefined;
}

/** Logical lines: a newline ends one only outside brackets and without a backslash before it. */
export function pyLines(text: string): PyLine[] {
  const lines: PyLine[] = [];
  let current: PyToken[] = [];
  let depth = 0;
  let indent = 0;
  let lineStart = 0;
  let atLineStart = true;
  let i = 0;
  const flush = () => {
    if (current.length > 0) lines.push({ indent, tokens: current, start: lineStart });
    current = [];
    atLineStart = true;
  };
  while (i < text.length) {
    const c = text[i];
    if (atLineStart && depth === 0) {
      const ws = /^[ \t]*/.exec(text.slice(i, i + 200))![0];
      indent = ws.replace(/\t/g, '        ').length;
      lineStart = i + ws.length;
      atLineStart = false;
      i += ws.length;
      continue;
    }
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '\n') {
      if (depth === 0) flush();
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    const s = stringAt(text, i);
    if (s) {
      current.push(s);
      i = s.end;
      continue;
    }
    const word = /^[A-Za-z_]\w*/.exec(text.slice(i, i + 256));
    if (word) {
      current.push({ kind: 'name', start: i, end: i + word[0].length, text: word[0] });
      i += word[0].length;
      continue;
    }
    const num = /^\d[\w.]*/.exec(text.slice(i, i + 64));
    if (num) {
      current.push({ kind: 'number', start: i, end: i + num[0].length, text: num[0] });
      i += num[0].length;
      continue;
    }
    const op = /^(\+=|==|!=|<=|>=|\*\*|->|[-+*/%=()[\]{},:.<>|&~^@;!])/.exec(text.slice(i, i + 3));
    const t = op ? op[0] : c;
    if (t === '(' || t === '[' || t === '{') depth++;
    if (t === ')' || t === ']' || t === '}') depth = Math.max(0, depth - 1);
    current.push({ kind: 'op', start: i, end: i + t.length, text: t });
    i += t.length;
  }
  flush();
  return lines;
}

export function isOp(t: PyToken | undefined, op: string): boolean {
  return !!t && t.kind === 'op' && t.text === op;
}

export function isName(t: PyToken | undefined, name?: string): t is Extract<PyToken, { kind: 'name' }> {
  return !!t && t.kind === 'name' && (name === undefined || t.text === name);
}

/** The index of the token closing the bracket at `open`, or the last index. */
export function closingToken(tokens: PyToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'op') continue;
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
    if (t.text === ')' || t.text === ']' || t.text === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return tokens.length - 1;
}

/** The top-level comma-separated token ranges between `open` and its closing bracket. */
export function callArgs(tokens: PyToken[], open: number): { keyword?: string; from: number; to: number }[] {
  const close = closingToken(tokens, open);
  const out: { keyword?: string; from: number; to: number }[] = [];
  let depth = 0;
  let from = open + 1;
  const push = (to: number) => {
    if (to <= from) return;
    const kw = isName(tokens[from]) && isOp(tokens[from + 1], '=') ? tokens[from] as Extract<PyToken, { kind: 'name' }> : undefined;
    out.push({ keyword: kw?.text, from: kw ? from + 2 : from, to });
  };
  for (let i = open + 1; i < close; i++) {
    const t = tokens[i];
    if (t.kind !== 'op') continue;
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
    else if (t.text === ',' && depth === 0) {
      push(i);
      from = i + 1;
    }
  }
  push(close);
  return out;
}
