// What a .bpf.c file declares and calls, read from its tree-sitter tree, so that no feature reads the raw
// text: comments and strings are never mistaken for code. Macros are not expanded, so the libbpf idioms
// are recognised by shape: `SEC("...")` parses as a call statement before a program (or after a map),
// `int BPF_PROG(name, args...)` as a function whose first parameter is the program's name.
import type { Node, Tree } from 'web-tree-sitter';
import { HEAD_MACROS, HeadMacroName } from '../libbpf/macros';
import { CDefine, DIRECTIVES, Directive, PreprocessorFacts, Span, VMLINUX_INCLUDE, preprocessDirectives } from './preprocessor';
import { TreeText } from './tree-text';

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

/** A node's text, its end read once (see tree-text.ts). */
const textOf = (n: Node, text: TreeText): string => text.of(span(n));

/** The base type text of a `type:` field node (struct_specifier, type_identifier, primitive_type, ...). */
function baseTypeText(n: Node | null, text: TreeText): string {
  if (!n) return 'int';
  const type = n.type;
  switch (type) {
    case 'struct_specifier':
    case 'union_specifier':
    case 'enum_specifier': {
      const name = n.childForFieldName('name');
      const kw = type.split('_')[0];
      return name ? `${kw} ${textOf(name, text)}` : `${kw} {...}`;
    }
    case 'macro_type_specifier':
      return textOf(n, text);
    default:
      return textOf(n, text).replace(/\s+/g, ' ');
  }
}

