// What a .bpf.c file declares and calls, read from its tree-sitter tree, so that no feature reads the raw
// text: comments and strings are never mistaken for code. Macros are not expanded, so the libbpf idioms
// are recognised by shape: `SEC("...")` parses as a call statement before a program (or after a map),
// `int BPF_PROG(name, args...)` as a function whose first parameter is the program's name.
import type { Node, Tree } from 'web-tree-sitter';
import { HEAD_MACROS, HeadMacroName } from '../libbpf/macros';
import { CDefine, PreprocessorFacts, Span, VMLINUX_INCLUDE, preprocess } from './preprocessor';

export type { CDefine, PreprocessorFacts, Span } from './preprocessor';

/** A C type as written: `struct task_struct *` is { base: 'struct task_struct', pointers: 1 }. */
export interface TypeText {
  base: string;
  pointers: number;
  arrays: number[];
  isConst: boolean;
}

export interface CVar {
  name: string;
  type: TypeText;
  span: Span;
}

/** `int BPF_PROG(name, ...)`-style program heads: libbpf's head macros. */
export type ProgramMacro = HeadMacroName;

export interface CSection {
  /** The string inside SEC("..."), without quotes. */
  name: string;
  /** The string's content (without quotes). */
  span: Span;
}

export interface CFunction {
  name: string;
  nameSpan: Span;
  /** The macro of a `BPF_PROG(name, ...)`-style head, if any. */
  macro?: ProgramMacro;
  params: CVar[];
  body: Span;
  span: Span;
  section?: CSection;
}

export interface CMap {
  name: string;
  nameSpan: Span;
  /** `__uint(type, BPF_MAP_TYPE_HASH)` and friends: field -> value text. */
  fields: Record<string, string>;
  /** Where each field's value is written. */
  fieldSpans: Record<string, Span>;
  section?: CSection;
}

/** A call as written: `bpf_probe_read_kernel(&x, sizeof(x), p)`, or a function-like macro's use. */
export interface CCall {
  callee: string;
  calleeSpan: Span;
  args: { text: string; span: Span }[];
  span: Span;
}

/** `char LICENSE[] SEC("license") = "GPL";` */
export interface CLicense {
  value: string;
  /** The license string's content. */
  span: Span;
}

/** `extern ... __ksym;` (a kernel symbol or kfunc) or `extern ... __kconfig;` (a Kconfig value). */
export interface CExtern {
  name: string;
  type: TypeText;
  /** A function prototype (a kfunc) rather than a variable. */
  isFunction: boolean;
  attribute: 'ksym' | 'kconfig';
  span: Span;
}

/** `struct bpf_map_def name SEC("maps")`: the pre-1.0 map definition libbpf no longer accepts. */
export interface CLegacyMap {
  name: string;
  span: Span;
}

export interface CStruct {
  kind: 'struct' | 'union';
  name: string;
  members: CVar[];
  span: Span;
  /** A CO-RE flavour (`task_struct___old`) or a `preserve_access_index` type: relocated against the kernel's. */
  relocatable: boolean;
}

export interface CDocument {
  functions: CFunction[];
  globals: CVar[];
  maps: CMap[];
  structs: Map<string, CStruct>;
  /** `#include "x.h"` paths (quoted includes only: the project's own headers). */
  includes: string[];
  /** `#include <x.h>` paths: which libraries the file builds against. */
  systemIncludes: string[];
  sections: CSection[];
  /** Every call in the file, in text order. */
  calls: CCall[];
  /** `SEC("license")` and the string assigned to it, wherever the tree has it (inside an ERROR node too). */
  license?: CLicense;
  /** The license a project header the file includes declares (kubearmor's shared.h): the file's too. */
  includedLicense?: CLicense & { header: string };
  /** The file's own `#define`s outside inactive branches, by name (the last one wins). */
  defines: Map<string, CDefine>;
  /** The `#define`s the file sees: its own and those of the project headers it includes (its own win). */
  allDefines: Map<string, CDefine>;
  /** `#if`/`#ifdef`/`#elif`/`#else` branches whose condition is known false for this build, sorted and disjoint. */
  inactive: Span[];
  /**
   * The file includes a vmlinux.h, itself or through its project headers: kernel types carry
   * preserve_access_index there, so plain member accesses are CO-RE relocations. Without one, structs come
   * from UAPI headers with fixed layouts.
   */
  usesVmlinux: boolean;
  externs: CExtern[];
  legacyMaps: CLegacyMap[];
  /** Uses of identifiers, by name, for rules that look up where a declared name is used. */
  identifierUses(name: string): Span[];
}

