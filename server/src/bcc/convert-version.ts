// BCC's compile-time kernel tests (`#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 14, 0)`, `#if CONFIG_X`):
// BCC compiled on the target, a libbpf object is built once for every kernel. A version test around whole
// statements in a function, whose branches declare nothing and read only fields the kernel's BTF has,
// becomes the same test at load time: `if (LINUX_KERNEL_VERSION >= KERNEL_VERSION(5, 14, 0)) {...} else {...}`
// (libbpf fills LINUX_KERNEL_VERSION from the running kernel; the verifier drops the branch not taken, and
// CO-RE leaves its relocations unused). Anything else keeps its `#if` under a TODO(bcc) mark saying why.
import type { Node, Tree } from 'web-tree-sitter';
import type { Span } from '../csource/model';
import type { Edit } from './convert-maps';
import { indentAt, lineStart } from './scan';

type Mark = { at: number; message: string };
/** The kernel struct members (`task_struct.state`) the code in a span names that the kernel's BTF lacks; undefined when that cannot be told. */
export type MissingMembers = (span: Span) => string[] | undefined;

const VERSION_TEST = /^\s*\(?\s*LINUX_VERSION_CODE\s*(>=|>|<=|<|==|!=)\s*KERNEL_VERSION\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)\s*\)?\s*$/;
/** The extern that carries the running kernel's version into the program (libbpf's __kconfig). */
export const LINUX_KERNEL_VERSION_EXTERN = 'extern int LINUX_KERNEL_VERSION __kconfig;';

/** Rewrites or marks every `#if`/`#elif` kernel test; true when a test became a load-time guard (the extern is then needed). */
export function versionTests(tree: Tree, text: string, missing: MissingMembers, edits: Edit[], marks: Mark[]): boolean {
  let guarded = false;
  for (const n of tree.rootNode.descendantsOfType('preproc_if')) {
    if (!n) continue;
    const conds = chain(n).map((b) => b.condition).filter((c): c is Node => !!c);
    const c = conds.map((x) => x.text).join(' ');
    const config = /\bCONFIG_\w+/.exec(c);
    if (config) {
      marks.push({ at: n.startIndex, message: `a compile-time kernel configuration test (${config[0]}): libbpf reads it at load time: extern bool ${config[0]} __kconfig __weak;` });
      continue;
    }
    if (!/\bLINUX_VERSION_CODE\b/.test(c)) continue;
    const why = guardRefusal(n, missing);
    if (why) {
      marks.push({ at: n.startIndex, message: `a compile-time kernel version test: this object is built once for every kernel (LINUX_VERSION_CODE is the build kernel's here); ${why}` });
      continue;
    }
    edits.push(...guardEdits(n, text));
    guarded = true;
  }
  return guarded;
}

interface Branch {
  /** The `#if`/`#elif` keyword node, or `#else`'s. */
  head: Node;
  condition: Node | null;
  /** The branch's own statements (not those of the branches after it). */
  body: Node[];
}

/** `#if` with its `#elif`s and `#else`, in order. */
function chain(n: Node): Branch[] {
  const out: Branch[] = [];
  for (let cur: Node | null = n; cur; cur = cur.childForFieldName('alternative')) {
    const alt = cur.childForFieldName('alternative');
    const body = cur.namedChildren.filter((k): k is Node => !!k && k.id !== cur!.childForFieldName('condition')?.id && k.id !== alt?.id);
    out.push({ head: cur.child(0)!, condition: cur.childForFieldName('condition'), body });
    if (cur.type === 'preproc_else') break;
  }
  return out;
}

/** Why this test cannot become a load-time guard, or undefined when it can. */
function guardRefusal(n: Node, missing: MissingMembers): string | undefined {
  const advice = 'test the field or function instead (bpf_core_field_exists(), bpf_ksym_exists()) or LINUX_KERNEL_VERSION at run time';
  if (n.parent?.type !== 'compound_statement') return advice;
  const branches = chain(n);
  if (branches.some((b) => b.condition && !VERSION_TEST.test(b.condition.text))) return advice;
  if (branches.some((b) => b.body.some((s) => s.type === 'declaration'))) return `a branch declares a variable, so it cannot become an if () block: ${advice}`;
  if (branches.some((b) => b.body.some((s) => !/statement$|^comment$/.test(s.type)))) return advice;
  const lacking = missing({ start: n.startIndex, end: n.endIndex });
  if (!lacking) return `no kernel BTF to check the branches' members against: ${advice}`;
  if (lacking.length > 0) {
    const [struct, member] = lacking[0].split('.');
    return `a branch reads ${lacking.join(', ')}, which this kernel's BTF does not have, so it would not compile against vmlinux.h: test the member at load time with bpf_core_field_exists() and read it through a flavor that declares it (struct ${struct}___old { ... ${member}; } __attribute__((preserve_access_index)))`;
  }
  return undefined;
}

/** `#if T` -> `if (T') {`, `#elif T` -> `} else if (T') {`, `#else` -> `} else {`, `#endif` -> `}`, indented as the code around. */
function guardEdits(n: Node, text: string): Edit[] {
  const edits: Edit[] = [];
  const first = chain(n)[0].body[0];
  const pad = (head: Node) => (head.startIndex === lineStart(text, head.startIndex) && first ? indentAt(text, first.startIndex) : '');
  const test = (cond: Node) => {
    const m = VERSION_TEST.exec(cond.text)!;
    return `(LINUX_KERNEL_VERSION ${m[1]} KERNEL_VERSION(${m[2]}, ${m[3]}, ${m[4]}))`;
  };
  for (const b of chain(n)) {
    const open = b.condition ? `if ${test(b.condition)} {` : '{';
    const end = b.condition ? b.condition.endIndex : b.head.endIndex;
    edits.push({ start: b.head.startIndex, end, text: pad(b.head) + (b.head.startIndex === n.startIndex ? open : `} else ${open}`) });
  }
  const endif = n.children.find((k) => k?.type === '#endif');
  if (endif) edits.push({ start: endif.startIndex, end: endif.endIndex, text: `${pad(endif)}}` });
  return edits;
}
