// BCC tables as libbpf's BTF-defined maps (same key and value types, so the same sizes), and BCC's table
// methods as the helper calls BCC's rewriter makes of them. increment, atomic_increment and
// lookup_or_try_init become small functions written once per map, with BCC's semantics (increment
// initialises a missing key only in a plain hash, as BCC does).
import type { BccMethodCall, BccTable } from './model';
import { TABLE_METHODS } from './tables';

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface MapConversion {
  text: string;
  notes: string[];
  /** Marked comments: behaviour with no faithful translation. */
  marks: string[];
}

/** Maps whose key and value are file descriptors or fixed-size ids: sizes, not types. */
const SIZED_MAPS = new Set(['BPF_MAP_TYPE_PERF_EVENT_ARRAY', 'BPF_MAP_TYPE_PROG_ARRAY', 'BPF_MAP_TYPE_CGROUP_ARRAY', 'BPF_MAP_TYPE_STACK_TRACE',
  'BPF_MAP_TYPE_DEVMAP', 'BPF_MAP_TYPE_CPUMAP', 'BPF_MAP_TYPE_XSKMAP', 'BPF_MAP_TYPE_SOCKMAP', 'BPF_MAP_TYPE_ARRAY_OF_MAPS', 'BPF_MAP_TYPE_HASH_OF_MAPS']);
const NO_KEY = new Set(['BPF_MAP_TYPE_QUEUE', 'BPF_MAP_TYPE_STACK', 'BPF_MAP_TYPE_RINGBUF']);
const NO_MAX = new Set(['BPF_MAP_TYPE_SK_STORAGE', 'BPF_MAP_TYPE_INODE_STORAGE', 'BPF_MAP_TYPE_TASK_STORAGE', 'BPF_MAP_TYPE_CGROUP_STORAGE',
  'BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE', 'BPF_MAP_TYPE_PERF_EVENT_ARRAY', 'BPF_MAP_TYPE_RINGBUF']);

/** BCC rounds a stack trace table's size up to a power of two. */
function roundUpPow2(size: string): string {
  const n = Number(size);
  if (!Number.isInteger(n) || n <= 0) return size;
  let p = 1;
  while (p < n) p *= 2;
  return String(p);
}

const typeField = (field: 'key' | 'value', type: string): string =>
  /\[/.test(type) ? `\t__uint(${field}_size, sizeof(${type}));` : `\t__type(${field}, ${type});`;

/** The BTF-defined map for a BCC table, and the helper functions its methods need. */
export function mapDefinition(t: BccTable, methods: ReadonlySet<string>): MapConversion {
  const notes: string[] = [];
  const marks: string[] = [];
  if (!t.mapType) {
    return { text: `/* TODO(bcc): BCC table type "${t.bccType}" of ${t.name} has no libbpf map type here */`, notes, marks: [`table ${t.name}: BCC type "${t.bccType}" unknown`] };
  }
  const lines = ['struct {', `\t__uint(type, ${t.mapType});`];
  const key = t.key ?? 'u32';
  const value = t.value ?? 'u64';
  if (t.bccType === 'ringbuf') {
    lines.push(`\t__uint(max_entries, (${t.pages}) * PAGE_SIZE);`);
    notes.push(`${t.name}: BPF_RINGBUF_OUTPUT -> BPF_MAP_TYPE_RINGBUF of (${t.pages}) pages (PAGE_SIZE is 4096 here; check it on other architectures); user space reads it with ring_buffer__new()`);
  } else if (t.bccType === 'stacktrace') {
    lines.push(`\t__uint(max_entries, ${roundUpPow2(t.size ?? '1024')});`, '\t__uint(key_size, sizeof(u32));',
      t.flags ? '\t__uint(value_size, PERF_MAX_STACK_DEPTH * sizeof(struct bpf_stack_build_id));' : '\t__uint(value_size, PERF_MAX_STACK_DEPTH * sizeof(u64));');
  } else if (SIZED_MAPS.has(t.mapType)) {
    if (!NO_MAX.has(t.mapType)) lines.push(`\t__uint(max_entries, ${t.size});`);
    lines.push(`\t__uint(key_size, sizeof(${key}));`, `\t__uint(value_size, sizeof(${value}));`);
    if (t.bccType === 'perf_output') notes.push(`${t.name}: BPF_PERF_OUTPUT -> perf event array (BPF_MAP_TYPE_PERF_EVENT_ARRAY), as in BCC (libbpf sizes it to the CPUs); user space reads it with perf_buffer__new(). A ring buffer (BPF_MAP_TYPE_RINGBUF, kernel 5.8+) is the modern alternative.`);
    if (t.mapType.endsWith('_OF_MAPS')) marks.push(`${t.name}: map of maps: give it its inner map (__array(values, ...)) or set one with bpf_map__set_inner_map_fd()`);
  } else {
    if (!NO_MAX.has(t.mapType)) lines.push(`\t__uint(max_entries, ${t.size});`);
    if (!NO_KEY.has(t.mapType)) lines.push(typeField('key', key));
    lines.push(typeField('value', value));
  }
  if (t.flags && t.flags !== '0' && t.bccType !== 'stacktrace') lines.push(`\t__uint(map_flags, ${t.flags});`);
  if (t.bccType === 'histogram') notes.push(`${t.name}: BPF_HISTOGRAM -> ${t.mapType === 'BPF_MAP_TYPE_ARRAY' ? 'array' : 'hash'} of u64 slots (${t.size}), as BCC makes it; slots come from log2()/log2l()`);
  if (/PINNED|PUBLIC|SHARED/.test(t.macro)) marks.push(`${t.name}: ${t.macro} shares or pins the map through BCC; with libbpf pin it (__uint(pinning, LIBBPF_PIN_BY_NAME)) or reuse it with bpf_map__reuse_fd()`);
  lines.push(`} ${t.name} SEC(".maps");`);
  const helpers = helperFunctions(t, key, value, methods);
  return { text: [lines.join('\n'), ...helpers].join('\n\n'), notes, marks };
}

function helperFunctions(t: BccTable, key: string, value: string, methods: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const atomic of [false, true]) {
    if (!methods.has(atomic ? 'atomic_increment' : 'increment')) continue;
    const add = atomic ? '__sync_fetch_and_add(leaf, inc);' : '*leaf += inc;';
    const init = t.mapType === 'BPF_MAP_TYPE_HASH'
      ? `\telse {\n\t\t${value} zero;\n\n\t\t__builtin_memset(&zero, 0, sizeof(zero));\n\t\tzero += inc;\n\t\tbpf_map_update_elem(&${t.name}, &key, &zero, BPF_NOEXIST);\n\t}\n`
      : '';
    out.push(`/* BCC's ${t.name}.${atomic ? 'atomic_increment' : 'increment'}(key[, n]) */\nstatic __always_inline void ${t.name}_${atomic ? 'atomic_increment' : 'increment'}(${key} key, ${value} inc)\n{\n\t${value} *leaf = bpf_map_lookup_elem(&${t.name}, &key);\n\n\tif (leaf)\n\t\t${add}\n${init}}`);
  }
  if (methods.has('lookup_or_try_init') || methods.has('lookup_or_init')) {
    out.push(`/* BCC's ${t.name}.lookup_or_try_init(&key, &init) */\nstatic __always_inline ${value} *${t.name}_lookup_or_try_init(const void *key, const void *init)\n{\n\t${value} *leaf = bpf_map_lookup_elem(&${t.name}, key);\n\n\tif (!leaf) {\n\t\tbpf_map_update_elem(&${t.name}, key, init, BPF_NOEXIST);\n\t\tleaf = bpf_map_lookup_elem(&${t.name}, key);\n\t}\n\treturn leaf;\n}`);
  }
  return out;
}