const span = (n: Node): Span => ({ start: n.startIndex, end: n.endIndex });

/** The base type text of a `type:` field node (struct_specifier, type_identifier, primitive_type, ...). */
function baseTypeText(n: Node | null): string {
  if (!n) return 'int';
  switch (n.type) {
    case 'struct_specifier':
    case 'union_specifier':
    case 'enum_specifier': {
      const name = n.childForFieldName('name');
      const kw = n.type.split('_')[0];
      return name ? `${kw} ${name.text}` : `${kw} {...}`;
    }
    case 'sized_type_specifier':
    case 'primitive_type':
    case 'type_identifier':
      return n.text.replace(/\s+/g, ' ');
    case 'macro_type_specifier':
      return n.text;
    default:
      return n.text.replace(/\s+/g, ' ');
  }
}

/** Walks a declarator (pointer_declarator, array_declarator, init_declarator...) to its name. */
function unwrapDeclarator(d: Node | null, type: TypeText): { name: string; node: Node } | undefined {
  while (d) {
    switch (d.type) {
      case 'identifier':
      case 'field_identifier':
        return { name: d.text, node: d };
      case 'pointer_declarator':
        type.pointers++;
        d = d.childForFieldName('declarator');
        break;
      case 'array_declarator': {
        const size = d.childForFieldName('size');
        type.arrays.push(size ? Number(size.text) || 0 : 0);
        d = d.childForFieldName('declarator');
        break;
      }
      case 'init_declarator':
      case 'parenthesized_declarator':
      case 'attributed_declarator':
        d = d.childForFieldName('declarator') ?? d.namedChild(0);
        break;
      case 'function_declarator':
        // `int f(void)` declares a function, not a variable; `int (*fp)(void)` is a pointer variable.
        if (d.childForFieldName('declarator')?.type === 'identifier') return undefined;
        d = d.childForFieldName('declarator');
        break;
      default:
        return undefined;
    }
  }
  return undefined;
}

function isConst(decl: Node): boolean {
  for (const c of decl.children) if (c?.type === 'type_qualifier' && c.text === 'const') return true;
  return false;
}

/** Every variable a declaration-like node declares (`struct x *a, b[4];` declares two). */
export function declaredVars(decl: Node): CVar[] {
  const base = baseTypeText(decl.childForFieldName('type'));
  const out: CVar[] = [];
  for (const d of decl.childrenForFieldName('declarator')) {
    if (!d) continue;
    const type: TypeText = { base, pointers: 0, arrays: [], isConst: isConst(decl) };
    const found = unwrapDeclarator(d, type);
    if (found) out.push({ name: found.name, type, span: span(found.node) });
  }
  return out;
}

function sectionOf(stmt: Node | null): CSection | undefined {
  // SEC("...") parses as a call statement, or inside one (`SEC("license") = "GPL";` is an assignment).
  if (!stmt || (stmt.type !== 'expression_statement' && stmt.type !== 'declaration')) return undefined;
  const call = stmt.descendantsOfType('call_expression').find((c) => c?.childForFieldName('function')?.text === 'SEC');
  if (!call) return undefined;
  const str = call.childForFieldName('arguments')?.namedChild(0);
  if (!str || str.type !== 'string_literal') return undefined;
  const content = str.namedChildren.find((c) => c?.type === 'string_content');
  const start = str.startIndex + 1;
  return { name: content?.text ?? '', span: { start, end: content ? content.endIndex : start } };
}

