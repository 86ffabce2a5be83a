// The quick fix for a CO-RE field that some kernels have under another name (kernfs_node.parent became
// __parent in 6.15, task_struct.state __state in 5.14), as libbpf-tools write it: a `___flavour` struct
// declaring the name the described kernel lacks, defined once after the includes, and the read rewritten
// as `bpf_core_field_exists(p->D) ? <the read with D> : <the read through the flavour, with F>`.
// D is the name the described kernel has (its vmlinux.h compiles the read), F the other one.
import type { Node } from 'web-tree-sitter';
import { Range, TextEdit } from 'vscode-languageserver-types';
import { declaration } from '../../btf/c-decl';
import { CCall } from '../../csource/model';
import { fieldPathSource } from '../expression';
import { ExprType, TypeEnv, composite, member } from '../types';
import { ParsedFile } from '../service-context';
import { DiagnosticFix } from './rule';

/** Where a field path is written: a BPF_CORE_READ call, or a `->`/`.` chain (its outermost node). */
export type ReadSite = { call: CCall } | { node: Node };

/** One kernel's view of the read at the failing step: the struct the field is looked up in. */
export interface KernelStruct {
  env: TypeEnv;
  struct: ExprType;
  /** The kernel is the described one (its vmlinux.h is what the file compiles against). */
  described: boolean;
}

export interface RenamedField {
  site: ReadSite;
  /** The written field name and where it is written. */
  written: string;
  start: number;
  end: number;
  /** What the kernels that miss it call it. */
  renamed: string;
  /** The struct at the failing step in each kernel that reached it, described first. */
  kernels: KernelStruct[];
}

/** The fix, or undefined when the read is not one it can rewrite into C that compiles. */
export function flavourGuardFix(file: ParsedFile, f: RenamedField): DiagnosticFix | undefined {
  const text = file.doc.getText();
  if (text.slice(f.start, f.end) !== f.written) return undefined; // spelled through a macro
  const described = f.kernels.find((k) => k.described);
  if (!described) return undefined;
  const describedHasWritten = !!member(described.struct, f.written, described.env);
  const direct = describedHasWritten ? f.written : f.renamed;
  const other = describedHasWritten ? f.renamed : f.written;
  const there = f.kernels.find((k) => member(k.struct, other, k.env));
  const field = there && member(there.struct, other, there.env);
  const owner = there && composite(there.struct, there.env);
  if (!there || !field || field.bitSize || field.type.kind !== 'btf' || owner?.btfId === undefined) return undefined;
  const struct = there.env.btf.name(owner.btfId);
  const fieldDecl = declaration(there.env.btf, field.type.id, other);
  if (!struct || fieldDecl.includes('{...}')) return undefined;
  const flavour = `${struct}___with${other.startsWith('_') ? '' : '_'}${other}`;
  const forms = 'call' in f.site ? callForms(text, f.site.call, f, `struct ${struct}`, flavour, other) : chainForms(text, f.site.node, f, flavour, other);
  if (!forms) return undefined;
  const choice = `bpf_core_field_exists(${forms.pointer}->${direct}) ? ${forms.direct(direct)} : ${forms.flavoured}`;
  const read = forms.setup ? `({ ${forms.setup}; ${choice}; })` : `(${choice})`;
  const edits: TextEdit[] = [];
  if (!file.structs.has(`struct ${flavour}`)) {
    const at = declarationPoint(file, forms.span.start);
    edits.push(TextEdit.insert(file.doc.positionAt(at), `${at > 0 && text[at - 1] !== '\n' ? '\n' : ''}struct ${flavour} { ${fieldDecl}; } __attribute__((preserve_access_index));\n`));
  }
  return {
    title: `Guard with bpf_core_field_exists(): ${direct} where it exists, else ${other} (struct ${flavour})`,
    range: Range.create(file.doc.positionAt(forms.span.start), file.doc.positionAt(forms.span.end)),
    newText: read,
    edits,
  };
}