/** Walks a declarator (pointer_declarator, array_declarator, init_declarator...) to its name. */
function unwrapDeclarator(d: Node | null, type: TypeText, text: TreeText): { name: string; span: Span } | undefined {
  while (d) {
    switch (d.type) {
      case 'identifier':
      case 'field_identifier': {
        const at = span(d);
        return { name: text.of(at), span: at };
      }
      case 'pointer_declarator':
        type.pointers++;
        d = d.childForFieldName('declarator');
        break;
      case 'array_declarator': {
        const size = d.childForFieldName('size');
        type.arrays.push(size ? Number(textOf(size, text)) || 0 : 0);
        d = d.childForFieldName('declarator');
        break;
      }
      case 'init_declarator':
      case 'parenthesized_declarator':
      case 'attributed_declarator':
        d = d.childForFieldName('declarator') ?? d.namedChild(0);
        break;
      case 'function_declarator': {
        // `int f(void)` declares a function, not a variable; `int (*fp)(void)` is a pointer variable.
        const inner = d.childForFieldName('declarator');
        if (inner?.type === 'identifier') return undefined;
        d = inner;
        break;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

function isConst(decl: Node, text: TreeText): boolean {
  // Most declarations have no `const` anywhere: one read of the end instead of every child's type.
  if (!textOf(decl, text).includes('const')) return false;
  for (const c of decl.children) if (c?.type === 'type_qualifier' && textOf(c, text) === 'const') return true;
  return false;
}

/** Every variable a declaration-like node declares (`struct x *a, b[4];` declares two). */
export function declaredVars(decl: Node, text = new TreeText(decl)): CVar[] {
  const base = baseTypeText(decl.childForFieldName('type'), text);
  const declarators = decl.childrenForFieldName('declarator');
  const constant = declarators.length > 0 && isConst(decl, text);
  const out: CVar[] = [];
  for (const d of declarators) {
    if (!d) continue;
    const type: TypeText = { base, pointers: 0, arrays: [], isConst: constant };
    const found = unwrapDeclarator(d, type, text);
    if (found) out.push({ name: found.name, type, span: found.span });
  }
  return out;
}

/** The SEC("...") of a top-level node of type `type` (read once by the caller). */
function sectionOf(stmt: Node, type: string, text: TreeText): CSection | undefined {
  // SEC("...") parses as a call statement, or inside one (`SEC("license") = "GPL";` is an assignment).
  if ((type !== 'expression_statement' && type !== 'declaration') || !textOf(stmt, text).includes('SEC')) return undefined;
  const isSec = (c: Node | null): c is Node => {
    const fn = c?.childForFieldName('function');
    return !!fn && textOf(fn, text) === 'SEC';
  };
  // The first call in the statement: most often the statement's first child (`SEC("kprobe/x")`), found without a walk.
  const first = stmt.namedChild(0);
  const call = first?.type === 'call_expression' && isSec(first) ? first : stmt.descendantsOfType('call_expression').find(isSec);
  if (!call) return undefined;
  const str = call.childForFieldName('arguments')?.namedChild(0);
  if (!str || str.type !== 'string_literal') return undefined;
  const content = str.namedChildren.find((c) => c?.type === 'string_content');
  const start = str.startIndex + 1;
  const at = content ? span(content) : undefined;
  return { name: at ? text.of(at) : '', span: { start, end: at ? at.end : start } };
}

function mapFields(structSpec: Node, text: TreeText): Pick<CMap, 'fields' | 'fieldSpans'> {
  const out: Pick<CMap, 'fields' | 'fieldSpans'> = { fields: {}, fieldSpans: {} };
  const body = structSpec.childForFieldName('body');
  if (!body) return out;
  // `__uint(type, X);` parses as a field declaration with a macro type, whose arguments tree-sitter
  // cannot name: each macro use is read from its own node's text (comments around it are other nodes).
  for (const field of body.namedChildren) {
    const use = field?.type === 'field_declaration' ? field.childForFieldName('type') : null;
    const useText = use?.type === 'macro_type_specifier' ? textOf(use, text) : '';
    const m = use && useText ? /^__(?:uint|type|array)\s*\(\s*(\w+)\s*,\s*([^]*?)\s*\)$/.exec(useText) : null;
    if (!use || !m) continue;
    const valueStart = use.startIndex + useText.indexOf(m[2], m[0].indexOf(',') + 1);
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
  const root = tree.rootNode;
  const text = new TreeText(root);
  const top = root.namedChildren.filter((n): n is Node => !!n);
  const types = top.map((n) => n.type);
  // A program's SEC() is the statement before it, a map's the one after: each read once.
  const sections = top.map((n, i) => sectionOf(n, types[i], text));
  const walked = walk(root);
  const pp = preprocessDirectives(walked.directives, facts);
  const doc: CDocument = {
    functions: [], globals: [], maps: [], structs: structsOf(walked.bodies, text), includes: [], systemIncludes: [], sections: [],
    calls: callsOf(walked.calls, text), externs: [], legacyMaps: [], identifierUses: identifierIndex(root, text),
    license: licenseIn(root, source), includedLicense: pp.headers.find((h) => h.license)?.license,
    defines: pp.defines, allDefines: pp.visible, inactive: pp.inactive,
    usesVmlinux: includesVmlinux(walked.directives, text) || pp.headers.some((h) => h.vmlinux),
  };
  for (let i = 0; i < top.length; i++) {
    const n = top[i];
    const sec = sections[i];
    if (sec) doc.sections.push(sec);
    if (types[i] === 'preproc_include') {
      const path = n.childForFieldName('path');
      const pathType = path?.type;
      if (pathType === 'string_literal') doc.includes.push(textOf(path!, text).slice(1, -1));
      else if (pathType === 'system_lib_string') doc.systemIncludes.push(textOf(path!, text).slice(1, -1));
    } else if (types[i] === 'function_definition') {
      const fn = functionOf(n, sections[i - 1], text);
      if (fn) doc.functions.push(fn);
    } else if (types[i] === 'declaration') {
      addDeclaration(doc, n, sections[i + 1], source, text);
    } else if (types[i] === 'ERROR') {
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
function addDeclaration(doc: CDocument, n: Node, nextSection: CSection | undefined, source: string | undefined, text: TreeText): void {
  const vars = declaredVars(n, text);
  const type = n.childForFieldName('type');
  const typeName = type?.type === 'struct_specifier' ? type.childForFieldName('name') : undefined;
  if (type && typeName === null && nextSection?.name === '.maps') {
    for (const v of vars) doc.maps.push({ name: v.name, nameSpan: v.span, ...mapFields(type, text), section: nextSection });
    return;
  }
  if (typeName && nextSection?.name === 'maps' && textOf(typeName, text) === 'bpf_map_def') {
    for (const v of vars) doc.legacyMaps.push({ name: v.name, span: { start: n.startIndex, end: nextSection.span.end + 2 } });
  }
  const extern = source && n.children.some((c) => c?.type === 'storage_class_specifier' && textOf(c, text) === 'extern')
    ? /\b__(ksym|kconfig)\b/.exec(source.slice(n.startIndex, n.endIndex))?.[1] as CExtern['attribute'] | undefined
    : undefined;
  if (extern) doc.externs.push(...externsOf(n, extern, text));
  doc.globals.push(...vars);
}

function externsOf(n: Node, attribute: CExtern['attribute'], text: TreeText): CExtern[] {
  const vars: CExtern[] = declaredVars(n, text).map((v) => ({ ...v, isFunction: false, attribute }));
  for (const d of n.childrenForFieldName('declarator')) {
    let decl = d;
    const type: TypeText = { base: baseTypeText(n.childForFieldName('type'), text), pointers: 0, arrays: [], isConst: isConst(n, text) };
    while (decl?.type === 'pointer_declarator') {
      type.pointers++;
      decl = decl.childForFieldName('declarator');
    }
    const name = decl?.type === 'function_declarator' ? decl.childForFieldName('declarator') : null;
    if (name?.type === 'identifier') {
      const at = span(name);
      vars.push({ name: text.of(at), type, isFunction: true, attribute, span: at });
    }
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

/** The nodes the model reads wherever they are. */
interface Walked {
  calls: Node[];
  /** Struct and union bodies (and any other field declaration list). */
  bodies: Node[];
  directives: Directive[];
}

/**
 * One walk of the whole tree for all of them: each walk runs through the tree in WASM, and each node found
 * costs a call to read its type.
 */
function walk(root: Node): Walked {
  const out: Walked = { calls: [], bodies: [], directives: [] };
  for (const node of root.descendantsOfType(['call_expression', 'field_declaration_list', ...DIRECTIVES])) {
    if (!node) continue;
    const type = node.type;
    if (type === 'call_expression') out.calls.push(node);
    else if (type === 'field_declaration_list') out.bodies.push(node);
    else out.directives.push({ node, type });
  }
  return out;
}

function callsOf(calls: Node[], text: TreeText): CCall[] {
  const out: CCall[] = [];
  for (const c of calls) {
    const fn = c.childForFieldName('function');
    if (fn?.type !== 'identifier') continue;
    const args = c.childForFieldName('arguments');
    if (!args) continue;
    const calleeSpan = span(fn);
    out.push({
      callee: text.of(calleeSpan),
      calleeSpan,
      args: argumentsOf(args, text),
      span: span(c),
    });
  }
  return out;
}

/** A call's arguments, comments left out: an argument's text starts with `/` only if it is a comment or an ERROR. */
function argumentsOf(list: Node, text: TreeText): CCall['args'] {
  const out: CCall['args'] = [];
  for (const a of list.namedChildren) {
    if (!a) continue;
    const at = span(a);
    const argText = text.of(at);
    if (!argText.startsWith('/') || a.type !== 'comment') out.push({ text: argText, span: at });
  }
  return out;
}

/** Whether any `#include` of the file, at any depth of #if, names a vmlinux.h. */
function includesVmlinux(directives: Directive[], text: TreeText): boolean {
  return directives.some(({ node, type }) => {
    const path = type === 'preproc_include' ? node.childForFieldName('path') : null;
    return !!path && VMLINUX_INCLUDE.test(textOf(path, text).slice(1, -1));
  });
}

/** Identifier uses by name, indexed on first request (most files never ask). */
function identifierIndex(root: Node, text: TreeText): (name: string) => Span[] {
  let index: Map<string, Span[]> | undefined;
  return (name) => {
    if (!index) {
      index = new Map();
      for (const id of root.descendantsOfType('identifier')) {
        if (!id) continue;
        const at = span(id);
        const key = text.of(at);
        const list = index.get(key) ?? [];
        list.push(at);
        index.set(key, list);
      }
    }
    return index.get(name) ?? [];
  };
}

function functionOf(n: Node, section: CSection | undefined, text: TreeText): CFunction | undefined {
  let decl = n.childForFieldName('declarator');
  let declType = decl?.type;
  while (decl && declType === 'pointer_declarator') {
    decl = decl.childForFieldName('declarator');
    declType = decl?.type;
  }
  if (!decl || declType !== 'function_declarator') return undefined;
  const nameNode = decl.childForFieldName('declarator');
  const paramList = decl.childForFieldName('parameters');
  const body = n.childForFieldName('body');
  if (!nameNode || !paramList || !body) return undefined;
  const params: CVar[] = [];
  let nameSpan = span(nameNode);
  let name = text.of(nameSpan);
  let macro: ProgramMacro | undefined;
  const decls = paramList.namedChildren.filter((p): p is Node => p?.type === 'parameter_declaration');
  if (Object.hasOwn(HEAD_MACROS, name) && decls.length > 0) {
    // int BPF_PROG(handle, struct task_struct *prev): the first "parameter" is the program's name.
    macro = name as ProgramMacro;
    nameSpan = span(decls.shift()!);
    name = text.of(nameSpan);
  }
  for (const p of decls) params.push(...declaredVars(p, text));
  return { name, nameSpan, macro, params, body: span(body), span: span(n), section };
}

/**
 * Every named struct and union with a body, at any depth, in text order (a later one of a name wins). They
 * are found from their bodies: most specifiers only name a type (`struct task_struct *p`).
 */
function structsOf(bodies: Node[], text: TreeText): Map<string, CStruct> {
  const specs: { spec: Node; kind: CStruct['kind']; name: Node; body: Node; span: Span }[] = [];
  for (const body of bodies) {
    const spec = body.parent;
    const type = spec?.type;
    if (!spec || (type !== 'struct_specifier' && type !== 'union_specifier') || spec.childForFieldName('body')?.id !== body.id) continue;
    const name = spec.childForFieldName('name');
    if (name) specs.push({ spec, kind: type === 'union_specifier' ? 'union' : 'struct', name, body, span: span(spec) });
  }
  // Text order is the specifiers' (outer first), not their bodies' (a specifier may sit before another's body).
  specs.sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  const out = new Map<string, CStruct>();
  for (const { spec, kind, name, body, span: at } of specs) {
    const members: CVar[] = [];
    for (const f of body.namedChildren) if (f?.type === 'field_declaration') members.push(...declaredVars(f, text));
    const nameText = textOf(name, text);
    out.set(`${kind} ${nameText}`, { kind, name: nameText, members, span: at, relocatable: nameText.includes('___') || hasPreserveAccessIndex(spec, body, text) });
  }
  return out;
}

/** `struct x {...} __attribute__((preserve_access_index))`: the attribute within 80 characters after the body. */
function hasPreserveAccessIndex(spec: Node, body: Node, text: TreeText): boolean {
  const parent = spec.parent;
  const parentType = parent?.type;
  const decl = parent && (parentType === 'declaration' || parentType === 'type_definition') ? parent : spec;
  const bodyEnd = body.endIndex;
  return /preserve_access_index/.test(text.of({ start: bodyEnd, end: Math.min(bodyEnd + 80, decl.endIndex) }));
}

/** A function's body block in the tree. */
export function functionBody(tree: Tree, fn: CFunction): Node | undefined {
  const brace = tree.rootNode.descendantForIndex(fn.body.start, fn.body.start + 1);
  return (brace?.type === 'compound_statement' ? brace : brace?.parent) ?? undefined;
}

/**
 * The last local variable named `name` declared in the function body before `offset`. The declarations
 * read are those around the name's identifiers in the body (the model's index), not every one in it.
 */
export function localBefore(doc: CDocument, tree: Tree, fn: CFunction, offset: number, name: string): CVar | undefined {
  const block = functionBody(tree, fn);
  if (!block) return undefined;
  const start = block.startIndex;
  const end = block.endIndex;
  const declarations = new Map<number, Node>();
  for (const use of doc.identifierUses(name)) {
    if (use.start < start || use.start >= offset || use.end > end) continue;
    let n = tree.rootNode.descendantForIndex(use.start, use.end);
    while (n && n.type !== 'declaration' && n.startIndex >= start) n = n.parent;
    if (n?.type === 'declaration' && n.startIndex >= start && n.startIndex < offset) declarations.set(n.startIndex, n);
  }
  let found: CVar | undefined;
  for (const at of [...declarations.keys()].sort((a, b) => a - b)) {
    for (const v of declaredVars(declarations.get(at)!)) if (v.name === name) found = v;
  }
  return found;
}