function mapFields(structSpec: Node): Pick<CMap, 'fields' | 'fieldSpans'> {
  const out: Pick<CMap, 'fields' | 'fieldSpans'> = { fields: {}, fieldSpans: {} };
  const body = structSpec.childForFieldName('body');
  if (!body) return out;
  // `__uint(type, X);` parses as a field declaration with a macro type, whose arguments tree-sitter
  // cannot name: each macro use is read from its own node's text (comments around it are other nodes).
  for (const field of body.namedChildren) {
    const use = field?.type === 'field_declaration' ? field.childForFieldName('type') : null;
    const m = use?.type === 'macro_type_specifier' ? /^__(?:uint|type|array)\s*\(\s*(\w+)\s*,\s*([^]*?)\s*\)$/.exec(use.text) : null;
    if (!use || !m) continue;
    const valueStart = use.startIndex + use.text.indexOf(m[2], m[0].indexOf(',') + 1);
    out.fields[m[1]] = m[2];
    out.fieldSpans[m[1]] = { start: valueStart, end: valueStart + m[2].length };
  }
  return out;
}

/**
 * The model of a parsed file. `source` is the text as written (the parser blanks attribute macros such
 * as `__ksym` before parsing, so only the source still shows them); without it externs are not found.
 * `facts` are what the build defines and the project headers (the edge's); without them only clang's
 * BPF macros are known, so fewer branches are known inactive.
 */
export function buildModel(tree: Tree, source?: string, facts?: PreprocessorFacts): CDocument {
  const top = tree.rootNode.namedChildren.filter((n): n is Node => !!n);
  const pp = preprocess(tree.rootNode, facts);
  const doc: CDocument = {
    functions: [], globals: [], maps: [], structs: new Map(), includes: [], systemIncludes: [], sections: [],
    calls: callsIn(tree.rootNode), externs: [], legacyMaps: [], identifierUses: identifierIndex(tree.rootNode),
    license: licenseIn(tree.rootNode, source), includedLicense: pp.headers.find((h) => h.license)?.license,
    defines: pp.defines, allDefines: pp.visible, inactive: pp.inactive, usesVmlinux: includesVmlinux(tree.rootNode) || pp.headers.some((h) => h.vmlinux),
  };
  for (let i = 0; i < top.length; i++) {
    const n = top[i];
    const sec = sectionOf(n);
    if (sec) doc.sections.push(sec);
    collectStructs(n, doc.structs);
    if (n.type === 'preproc_include') {
      const path = n.childForFieldName('path');
      if (path?.type === 'string_literal') doc.includes.push(path.text.slice(1, -1));
      else if (path?.type === 'system_lib_string') doc.systemIncludes.push(path.text.slice(1, -1));
    } else if (n.type === 'function_definition') {
      const fn = functionOf(n, sectionOf(top[i - 1]));
      if (fn) doc.functions.push(fn);
    } else if (n.type === 'declaration') {
      addDeclaration(doc, n, sectionOf(top[i + 1]), source);
    } else if (n.type === 'ERROR') {
      const legacy = legacyMapInError(n, top[i + 1]);
      if (legacy) doc.legacyMaps.push(legacy);
    }
  }
  return doc;
}

/**
 * `struct bpf_map_def SEC("maps") my_map = {...};` (samples/bpf's spelling) parses as an ERROR node
 * (`struct bpf_map_def`, `SEC`, `(`, `"maps"`, `)`) and then a statement whose assignment starts with the name.
 */
function legacyMapInError(error: Node, next: Node | undefined): CLegacyMap | undefined {
  const named = error.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const [spec, sec, str] = named.slice(-3);
  if (named.length < 3 || spec.type !== 'struct_specifier' || spec.childForFieldName('name')?.text !== 'bpf_map_def') return undefined;
  if (sec.type !== 'identifier' || sec.text !== 'SEC' || str.type !== 'string_literal' || stringValue(str) !== 'maps') return undefined;
  let left = next?.type === 'expression_statement' ? next.namedChild(0) : null;
  if (left?.type !== 'assignment_expression') return undefined;
  while (left && left.type !== 'identifier') left = left.childForFieldName('argument') ?? left.childForFieldName('left') ?? left.namedChild(0);
  return left ? { name: left.text, span: { start: spec.startIndex, end: left.endIndex } } : undefined;
}

/** A string literal's content (escapes left as written). */
function stringValue(str: Node): string {
  return str.namedChildren.filter((c) => c?.type === 'string_content' || c?.type === 'escape_sequence').map((c) => c!.text).join('');
}