interface Forms {
  span: { start: number; end: number };
  /** The pointer to the struct holding the field. */
  pointer: string;
  /** A declaration of `pointer` the read needs first (clang refuses a BPF_CORE_READ nested in another). */
  setup?: string;
  /** The read as written, the field spelled `name`. */
  direct(name: string): string;
  /** The read through the flavour struct, the field spelled as the flavour declares it. */
  flavoured: string;
}

/** The kernel read macros the fix rewrites (the _USER ones read user memory, where a flavour means nothing). */
const KERNEL_READS = new Set(['BPF_CORE_READ', 'BPF_CORE_READ_INTO', 'BPF_CORE_READ_STR_INTO']);

/**
 * `BPF_CORE_READ(src, W.x, b)` (or `BPF_CORE_READ_INTO(dst, src, ...)`): the pointer holding W is `src`.
 * `BPF_CORE_READ(src, a, W.x, b)`: it is read first into `___p`, and both branches read from there.
 */
function callForms(text: string, call: CCall, f: RenamedField, struct: string, flavour: string, other: string): Forms | undefined {
  const source = fieldPathSource(call.callee);
  if (!KERNEL_READS.has(call.callee) || source === undefined) return undefined;
  const i = call.args.findIndex((a) => a.span.start <= f.start && f.end <= a.span.end);
  // W must start its argument (`->W`): inside a dotted argument it is a member of an embedded struct.
  if (i <= source || call.args[i].text.trim().indexOf(f.written) !== 0) return undefined;
  const args = call.args.map((a) => a.text.trim());
  const after = [text.slice(f.end, call.args[i].span.end).trim(), ...args.slice(i + 1)];
  const read = (pointer: string, name: string) => `${call.callee}(${[...args.slice(0, source), pointer, name + after[0], ...after.slice(1)].join(', ')})`;
  if (i === source + 1) {
    const whole = text.slice(call.span.start, call.span.end);
    return {
      span: call.span, pointer: args[source],
      direct: (name) => whole.slice(0, f.start - call.span.start) + name + whole.slice(f.end - call.span.start),
      flavoured: read(`(struct ${flavour} *)${args[source]}`, other),
    };
  }
  return {
    span: call.span, pointer: '___p', setup: `${struct} *___p = BPF_CORE_READ(${args.slice(source, i).join(', ')})`,
    direct: (name) => read('___p', name),
    flavoured: read(`(struct ${flavour} *)___p`, other),
  };
}

/** `p->q->W.x`: the pointer holding W is `p->q`; a read only (not assigned to, not `&`-taken). */
function chainForms(text: string, outer: Node, f: RenamedField, flavour: string, other: string): Forms | undefined {
  const fe = outer.descendantsOfType('field_expression').find((n) => n?.childForFieldName('field')?.startIndex === f.start);
  const pointer = fe?.childForFieldName('argument');
  if (!fe || !pointer || fe.childForFieldName('operator')?.text !== '->') return undefined;
  const parent = outer.parent;
  if (parent?.type === 'pointer_expression' && parent.childForFieldName('operator')?.text === '&') return undefined;
  if ((parent?.type === 'assignment_expression' && parent.childForFieldName('left')?.id === outer.id) || parent?.type === 'update_expression') return undefined;
  const whole = text.slice(outer.startIndex, outer.endIndex);
  return {
    span: { start: outer.startIndex, end: outer.endIndex },
    pointer: pointer.text,
    direct: (name) => whole.slice(0, f.start - outer.startIndex) + name + whole.slice(f.end - outer.startIndex),
    flavoured: `((struct ${flavour} *)${pointer.text})->${other}${text.slice(f.end, outer.endIndex)}`,
  };
}

/** Where the flavour struct goes: after the last top-level #include before the read, else at the top. */
function declarationPoint(file: ParsedFile, before: number): number {
  let at = 0;
  for (const n of file.tree.rootNode.namedChildren) {
    if (!n || n.startIndex >= before) break;
    if (n.type === 'preproc_include') at = n.endIndex;
  }
  return at;
}
