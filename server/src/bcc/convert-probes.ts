// BCC probes as libbpf programs: a SEC() naming the attach point and a head from bpf_tracing.h.
//   kprobe__fn(struct pt_regs *ctx, T a)   -> SEC("kprobe/fn")            int BPF_KPROBE(kprobe__fn, T a)
//   kretprobe__fn(struct pt_regs *ctx)     -> SEC("kretprobe/fn")         int BPF_KRETPROBE(kretprobe__fn)
//   syscall__name(ctx, T a)                -> SEC("ksyscall/name")        int BPF_KSYSCALL(syscall__name, T a)
//   TRACEPOINT_PROBE(cat, ev)              -> SEC("tracepoint/cat/ev")    int tracepoint__cat__ev(struct trace_event_raw_<class> *args)
//   RAW_TRACEPOINT_PROBE(ev)               -> SEC("raw_tp/ev")            int raw_tracepoint__ev(struct bpf_raw_tracepoint_args *ctx)
//   KFUNC_PROBE / KRETFUNC_PROBE / LSM_PROBE -> SEC("fentry|fexit|lsm/x")  int BPF_PROG(name, args...)
// Functions the Python attaches keep their name and get the SEC() of their attach call.
import type { BccArgsUse, BccProbe } from './model';
import type { Edit } from './convert-maps';
import { SECTION_PREFIX } from './tables';
import { TracepointContext } from './tracepoints';

export interface ProbeConversion {
  edits: Edit[];
  marks: { at: number; message: string }[];
  notes: string[];
}

const ATTACH_FN: Partial<Record<BccProbe['kind'], string>> = {
  kprobe: 'kprobe', kretprobe: 'kprobe', ksyscall: 'ksyscall', kretsyscall: 'ksyscall', uprobe: 'uprobe', uretprobe: 'uprobe', tracepoint: 'tracepoint', raw_tracepoint: 'raw_tracepoint',
};

/** libbpf's BPF_KPROBE takes at most this many arguments on every architecture it supports. */
const MAX_KPROBE_ARGS = 5;

const paramName = (p: string | undefined) => (p ? /(\w+)\s*(?:\[[^\]]*\])*$/.exec(p)?.[1] : undefined);

export function sectionOf(p: BccProbe): string {
  const prefix = SECTION_PREFIX[p.kind];
  return p.target ? `${prefix}/${p.target}` : prefix;
}

/** The head edits of one probe; `ctxOf` resolves a tracepoint's context struct. */
export function probeEdits(p: BccProbe, text: string, ctxOf: (category: string, name: string) => TracepointContext | undefined): ProbeConversion {
  const out: ProbeConversion = { edits: [], marks: [], notes: [] };
  const sec = `SEC("${sectionOf(p)}")\n`;
  const also = p.moreTargets.length > 0
    ? `/* BCC's Python also attaches ${p.name} to ${p.moreTargets.join(', ')}: user space attaches those with bpf_program__attach_${ATTACH_FN[p.kind] ?? p.kind}() */\n`
    : '';
  if (p.moreTargets.length > 0) out.notes.push(`${p.name}: SEC("${sectionOf(p)}"); also attached to ${p.moreTargets.join(', ')} by user space`);
  if (!p.target && p.kind !== 'perf_event') out.notes.push(`${p.name}: SEC("${SECTION_PREFIX[p.kind]}") without a target: BCC's Python decides it at run time; user space attaches it`);
  const replaceHead = (head: string) => out.edits.push({ start: p.head.start, end: p.head.end, text: also + sec + head + '\n' });
  const ctxParam = paramName(p.params[0]);
  const args = p.params.slice(1);
  const renameCtx = () => {
    if (ctxParam && ctxParam !== 'ctx') out.edits.push({ start: p.body.start + 1, end: p.body.start + 1, text: `\n\tstruct pt_regs *${ctxParam} = ctx;` });
  };
  switch (p.kind) {
    case 'kprobe':
    case 'uprobe':
    case 'ksyscall': {
      if (p.via === 'macro') break;
      if (args.length > MAX_KPROBE_ARGS) {
        out.marks.push({ at: p.head.start, message: `${p.name} takes ${args.length} arguments; BPF_KPROBE reads at most ${MAX_KPROBE_ARGS}: read the others with PT_REGS_PARMn_CORE(ctx)` });
      }
      const macro = p.kind === 'ksyscall' ? 'BPF_KSYSCALL' : 'BPF_KPROBE';
      replaceHead(`int ${macro}(${[p.name, ...args.slice(0, MAX_KPROBE_ARGS)].join(', ')})`);
      renameCtx();
      return out;
    }
    case 'kretprobe':
    case 'uretprobe':
    case 'kretsyscall':
      replaceHead(`int BPF_KRETPROBE(${p.name})`);
      if (args.length > 0) out.marks.push({ at: p.head.start, message: `${p.name} is a return probe: its arguments (${args.join(', ')}) hold nothing there` });
      renameCtx();
      return out;
    case 'tracepoint':
      return tracepointHead(p, text, ctxOf, out, sec, also);
    case 'raw_tracepoint':
      if (p.via === 'macro') replaceHead(`int ${p.name}(struct bpf_raw_tracepoint_args *ctx)`);
      else out.edits.push({ start: p.head.start, end: p.head.start, text: also + sec });
      return out;
    case 'fentry':
    case 'fexit':
    case 'fmod_ret':
    case 'lsm':
      if (p.via === 'macro') replaceHead(`int BPF_PROG(${[p.name, ...p.params].join(', ')})`);
      else out.edits.push({ start: p.head.start, end: p.head.start, text: also + sec });
      return out;
    case 'iter':
      replaceHead(`int ${p.name}(struct bpf_iter__${p.target} *ctx)`);
      return out;
    default:
      out.edits.push({ start: p.head.start, end: p.head.start, text: also + sec });
      return out;
  }
  return out;
}

