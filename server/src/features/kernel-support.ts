// What a kernel supports, read from its own BTF: helpers (enum bpf_func_id), map types (enum
// bpf_map_type), program and attach types, and kfuncs (FUNCs tagged `bpf_kfunc`; where a BTF carries no
// such tags, as 6.1 and 6.12 here do not, a FUNC of that name is enough).
import { Btf } from '../btf/btf';
import { EnumType } from '../btf/types';
import { Kind } from '../btf/wire';

const enumCache = new WeakMap<Btf, Map<string, Set<string>>>();

/** The enumerator names of the first enum called `name`, cached per kernel. */
export function enumValues(btf: Btf, name: string): Set<string> {
  let perBtf = enumCache.get(btf);
  if (!perBtf) enumCache.set(btf, (perBtf = new Map()));
  let set = perBtf.get(name);
  if (!set) {
    const id = btf.findFirst(name, Kind.Enum) ?? btf.findFirst(name, Kind.Enum64);
    set = new Set(id === undefined ? [] : (btf.type(id) as EnumType).values.map((v) => v.name));
    perBtf.set(name, set);
  }
  return set;
}

export const hasHelper = (btf: Btf, helper: string) => enumValues(btf, 'bpf_func_id').has(`BPF_FUNC_${helper.replace(/^bpf_/, '')}`);
export const hasMapType = (btf: Btf, mapType: string) => enumValues(btf, 'bpf_map_type').has(mapType);
export const hasProgType = (btf: Btf, progType: string) => enumValues(btf, 'bpf_prog_type').has(progType);
export const hasAttachType = (btf: Btf, attachType: string) => enumValues(btf, 'bpf_attach_type').has(attachType);

const kfuncTagged = new WeakMap<Btf, boolean>();

/** A kfunc: a FUNC the kernel tags `bpf_kfunc`, or, in a BTF that tags none, any FUNC of that name. */
export function hasKfunc(btf: Btf, name: string): boolean {
  const id = btf.findFirst(name, Kind.Func);
  if (id === undefined) return false;
  let tagged = kfuncTagged.get(btf);
  if (tagged === undefined) kfuncTagged.set(btf, (tagged = btf.findByName('bpf_kfunc', Kind.DeclTag).length > 0));
  if (!tagged) return true;
  return btf.findByName('bpf_kfunc', Kind.DeclTag).some((t) => btf.sizeOrType(t) === id);
}

const flagCache = new WeakMap<Btf, string[]>();

/** Every `BPF_F_*` flag the kernel's enums define (map, update and program flags live in anonymous enums). */
export function bpfFlags(btf: Btf): string[] {
  let flags = flagCache.get(btf);
  if (!flags) {
    const set = new Set<string>();
    for (let id = 1; id < btf.typeCount; id++) {
      if (btf.kind(id) !== Kind.Enum) continue;
      for (const v of (btf.type(id) as EnumType).values) if (v.name.startsWith('BPF_F_')) set.add(v.name);
    }
    flagCache.set(btf, (flags = [...set].sort()));
  }
  return flags;
}
