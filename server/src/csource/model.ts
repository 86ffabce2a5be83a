// What a .bpf.c file declares, read from its tree-sitter tree. Macros are not expanded, so the libbpf
// idioms are recognised by shape: `SEC("...")` parses as a call statement before a program (or after a
// map), `int BPF_PROG(name, args...)` as a function whose first parameter is the program's name.
import type { Node, Tree } from 'web-tree-sitter';

export interface Span {
  start: number;
  end: number;
}

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

export const PROGRAM_MACROS = ['BPF_PROG', 'BPF_PROG2', 'BPF_KPROBE', 'BPF_KRETPROBE', 'BPF_KSYSCALL', 'BPF_KPROBE_SYSCALL', 'BPF_UPROBE', 'BPF_URETPROBE', 'BPF_USDT'] as const;
export type ProgramMacro = (typeof PROGRAM_MACROS)[number];

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
  section?: CSection;
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
  sections: CSection[];
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

function mapFields(structSpec: Node): Record<string, string> {
  const fields: Record<string, string> = {};
  const body = structSpec.childForFieldName('body');
  if (!body) return fields;
  // `__uint(type, X);` parses as a field declaration with a macro type: read it from the text.
  for (const m of body.text.matchAll(/__(uint|type|array)\s*\(\s*(\w+)\s*,\s*([^;]*?)\)\s*;/g)) fields[m[2]] = m[3].trim();
  return fields;
}

export function buildModel(tree: Tree): CDocument {
  const doc: CDocument = { functions: [], globals: [], maps: [], structs: new Map(), includes: [], sections: [] };
  const top = tree.rootNode.namedChildren.filter((n): n is Node => !!n);
  for (let i = 0; i < top.length; i++) {
    const n = top[i];
    const sec = sectionOf(n);
    if (sec) doc.sections.push(sec);
    collectStructs(n, doc.structs);
    switch (n.type) {
      case 'preproc_include': {
        const path = n.childForFieldName('path');
        if (path?.type === 'string_literal') doc.includes.push(path.text.slice(1, -1));
        break;
      }
      case 'function_definition': {
        const fn = functionOf(n, sectionOf(top[i - 1]));
        if (fn) doc.functions.push(fn);
        break;
      }
      case 'declaration': {
        const vars = declaredVars(n);
        const type = n.childForFieldName('type');
        const mapSec = sectionOf(top[i + 1]);
        if (type?.type === 'struct_specifier' && !type.childForFieldName('name') && mapSec?.name === '.maps') {
          for (const v of vars) doc.maps.push({ name: v.name, nameSpan: v.span, fields: mapFields(type), section: mapSec });
        } else {
          doc.globals.push(...vars);
        }
        break;
      }
    }
  }
  return doc;
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
  if ((PROGRAM_MACROS as readonly string[]).includes(nameNode.text) && decls.length > 0) {
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

/** Local variables declared in the function body before `offset`, nearest last. */
export function localsBefore(tree: Tree, fn: CFunction, offset: number): CVar[] {
  const body = tree.rootNode.descendantForIndex(fn.body.start, fn.body.start + 1);
  const block = body?.type === 'compound_statement' ? body : body?.parent;
  if (!block) return [];
  const out: CVar[] = [];
  for (const d of block.descendantsOfType('declaration')) {
    if (d && d.startIndex < offset) out.push(...declaredVars(d));
  }
  return out;
}