function tracepointHead(p: BccProbe, text: string, ctxOf: (category: string, name: string) => TracepointContext | undefined, out: ProbeConversion, sec: string, also: string): ProbeConversion {
  const [category, name] = (p.target ?? '/').split('/');
  const ctx = ctxOf(category, name);
  if (p.via !== 'macro') {
    out.edits.push({ start: p.head.start, end: p.head.start, text: also + sec });
    return out;
  }
  if (!ctx) {
    out.marks.push({ at: p.head.start, message: `no context struct for tracepoint ${p.target}: neither BTF (trace_event_raw_*) nor tracefs describes it here; declare its fields` });
    out.edits.push({ start: p.head.start, end: p.head.end, text: `${also}${sec}int ${p.name}(void *args)\n` });
    return out;
  }
  out.edits.push({ start: p.head.start, end: p.head.end, text: `${also}${sec}int ${p.name}(struct ${ctx.struct} *args)\n` });
  void text;
  return out;
}

/** `args->field` of a TRACEPOINT_PROBE in the libbpf context struct: syscall arguments from `args[]`, `__data_loc` fields renamed. */
export function argsEdit(use: BccArgsUse, ctx: TracepointContext | undefined): { edit?: Edit; mark?: string } {
  if (!ctx) return {};
  if (ctx.kind === 'sys_enter' || ctx.kind === 'sys_exit') {
    if (use.field === '__syscall_nr') return { edit: { start: use.span.start, end: use.span.end, text: 'args->id' } };
    if (ctx.kind === 'sys_exit') return {};
    const i = ctx.args.findIndex((f) => f.name === use.field);
    if (i < 0) return { mark: `args->${use.field}: no such argument of this syscall in tracefs` };
    return { edit: { start: use.span.start, end: use.span.end, text: `((${ctx.args[i].type})args->args[${i}])` } };
  }
  const loc = /^data_loc_(\w+)$/.exec(use.field);
  const field = loc ? `__data_loc_${loc[1]}` : use.field;
  // Read through BPF_CORE_READ, as libbpf-tools do: a relocated field offset the compiler adds to the context
  // pointer ("dereference of modified ctx ptr") is refused by the verifier, a probe read is not.
  if (use.read && !ctx.arrays.has(use.field)) return { edit: { start: use.span.start, end: use.span.end, text: `BPF_CORE_READ(args, ${field})` } };
  if (loc) return { edit: { start: use.span.start, end: use.span.end, text: `args->${field}` } };
  return {};
}
