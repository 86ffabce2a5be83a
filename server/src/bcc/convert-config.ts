// What BCC's Python substitutes into the C before compiling (`bpf_text.replace('FILTER', ...)`) becomes
// application configuration, as the guide puts it: `const volatile` globals that user space sets through
// the skeleton before loading. Each alternative text the Python can substitute gets a switch, and each
// value it formats in (`%s`, `%d`) a global; the placeholder becomes `if (switch) { text } else ...`
// (or `switch ? (text) : ...` inside an expression). A placeholder outside a function (a table
// declaration) cannot be switched at load time: the first text is used and the spot marked.
import type { Tree } from 'web-tree-sitter';
import type { Edit } from './convert-maps';
import type { BccPlaceholder } from './model';
import type { PlaceholderAlternative } from './python';
import { lineEnd, lineStart } from './scan';

export interface ConfigGlobal {
  name: string;
  type: string;
  initial: string;
  /** What it switches or holds, in the Python's words. */
  meaning: string;
}

type Marks = { at: number; message: string }[];

export interface ConfigContext {
  /** Spans of table declarations: their placeholders are resolved with the table (tablePlaceholders). */
  tableSizes: { table: string; start: number; end: number }[];
  /** Whether a member name exists in the kernel (picks the alternative of a member-path placeholder). */
  hasMember(name: string): boolean;
  notes: string[];
}

export function configEdits(
  tree: Tree, text: string, uses: BccPlaceholder[], alternatives: ReadonlyMap<string, readonly PlaceholderAlternative[]>, edits: Edit[], marks: Marks, cx: ConfigContext,
): ConfigGlobal[] {
  const globals: ConfigGlobal[] = [];
  const declared = new Set<string>();
  for (const use of uses) {
    if (cx.tableSizes.some((t) => t.start <= use.span.start && use.span.end <= t.end)) continue;
    const alts = alternatives.get(use.name) ?? [];
    if (alts.length === 0) {
      marks.push({ at: use.span.start, message: `${use.name}: a placeholder BCC's Python substitutes; make it a const volatile global that user space sets` });
      continue;
    }
    if (fixedText(text, use, alts, edits, marks, cx)) continue;
    if (!insideFunction(tree, use.span.start) || alts.some((a) => a.text.includes('/* BCC: text computed'))) {
      edits.push({ start: use.span.start, end: use.span.end, text: alts[0].text.replace(/%[sd]/g, '0') });
      marks.push({ at: use.span.start, message: `${use.name}: BCC's Python picks one of ${alts.length} texts here; converted with the first (${oneLine(alts[0].text)})` });
      continue;
    }
    const prefix = `bcc_${use.name.toLowerCase().replace(/\W+/g, '').replace(/^_+|_+$/g, '')}`;
    const switches = alts.map((_, i) => (alts.length === 1 ? `${prefix}_on` : `${prefix}_${i}`));
    const valued = alts.map((a, i) => {
      let k = 0;
      return a.text.replace(/%[sdu]/g, () => `${switches[i]}_arg${k++}`);
    });
    if (!declared.has(use.name)) {
      declared.add(use.name);
      alts.forEach((a, i) => {
        if (a.text.trim() === '' && i === alts.length - 1) return;
        globals.push({ name: switches[i], type: 'bool', initial: 'false', meaning: `BCC's Python substituted ${use.name} with: ${oneLine(a.text)}` });
        a.params.forEach((p, k) => globals.push({ name: `${switches[i]}_arg${k}`, type: 'long long', initial: '0', meaning: `the value of ${p}` }));
        if (/"[^"]*%[sd]/.test(a.text)) marks.push({ at: use.span.start, message: `${use.name}: the Python formats a string into C text; a string belongs in a const volatile char array` });
      });
    }
    const statement = isStatement(text, use.span.start, use.span.end);
    edits.push({ start: use.span.start, end: statementEnd(text, use, statement), text: statement ? ifChain(alts, switches, valued) : ternary(alts, switches, valued) });
  }
  return globals;
}

/**
 * Placeholders with one fixed text (a single literal; a member path the kernel decides) substituted in the
 * text before it is read, so the rest of the conversion sees the code the Python would have compiled.
 */
