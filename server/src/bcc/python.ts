// The C a BCC tool hands to BPF(text=...), found in its Python: a string literal, or a variable built from
// literals (`=`, `+=`, `+`, `.replace()`), with every character mapped back to its offset in the .py
// file so diagnostics land on the Python. Where the Python picks between texts (if/else), the first
// branch is read; a placeholder replaced by one text is substituted, one replaced by several is left in
// place with its alternatives, for the converter to turn into `const volatile` configuration. Also read:
// where the Python attaches each function (attach_kprobe(event=..., fn_name=...) and friends).
import { AttachTarget } from './model';
import { PyLine, PyToken, callArgs, closingToken, isName, isOp, pyLines } from './python-tokens';
import { ProbeKind } from './tables';

/** C text with the .py offset of each character (-1 where the text came from no literal). */
export interface MappedText {
  text: string;
  offsets: number[];
}

export interface PlaceholderAlternative {
  /** The replacement, with `%s`/`%d` where the Python formats a value in. */
  text: string;
  /** The Python expressions formatted in, in order. */
  params: string[];
}

export interface PythonBccText extends MappedText {
  /** The BPF(...) call. */
  call: { start: number; end: number };
  /** Placeholders the Python replaces with one of several texts, left in the C. */
  placeholders: Map<string, PlaceholderAlternative[]>;
  /** Pieces of text the Python computes at run time (neither literal nor a known variable). */
  unknownPieces: string[];
}

export interface PythonBcc {
  programs: PythonBccText[];
  /** Macros the Python defines in the text it builds (`"#define LATENCY\n" + bpf_text`, cflags `-DX`): the tool's options. */
  defines: Set<string>;
  /** Function name -> where the Python attaches it. */
  attaches: Map<string, AttachTarget[]>;
}

const lit = (tok: Extract<PyToken, { kind: 'string' }>): MappedText => ({ text: tok.value, offsets: tok.offsets });
const concat = (a: MappedText, b: MappedText): MappedText => ({ text: a.text + b.text, offsets: [...a.offsets, ...b.offsets] });
const EMPTY: MappedText = { text: '', offsets: [] };

interface Env {
  source: string;
  vars: Map<string, MappedText>;
  /** Every replacement seen per placeholder, first branch first: its tokens, read when the text is built. */
  replacements: Map<string, { toks: PyToken[]; from: number; to: number }[]>;
  /** Names bound to `b.get_syscall_fnname("x")`: the syscall x. */
  syscallNames: Map<string, string>;
  /** Names bound to a string literal (event names). */
  stringVars: Map<string, string>;
  unknown: string[];
}

