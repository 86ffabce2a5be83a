// The arguments a BTF-typed program receives, from the kernel's own prototypes: fentry/fexit/fmod_ret
// read the traced function's parameters (fexit also its return value), tp_btf/raw_tp the tracepoint's
// (btf_trace_<event> without its leading context pointer), lsm the hook's plus the previous verdict,
// fmod_ret the function's plus the previous return value.
import { Btf } from '../btf/btf';
import { declaration } from '../btf/c-decl';
import { FuncProtoType } from '../btf/types';
import { Kind } from '../btf/wire';
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
  const sec = m.def.sec.replace(/[+/]$/, '').replace(/\.s$/, '');
  const target = m.target.split('+')[0];
  const protoOf = (fnName: string): FuncProtoType | undefined => {
    const fn = btf.findFirst(fnName, Kind.Func);
    const proto = fn !== undefined ? btf.sizeOrType(fn) : undefined;
    return proto !== undefined && btf.kind(proto) === Kind.FuncProto ? (btf.type(proto) as FuncProtoType) : undefined;
  };
  const params = (p: FuncProtoType, skip = 0) => p.params.slice(skip).filter((x) => x.type !== 0).map((x, i) => ({ name: x.name || `arg${i}`, type: x.type }));
  if (sec === 'fentry' || sec === 'fmod_ret' || sec === 'fexit') {
    const p = protoOf(target);
    if (!p) return undefined;
    // fexit sees the return value, fmod_ret the one the previous fmod_ret program returned.
    return sec === 'fentry' ? params(p) : [...params(p), { name: 'ret', type: p.returnType }];
  }
  if (sec === 'lsm' || sec === 'lsm_cgroup') {
    const p = protoOf(`bpf_lsm_${target}`);
    return p && [...params(p), { name: 'ret', type: p.returnType }];
  }
  if (sec === 'tp_btf' || sec === 'raw_tp' || sec === 'raw_tracepoint') {
    const td = btf.findFirst(`btf_trace_${target}`, Kind.Typedef);
    const ptr = td !== undefined ? btf.resolve(td) : undefined;
    const proto = ptr !== undefined && btf.kind(ptr) === Kind.Ptr ? btf.sizeOrType(ptr) : undefined;
    if (proto === undefined || btf.kind(proto) !== Kind.FuncProto) return undefined;
    // The first parameter is the tracepoint's context pointer, which the program does not see.
    return params(btf.type(proto) as FuncProtoType, 1);
  }
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