/** A top-level declaration: a BTF-defined map, a legacy map, an extern, or globals. */
function addDeclaration(doc: CDocument, n: Node, nextSection: CSection | undefined, source: string | undefined): void {
  const vars = declaredVars(n);
  const type = n.childForFieldName('type');
  if (type?.type === 'struct_specifier' && !type.childForFieldName('name') && nextSection?.name === '.maps') {
    for (const v of vars) doc.maps.push({ name: v.name, nameSpan: v.span, ...mapFields(type), section: nextSection });
    return;
  }
  if (type?.type === 'struct_specifier' && type.childForFieldName('name')?.text === 'bpf_map_def' && nextSection?.name === 'maps') {
    for (const v of vars) doc.legacyMaps.push({ name: v.name, span: { start: n.startIndex, end: nextSection.span.end + 2 } });
  }
  const extern = source && n.children.some((c) => c?.type === 'storage_class_specifier' && c.text === 'extern')
    ? /\b__(ksym|kconfig)\b/.exec(source.slice(n.startIndex, n.endIndex))?.[1] as CExtern['attribute'] | undefined
    : undefined;
  if (extern) doc.externs.push(...externsOf(n, extern));
  doc.globals.push(...vars);
}

function externsOf(n: Node, attribute: CExtern['attribute']): CExtern[] {
  const vars: CExtern[] = declaredVars(n).map((v) => ({ ...v, isFunction: false, attribute }));
  for (const d of n.childrenForFieldName('declarator')) {
    let decl = d;
    const type: TypeText = { base: baseTypeText(n.childForFieldName('type')), pointers: 0, arrays: [], isConst: isConst(n) };
    while (decl?.type === 'pointer_declarator') {
      type.pointers++;
      decl = decl.childForFieldName('declarator');
    }
    const name = decl?.type === 'function_declarator' ? decl.childForFieldName('declarator') : null;
    if (name?.type === 'identifier') vars.push({ name: name.text, type, isFunction: true, attribute, span: span(name) });
  }
  return vars;
}

/**
 * `SEC("license") = "GPL"` anywhere in the tree: earlier macro uses without a `;` can put the declaration
 * inside an ERROR node, where tree-sitter may not even see the string as a string. So it is found by its
 * text, and kept only where the tree has the identifier `SEC` (never in a comment or a string); the string
 * literals after `=` (comments between skipped as the tree has them) are its value.
 */
function licenseIn(root: Node, source: string | undefined): CLicense | undefined {
  const text = source ?? ' '.repeat(root.startIndex) + root.text;
  const re = /\bSEC\s*\(\s*"license"\s*\)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const sec = root.descendantForIndex(m.index, m.index + 3);
    if (sec?.type !== 'identifier' || sec.text !== 'SEC') continue;
    const at = afterCode(root, text, m.index + m[0].length);
    if (text[at] !== '=') continue;
    const license = stringsAt(text, afterCode(root, text, at + 1), root);
    if (license) return license;
  }
  return undefined;
}

/** The first offset from `at` that is neither white space nor inside a comment. */
function afterCode(root: Node, text: string, at: number): number {
  for (;;) {
    while (at < text.length && /\s/.test(text[at])) at++;
    if (text[at] !== '/' || (text[at + 1] !== '*' && text[at + 1] !== '/')) return at;
    const comment = root.descendantForIndex(at, at + 1);
    if (comment?.type !== 'comment' || comment.endIndex <= at) return at;
    at = comment.endIndex;
  }
}

/** The string literals from `at` on (`"Dual BSD" "/GPL"` is one string), as one license. */
function stringsAt(text: string, at: number, root: Node): CLicense | undefined {
  const literal = /"((?:\\.|[^"\\\n])*)"/y;
  let value = '';
  let span: Span | undefined;
  for (;;) {
    literal.lastIndex = at;
    const m = text[at] === '"' ? literal.exec(text) : null;
    if (!m) return span && { value, span };
    value += m[1];
    span = { start: span?.start ?? at + 1, end: at + m[0].length - 1 };
    at = afterCode(root, text, at + m[0].length);
  }
}