/** The edits turning `table.method(args)` into its libbpf call, leaving the arguments (and edits inside them) in place. */
export function methodEdits(call: BccMethodCall, text: string): { edits: Edit[]; mark?: string } {
  const def = TABLE_METHODS[call.method];
  const open = text.indexOf('(', call.calleeSpan.end);
  const close = call.span.end - 1;
  const first = call.args[0];
  const last = call.args[call.args.length - 1];
  const edits: Edit[] = [];
  const at = (pos: number, s: string) => edits.push({ start: pos, end: pos, text: s });
  const callee = (s: string) => edits.push({ start: call.calleeSpan.start, end: call.calleeSpan.end, text: s });
  switch (call.method) {
    case 'increment':
    case 'atomic_increment':
      callee(`${call.table}_${call.method}`);
      if (call.args.length < 2) at(close, ', 1');
      return { edits };
    case 'lookup_or_try_init':
      callee(`${call.table}_lookup_or_try_init`);
      return { edits };
    case 'lookup_or_init':
      callee(`${call.table}_lookup_or_try_init`);
      return { edits, mark: `${call.table}.lookup_or_init(): BCC returned 0 from the program when the entry could not be created; check the result for NULL here` };
    case 'perf_submit':
      callee('bpf_perf_event_output');
      if (first) at(first.span.end, `, &${call.table}, BPF_F_CURRENT_CPU`);
      return { edits };
    case 'perf_submit_skb':
      if (call.args.length !== 4) return { edits, mark: `${call.table}.perf_submit_skb() with ${call.args.length} arguments` };
      callee('bpf_perf_event_output');
      edits.push({ start: call.args[1].span.start, end: call.args[1].span.end, text: `&${call.table}, ((u64)(${call.args[1].text}) << 32) | BPF_F_CURRENT_CPU` });
      return { edits };
  }
  if (!def.helper) return { edits, mark: `${call.table}.${call.method}() has no libbpf form here` };
  callee(def.helper);
  if (def.map === 0) at(first ? first.span.start : open + 1, first ? `&${call.table}, ` : `&${call.table}`);
  else if (def.map === 1 && first) at(first.span.end, `, &${call.table}`);
  for (const s of def.suffix ?? []) at(last ? last.span.end : close, `, ${s}`);
  return { edits };
}
