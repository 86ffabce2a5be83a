// The arguments a BTF-typed program receives, from the kernel's own prototypes, in the shape the section
// family gives (sections/families.ts): fentry the traced function's parameters, fexit/fmod_ret those and a
// return value, tp_btf/raw_tp the tracepoint's (btf_trace_<event> without its leading context pointer),
// lsm the hook's plus the previous verdict.
import { Btf } from '../btf/btf';
import { declaration } from '../btf/c-decl';
import { FuncProtoType } from '../btf/types';
import { Kind } from '../btf/wire';
import { familyOf, targetSymbol } from '../sections/families';
import { matchSection } from '../sections/match';

export interface ProgramArg {
  name: string;
  /** Type id in the kernel's BTF. */
  type: number;
}

/** The arguments of the program a section names, in this kernel; undefined when the section is not BTF-typed or the target is missing. */
export function programArguments(section: string, btf: Btf): ProgramArg[] | undefined {
  const m = matchSection(section);
  if (!m?.target) return undefined;
  const family = familyOf(m.def.sec);
  const symbol = targetSymbol(family, m.target);
  const id = symbol && btf.findFirst(symbol.name, symbol.kind);
  if (id === undefined) return undefined;
  const params = (p: FuncProtoType, skip = 0) => p.params.slice(skip).filter((x) => x.type !== 0).map((x, i) => ({ name: x.name || `arg${i}`, type: x.type }));
  if (family.args === 'tracepoint') {
    const ptr = btf.resolve(id);
    const proto = btf.kind(ptr) === Kind.Ptr ? btf.sizeOrType(ptr) : undefined;
    if (proto === undefined || btf.kind(proto) !== Kind.FuncProto) return undefined;
    // The first parameter is the tracepoint's context pointer, which the program does not see.
    return params(btf.type(proto) as FuncProtoType, 1);
  }
  const proto = btf.sizeOrType(id);
  if (btf.kind(proto) !== Kind.FuncProto) return undefined;
  const p = btf.type(proto) as FuncProtoType;
  if (family.args === 'function') return params(p);
  if (family.args === 'function-and-return' || family.args === 'lsm-hook-and-return') return [...params(p), { name: 'ret', type: p.returnType }];
  return undefined;
}

/** `struct task_struct *prev, struct task_struct *next`: the list a BPF_PROG head spells. */
export function argumentList(args: ProgramArg[], btf: Btf): string {
  return args.map((a) => declaration(btf, a.type, a.name)).join(', ');
}

/** The struct or union a pointer argument points to, by name (`task_struct`), or undefined for other types. */
export function pointedStruct(btf: Btf, type: number): string | undefined {
  const ptr = btf.resolve(type);
  if (btf.kind(ptr) !== Kind.Ptr) return undefined;
  const to = btf.resolve(btf.sizeOrType(ptr));
  const k = btf.kind(to);
  return k === Kind.Struct || k === Kind.Union || k === Kind.Fwd ? btf.name(to) : undefined;
}