/** Whether a Python file may call BPF(...) at all: the one test most Python files stop at, before any tokenizing. */
export function mayPassBccText(source: string): boolean {
  return /\bBPF\s*\(/.test(source);
}

/** Every BPF(text=...) of a Python file, and where its functions are attached. */
export function extractBccFromPython(source: string): PythonBcc {
  const lines = pyLines(source);
  const env: Env = { source, vars: new Map(), replacements: new Map(), syscallNames: new Map(), stringVars: new Map(), unknown: [] };
  collectReplacements(lines, env);
  const programs: PythonBccText[] = [];
  const attaches = new Map<string, AttachTarget[]>();
  const blocks = branchState(lines);
  lines.forEach((line, i) => {
    const inSkippedBranch = blocks[i];
    assignment(line, env, inSkippedBranch);
    for (let t = 0; t < line.tokens.length; t++) {
      const tok = line.tokens[t];
      if (isName(tok, 'BPF') && isOp(line.tokens[t + 1], '(') && !isOp(line.tokens[t - 1], '.')) {
        const p = bpfCall(line.tokens, t + 1, env);
        if (p) programs.push(p);
      }
      if (tok.kind === 'name' && tok.text.startsWith('attach_') && isOp(line.tokens[t - 1], '.') && isOp(line.tokens[t + 1], '(')) {
        attachCall(tok.text, line.tokens, t + 1, env, attaches);
      }
    }
  });
  const defines = new Set<string>();
  for (const line of lines) {
    for (const tok of line.tokens) {
      if (tok.kind !== 'string') continue;
      for (const m of tok.value.matchAll(/#\s*define\s+(\w+)|^-D(\w+)/gm)) defines.add(m[1] ?? m[2]);
    }
  }
  return { programs, attaches, defines };
}

/** For each logical line, whether it sits in a branch other than the first of an if/elif/else (or in an except). */
function branchState(lines: PyLine[]): boolean[] {
  const stack: { indent: number; skipped: boolean }[] = [];
  return lines.map((line) => {
    while (stack.length > 0 && stack[stack.length - 1].indent >= line.indent) stack.pop();
    const head = line.tokens[0];
    const skippedHere = isName(head, 'elif') || isName(head, 'else') || isName(head, 'except');
    const outer = stack.some((s) => s.skipped);
    const endsWithColon = isOp(line.tokens[line.tokens.length - 1], ':');
    if (head && head.kind === 'name' && ['if', 'elif', 'else', 'for', 'while', 'def', 'try', 'except', 'with', 'finally', 'class'].includes(head.text) && endsWithColon) {
      stack.push({ indent: line.indent, skipped: skippedHere });
    }
    return outer || skippedHere;
  });
}

/** Every `X.replace('NAME', ...)` in the file, all branches, so a placeholder's alternatives are known up front. */
function collectReplacements(lines: PyLine[], env: Env): void {
  for (const line of lines) {
    const toks = line.tokens;
    for (let i = 0; i + 2 < toks.length; i++) {
      if (!(isOp(toks[i], '.') && isName(toks[i + 1], 'replace') && isOp(toks[i + 2], '('))) continue;
      const args = callArgs(toks, i + 2);
      const from = args[0] && toks[args[0].from];
      // Placeholders are words in capitals (`FILTER`, `##FILTER_PORT##`, `__RQ_DISK__`), not the quoting a tool does on output.
      if (!from || from.kind !== 'string' || args.length < 2 || args[0].to - args[0].from !== 1 || !/^[#_]*[A-Z][A-Z0-9_]*[#_]*$/.test(from.value)) continue;
      const list = env.replacements.get(from.value) ?? [];
      list.push({ toks, from: args[1].from, to: args[1].to });
      env.replacements.set(from.value, list);
    }
  }
}

/** A placeholder's distinct alternatives, as the variables they name stand now. */
function alternativesOf(name: string, env: Env): PlaceholderAlternative[] {
  const out: PlaceholderAlternative[] = [];
  for (const r of env.replacements.get(name) ?? []) {
    const alt = replacementOf(r.toks, r.from, r.to, env);
    if (!out.some((a) => a.text === alt.text)) out.push(alt);
  }
  return out;
}

/** `'if (pid != %s) { return 0; }' % args.pid`, a literal, a variable holding text, or anything else (kept as its Python text). */
function replacementOf(toks: PyToken[], from: number, to: number, env: Env): PlaceholderAlternative {
  const known = expression(toks, from, to, { ...env, unknown: [] });
  if (known && !known.text.includes('/* BCC: text the Python computes')) return { text: known.text, params: [] };
  const strings: string[] = [];
  let i = from;
  while (i < to && toks[i].kind === 'string') strings.push((toks[i++] as Extract<PyToken, { kind: 'string' }>).value);
  if (strings.length > 0 && i === to) return { text: strings.join(''), params: [] };
  if (strings.length > 0 && isOp(toks[i], '%')) {
    const rest = env.source.slice(toks[i + 1].start, toks[to - 1].end).trim();
    const inner = rest.startsWith('(') && rest.endsWith(')') ? rest.slice(1, -1) : rest;
    return { text: strings.join(''), params: inner.split(',').map((s) => s.trim()).filter(Boolean) };
  }
  return { text: `/* BCC: text computed by the Python: ${env.source.slice(toks[from].start, toks[to - 1].end).replace(/\*\//g, '* /')} */`, params: [] };
}

/** `name = EXPR` / `name += EXPR`: the variable's text, the first branch's only. */
function assignment(line: PyLine, env: Env, skipped: boolean): void {
  const t = line.tokens;
  if (!isName(t[0]) || !(isOp(t[1], '=') || isOp(t[1], '+='))) return;
  const name = t[0].text;
  if (t[2]?.kind === 'string' && t.length === 3) env.stringVars.set(name, t[2].value);
  const sys = isName(t[3], 'get_syscall_fnname') || isName(t[4], 'get_syscall_fnname') ? t.find((x, k) => k > 3 && x.kind === 'string') : undefined;
  if (sys && sys.kind === 'string') env.syscallNames.set(name, sys.value);
  if (skipped) return;
  const value = expression(t, 2, t.length, env);
  if (!value) return;
  if (isOp(t[1], '=')) env.vars.set(name, value);
  else if (env.vars.has(name)) env.vars.set(name, concat(env.vars.get(name)!, value));
}

/** A text expression: literals, known variables and `.replace()` joined by `+`; undefined when it is not text. */
function expression(t: PyToken[], from: number, to: number, env: Env): MappedText | undefined {
  let value = EMPTY;
  let i = from;
  let any = false;
  while (i < to) {
    const term = termAt(t, i, to, env);
    if (!term) return any ? concat(value, unknownPiece(t, i, to, env)) : undefined;
    value = concat(value, term.value);
    any = true;
    i = term.next;
    if (i < to && !isOp(t[i], '+')) return concat(value, unknownPiece(t, i, to, env));
    i++;
  }
  return any ? value : undefined;
}

function unknownPiece(t: PyToken[], from: number, to: number, env: Env): MappedText {
  const code = env.source.slice(t[Math.min(from, to - 1)].start, t[to - 1].end);
  env.unknown.push(code);
  const text = `\n/* BCC: text the Python computes at run time: ${code.replace(/\*\//g, '* /').replace(/\s+/g, ' ')} */\n`;
  return { text, offsets: new Array(text.length).fill(-1) };
}

function termAt(t: PyToken[], i: number, to: number, env: Env): { value: MappedText; next: number } | undefined {
  let value: MappedText | undefined;
  let next = i;
  if (t[i]?.kind === 'string') {
    value = EMPTY;
    while (next < to && t[next].kind === 'string') value = concat(value, lit(t[next++] as Extract<PyToken, { kind: 'string' }>));
  } else if (isName(t[i]) && env.vars.has(t[i].text as string)) {
    value = env.vars.get((t[i] as Extract<PyToken, { kind: 'name' }>).text);
    next = i + 1;
  } else if (isOp(t[i], '(')) {
    const close = closingToken(t, i);
    value = expression(t, i + 1, close, env);
    next = close + 1;
  }
  if (!value) return undefined;
  while (isOp(t[next], '.') && isName(t[next + 1], 'replace') && isOp(t[next + 2], '(')) {
    const close = closingToken(t, next + 2);
    value = applyReplace(value, t, next + 2, env);
    next = close + 1;
  }
  return { value, next };
}

/** A placeholder with one replacement in the whole file is substituted; one with several stays for the converter. */
function applyReplace(value: MappedText, t: PyToken[], open: number, env: Env): MappedText {
  const args = callArgs(t, open);
  const from = args[0] && t[args[0].from];
  if (!from || from.kind !== 'string' || args.length < 2) return value;
  const alts = alternativesOf(from.value, env);
  if (alts.length !== 1 || alts[0].params.length > 0 || alts[0].text.includes('/* BCC: text computed')) return value;
  const to = expression(t, args[1].from, args[1].to, env) ?? { text: alts[0].text, offsets: new Array(alts[0].text.length).fill(-1) };
  let out = EMPTY;
  let pos = 0;
  for (let k = value.text.indexOf(from.value); k >= 0 && from.value; k = value.text.indexOf(from.value, pos)) {
    out = concat(out, { text: value.text.slice(pos, k), offsets: value.offsets.slice(pos, k) });
    out = concat(out, to);
    pos = k + from.value.length;
  }
  return concat(out, { text: value.text.slice(pos), offsets: value.offsets.slice(pos) });
}

function bpfCall(t: PyToken[], open: number, env: Env): PythonBccText | undefined {
  const args = callArgs(t, open);
  const arg = args.find((a) => a.keyword === 'text') ?? args.find((a) => !a.keyword);
  if (!arg) return undefined;
  const value = expression(t, arg.from, arg.to, env);
  if (!value || !value.text.trim()) return undefined;
  const placeholders = new Map<string, PlaceholderAlternative[]>();
  for (const name of env.replacements.keys()) {
    if (value.text.includes(name)) placeholders.set(name, alternativesOf(name, env));
  }
  // `BPF(text=..., cflags=["-DMAX_PID=%d" % max_pid])`: defines the Python computes.
  const cflags = args.find((a) => a.keyword === 'cflags');
  for (let i = cflags?.from ?? 0; cflags && i < cflags.to; i++) {
    const tok = t[i];
    const m = tok.kind === 'string' ? /^-D(\w+)(?:=(.*))?$/.exec(tok.value) : null;
    if (!m) continue;
    const formatted = isOp(t[i + 1], '%');
    const param = formatted ? env.source.slice(t[i + 2].start, t[Math.min(i + 2, cflags.to - 1)].end) : '';
    placeholders.set(m[1], [{ text: formatted ? (m[2] ?? '1') : (m[2] ?? '1'), params: formatted ? [param] : [] }]);
  }
  return { ...value, call: { start: t[open - 1].start, end: t[closingToken(t, open)].end }, placeholders, unknownPieces: [...env.unknown] };
}

const ATTACH_KINDS: Record<string, ProbeKind> = {
  attach_kprobe: 'kprobe', attach_kretprobe: 'kretprobe', attach_tracepoint: 'tracepoint', attach_raw_tracepoint: 'raw_tracepoint',
  attach_uprobe: 'uprobe', attach_uretprobe: 'uretprobe', attach_perf_event: 'perf_event', attach_kfunc: 'fentry', attach_kretfunc: 'fexit', attach_lsm: 'lsm',
};

/** `b.attach_kprobe(event="vfs_read", fn_name="trace_entry")` and the other attach_* calls, keyword or positional. */
function attachCall(method: string, t: PyToken[], open: number, env: Env, out: Map<string, AttachTarget[]>): void {
  let kind = ATTACH_KINDS[method];
  if (!kind) return;
  const args = callArgs(t, open);
  const arg = (kw: string, pos: number) => args.find((a) => a.keyword === kw) ?? (args[pos] && !args[pos].keyword ? args[pos] : undefined);
  const str = (a: { from: number; to: number } | undefined): string | undefined => {
    if (!a || a.to - a.from !== 1) return undefined;
    const tok = t[a.from];
    if (tok.kind === 'string') return tok.value;
    return tok.kind === 'name' ? env.stringVars.get(tok.text) : undefined;
  };
  const fnArg = arg('fn_name', kind === 'uprobe' || kind === 'uretprobe' ? 3 : kind === 'perf_event' ? 2 : 1);
  const fn = str(fnArg);
  if (!fn) return;
  let target: string | undefined;
  if (kind === 'kprobe' || kind === 'kretprobe') {
    const ev = arg('event', 0);
    const evTok = ev && ev.to - ev.from === 1 ? t[ev.from] : undefined;
    const sys = evTok?.kind === 'name' ? env.syscallNames.get(evTok.text) : undefined;
    const syscallCall = ev && t.slice(ev.from, ev.to).find((x) => isName(x, 'get_syscall_fnname'));
    const sysLit = syscallCall ? t.slice(ev.from, ev.to).find((x) => x.kind === 'string') : undefined;
    if (sys || sysLit) {
      kind = kind === 'kprobe' ? 'ksyscall' : 'kretsyscall';
      target = sys ?? (sysLit as Extract<PyToken, { kind: 'string' }>).value;
    } else target = str(ev);
  } else if (kind === 'tracepoint' || kind === 'raw_tracepoint') {
    target = str(arg('tp', 0))?.replace(':', '/');
  } else if (kind === 'uprobe' || kind === 'uretprobe') {
    const lib = str(arg('name', 0));
    const sym = str(arg('sym', 1));
    target = lib && sym ? `${/[/.]/.test(lib) ? lib : lib === 'c' ? 'libc.so.6' : `lib${lib}.so`}:${sym}` : undefined;
  } else if (kind === 'fentry' || kind === 'fexit' || kind === 'lsm') {
    target = str(arg('fn_name', 0));
  }
  const list = out.get(fn) ?? [];
  list.push({ kind, target });
  out.set(fn, list);
}

/** The .py offset of a C offset, or the nearest mapped one before it (-1 when none). */
export function pythonOffset(text: MappedText, cOffset: number): number {
  for (let i = Math.min(cOffset, text.offsets.length - 1); i >= 0; i--) if (text.offsets[i] >= 0) return text.offsets[i] + (i === cOffset ? 0 : 1);
  return -1;
}
