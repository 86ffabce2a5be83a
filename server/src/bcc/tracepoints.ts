// A tracepoint's context struct, as libbpf programs name it from BTF: `struct trace_event_raw_<class>`,
// where the class is the event's DECLARE_EVENT_CLASS, not always the event (softirq_entry's class is
// softirq). The event's fields come from its tracefs format (a fact the edge reads and hands in); the class
// is the trace_event_raw_* struct of BTF with exactly those fields, the event's own name first, then the
// longest class name the event's name starts with. Syscall events have no class in BTF: their context is
// trace_event_raw_sys_enter (arguments in `args[]`) or trace_event_raw_sys_exit (`ret`).
import { Btf } from '../btf/btf';
import { CompositeType } from '../btf/types';
import { Kind } from '../btf/wire';

export interface TracepointField {
  /** The C type as tracefs writes it (`const char *`, `__data_loc char[]`). */
  type: string;
  name: string;
  offset: number;
  size: number;
}

/** The event's own fields from a tracefs `format` file (the `common_*` header left out). */
export function parseTracepointFormat(format: string): TracepointField[] {
  const out: TracepointField[] = [];
  for (const m of format.matchAll(/field:([^;]*);\s*offset:(\d+);\s*size:(\d+);/g)) {
    const decl = m[1].trim();
    const nm = /^(.*?)([A-Za-z_]\w*)\s*(\[[^\]]*\])?$/.exec(decl);
    if (!nm || nm[2].startsWith('common_')) continue;
    out.push({ type: (nm[1] + (nm[3] ?? '')).trim(), name: nm[2], offset: Number(m[2]), size: Number(m[3]) });
  }
  return out;
}

export type TracepointContext =
  | { kind: 'class'; struct: string; dataLoc: Set<string>; arrays: Set<string> }
  | { kind: 'sys_enter'; struct: 'trace_event_raw_sys_enter'; args: TracepointField[] }
  | { kind: 'sys_exit'; struct: 'trace_event_raw_sys_exit' };

/** The BTF struct a `tracepoint/<category>/<name>` program receives, given the event's tracefs fields. */
export function tracepointContext(btf: Btf | undefined, category: string, name: string, fields: TracepointField[] | undefined): TracepointContext | undefined {
  if (category === 'syscalls' && name.startsWith('sys_enter_')) {
    return { kind: 'sys_enter', struct: 'trace_event_raw_sys_enter', args: (fields ?? []).filter((f) => f.name !== '__syscall_nr') };
  }
  if (category === 'syscalls' && name.startsWith('sys_exit_')) return { kind: 'sys_exit', struct: 'trace_event_raw_sys_exit' };
  if (!btf) return undefined;
  const dataLoc = new Set((fields ?? []).filter((f) => f.type.startsWith('__data_loc')).map((f) => f.name));
  const arrays = new Set((fields ?? []).filter((f) => f.type.includes('[') && !f.type.startsWith('__data_loc')).map((f) => f.name));
  const own = structNamed(btf, `trace_event_raw_${name}`);
  if (own && (!fields || sameFields(btf, own, fields))) return { kind: 'class', struct: `trace_event_raw_${name}`, dataLoc, arrays };
  if (!fields) return undefined;
  const candidates = btf.namesOfKind(Kind.Struct).filter((s) => s.name.startsWith('trace_event_raw_') && sameFields(btf, s.id, fields));
  if (candidates.length === 0) return undefined;
  const cls = (s: { name: string }) => s.name.slice('trace_event_raw_'.length);
  const prefixed = candidates.filter((s) => name.startsWith(cls(s)) || name.includes(cls(s))).sort((a, b) => cls(b).length - cls(a).length);
  const pick = prefixed[0] ?? (candidates.length === 1 ? candidates[0] : undefined);
  return pick ? { kind: 'class', struct: pick.name, dataLoc, arrays } : undefined;
}

function structNamed(btf: Btf, name: string): number | undefined {
  return btf.findFirst(name, Kind.Struct);
}

/** The struct's members after `ent` (and before the trailing `__data[]`) are exactly the event's fields. */
function sameFields(btf: Btf, id: number, fields: TracepointField[]): boolean {
  const members = (btf.type(id) as CompositeType).members.map((m) => m.name).filter((n) => n !== 'ent' && n !== '__data');
  const want = fields.map((f) => (f.type.startsWith('__data_loc') ? `__data_loc_${f.name}` : f.name));
  return members.length === want.length && members.every((m, i) => m === want[i]);
}