export function substituteFixed(
  tree: Tree, text: string, uses: BccPlaceholder[], alternatives: ReadonlyMap<string, readonly PlaceholderAlternative[]>, cx: ConfigContext,
): string {
  const edits: Edit[] = [];
  const marks: Marks = [];
  for (const use of uses) {
    if (cx.tableSizes.some((t) => t.start <= use.span.start && use.span.end <= t.end)) continue;
    const alts = alternatives.get(use.name) ?? [];
    if (alts.length === 0 || fixedText(text, use, alts, edits, marks, cx)) continue;
    if (!insideFunction(tree, use.span.start)) {
      // Outside a function (a function head, a declaration): nothing to switch at load time; the first text is the code.
      edits.push({ start: use.span.start, end: use.span.end, text: alts[0].text.replace(/%[sd]/g, '0') });
      if (alts.length > 1) marks.push({ at: use.span.start, message: `${use.name}: BCC's Python picks one of ${alts.length} texts here; converted with the first (${oneLine(alts[0].text)})` });
    }
  }
  for (const m of marks) {
    const ls = lineStart(text, m.at);
    edits.push({ start: ls, end: ls, text: `${/^[ \t]*/.exec(text.slice(ls))![0]}/* TODO(bcc): ${m.message.replace(/\*\//g, '* /')} */\n` });
  }
  const sorted = edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Placeholders with one fixed text: a single literal, a member path the kernel decides. */
function fixedText(text: string, use: BccPlaceholder, alts: readonly PlaceholderAlternative[], edits: Edit[], marks: Marks, cx: ConfigContext): boolean {
  if (alts.length === 1 && alts[0].params.length === 0 && !alts[0].text.includes('/* BCC: text computed')) {
    edits.push({ start: use.span.start, end: use.span.end, text: alts[0].text });
    return true;
  }
  if (/(->|\.)\s*$/.test(text.slice(Math.max(0, use.span.start - 8), use.span.start))) {
    const exists = alts.find((a) => (a.text.match(/[A-Za-z_]\w*/g) ?? []).every((m) => cx.hasMember(m))) ?? alts[0];
    edits.push({ start: use.span.start, end: use.span.end, text: exists.text });
    marks.push({ at: use.span.start, message: `${use.name}: BCC's Python picks the member by kernel version (${alts.map((a) => a.text).join(' or ')}); this kernel has ${exists.text}: use bpf_core_field_exists() to support both` });
    return true;
  }
  return false;
}

/**
 * Placeholders inside a table declaration, resolved in its fields: a size the Python computes is 10240 here,
 * which user space changes with bpf_map__set_max_entries(); a single literal is substituted; otherwise the
 * first text is taken and the table marked.
 */
export function tablePlaceholders(
  tables: { name: string; size?: string; key?: string; value?: string; span: { start: number } }[], alternatives: ReadonlyMap<string, readonly PlaceholderAlternative[]>,
  notes: string[], marks: Marks,
): void {
  for (const t of tables) {
    for (const field of ['size', 'key', 'value'] as const) {
      let v = t[field];
      for (const [name, alts] of alternatives) {
        if (!v || !v.includes(name) || alts.length === 0) continue;
        const literal = alts.length === 1 && alts[0].params.length === 0 && !alts[0].text.includes('/* BCC: text computed');
        if (field === 'size' && !literal) {
          v = v.replace(name, '10240');
          notes.push(`${t.name}: its size (${name}) is computed by BCC's Python${alts[0].params.length ? ` (${alts[0].params.join(', ')})` : ''}: 10240 here; user space sets it with bpf_map__set_max_entries() before loading`);
          continue;
        }
        v = v.replace(name, alts[0].text.replace(/%[sd]/g, '0'));
        if (!literal) marks.push({ at: t.span.start, message: `${t.name}: BCC's Python picks its ${field} among ${alts.length} texts; converted with the first (${oneLine(alts[0].text)})` });
      }
      t[field] = v;
    }
  }
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 60 ? `${t.slice(0, 57)}...` : t || '(nothing)';
}

function insideFunction(tree: Tree, at: number): boolean {
  for (let n = tree.rootNode.descendantForIndex(at, at); n; n = n.parent) if (n.type === 'compound_statement') return true;
  return false;
}

/** A placeholder alone on its line (maybe with a `;`) stands for statements. */
function isStatement(text: string, start: number, end: number): boolean {
  const line = text.slice(lineStart(text, start), lineEnd(text, end)).trim();
  return line === text.slice(start, end) || line === `${text.slice(start, end)};`;
}

function statementEnd(text: string, use: BccPlaceholder, statement: boolean): number {
  return statement && text[use.span.end] === ';' ? use.span.end + 1 : use.span.end;
}

/** `if (a) { A } else if (b) { B } else { C }`, the last alternative the default when it has no switch. */
function ifChain(alts: readonly PlaceholderAlternative[], switches: string[], valued: string[]): string {
  const parts: string[] = [];
  alts.forEach((a, i) => {
    const last = i === alts.length - 1;
    if (last && a.text.trim() === '') return;
    parts.push(`if (${switches[i]}) { ${valued[i].trim()} }`);
  });
  return parts.join(' else ') || ';';
}

function ternary(alts: readonly PlaceholderAlternative[], switches: string[], valued: string[]): string {
  let out = alts.length > 0 && alts[alts.length - 1].text.trim() === '' ? '0' : `(${valued[valued.length - 1] || '0'})`;
  for (let i = alts.length - (alts[alts.length - 1]?.text.trim() === '' ? 2 : 2); i >= 0; i--) out = `(${switches[i]} ? (${valued[i] || '0'}) : ${out})`;
  return out;
}