function callsIn(root: Node): CCall[] {
  const out: CCall[] = [];
  for (const c of root.descendantsOfType('call_expression')) {
    const fn = c?.childForFieldName('function');
    const args = c?.childForFieldName('arguments');
    if (!c || fn?.type !== 'identifier' || !args) continue;
    out.push({
      callee: fn.text,
      calleeSpan: span(fn),
      args: args.namedChildren.filter((a): a is Node => !!a && a.type !== 'comment').map((a) => ({ text: a.text, span: span(a) })),
      span: span(c),
    });
  }
  return out;
}

/** Whether any `#include` of the file, at any depth of #if, names a vmlinux.h. */
function includesVmlinux(root: Node): boolean {
  return root.descendantsOfType('preproc_include').some((n) => VMLINUX_INCLUDE.test(n?.childForFieldName('path')?.text.slice(1, -1) ?? ''));
}

/** Identifier uses by name, indexed on first request (most files never ask). */
function identifierIndex(root: Node): (name: string) => Span[] {
  let index: Map<string, Span[]> | undefined;
  return (name) => {
    if (!index) {
      index = new Map();
      for (const id of root.descendantsOfType('identifier')) {
        if (!id) continue;
        const list = index.get(id.text) ?? [];
        list.push(span(id));
        index.set(id.text, list);
      }
    }
    return index.get(name) ?? [];
  };
}

function functionOf(n: Node, section: CSection | undefined): CFunction | undefined {
  let decl = n.childForFieldName('declarator');
  while (decl && decl.type === 'pointer_declarator') decl = decl.childForFieldName('declarator');
  if (!decl || decl.type !== 'function_declarator') return undefined;
  const nameNode = decl.childForFieldName('declarator');
  const paramList = decl.childForFieldName('parameters');
  const body = n.childForFieldName('body');
  if (!nameNode || !paramList || !body) return undefined;
  const params: CVar[] = [];
  let name = nameNode.text;
  let nameSpan = span(nameNode);
  let macro: ProgramMacro | undefined;
  const decls = paramList.namedChildren.filter((p): p is Node => p?.type === 'parameter_declaration');
  if (Object.hasOwn(HEAD_MACROS, nameNode.text) && decls.length > 0) {
    // int BPF_PROG(handle, struct task_struct *prev): the first "parameter" is the program's name.
    macro = nameNode.text as ProgramMacro;
    const first = decls.shift()!;
    name = first.text;
    nameSpan = span(first);
  }
  for (const p of decls) params.push(...declaredVars(p));
  return { name, nameSpan, macro, params, body: span(body), span: span(n), section };
}

function collectStructs(n: Node, out: Map<string, CStruct>): void {
  const specs = n.descendantsOfType(['struct_specifier', 'union_specifier']);
  for (const s of specs) {
    if (!s) continue;
    const name = s.childForFieldName('name');
    const body = s.childForFieldName('body');
    if (!name || !body) continue;
    const members: CVar[] = [];
    for (const f of body.namedChildren) if (f?.type === 'field_declaration') members.push(...declaredVars(f));
    const decl = s.parent?.type === 'declaration' || s.parent?.type === 'type_definition' ? s.parent : s;
    const relocatable = name.text.includes('___') || /preserve_access_index/.test(decl.text.slice(body.endIndex - decl.startIndex, body.endIndex - decl.startIndex + 80));
    out.set(`${s.type === 'union_specifier' ? 'union' : 'struct'} ${name.text}`, {
      kind: s.type === 'union_specifier' ? 'union' : 'struct', name: name.text, members, span: span(s), relocatable,
    });
  }
}

/** A function's body block in the tree. */
export function functionBody(tree: Tree, fn: CFunction): Node | undefined {
  const brace = tree.rootNode.descendantForIndex(fn.body.start, fn.body.start + 1);
  return (brace?.type === 'compound_statement' ? brace : brace?.parent) ?? undefined;
}

/** Local variables declared in the function body before `offset`, nearest last. */
export function localsBefore(tree: Tree, fn: CFunction, offset: number): CVar[] {
  const block = functionBody(tree, fn);
  if (!block) return [];
  const out: CVar[] = [];
  for (const d of block.descendantsOfType('declaration')) {
    if (d && d.startIndex < offset) out.push(...declaredVars(d));
  }
  return out;
}
