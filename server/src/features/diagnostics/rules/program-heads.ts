// The program's head fits its section: BPF_PROG for BTF-typed programs, BPF_KPROBE for kprobes, entry
// and return probes not mixed up, and the right context type for plain functions.
import { CFunction } from '../../../csource/model';
import { SectionMatch } from '../../../sections/match';
import { sectionPrefix } from '../../../sections/families';
import { BTF_TYPED_PROGRAMS, PROGRAM_CONTEXT } from '../../../sections/program-context';
import { Rule, programFunctions } from '../rule';

const KPROBE_MACROS = new Set(['BPF_KPROBE', 'BPF_KRETPROBE', 'BPF_KSYSCALL', 'BPF_KPROBE_SYSCALL']);

export const programHeadsRule: Rule = {
  name: 'program heads',
  codes: ['program-head'],
  check(input, report) {
    for (const { fn: f, program } of programFunctions(input)) {
      const message = headProblem(f, program.match);
      if (message) report({ code: 'program-head', ...f.nameSpan, message });
    }
  },
};

function headProblem(f: CFunction, m: SectionMatch): string | undefined {
  const pt = m.def.progType;
  const sec = sectionPrefix(m.def.sec);
  const name = f.section!.name;
  // With no arguments declared, BPF_PROG reads nothing: it only passes ctx on (scx's SEC("syscall") and
  // SEC("?tracepoint/...") heads).
  if ((f.macro === 'BPF_PROG' || f.macro === 'BPF_PROG2') && f.params.length > 0 && !BTF_TYPED_PROGRAMS.has(pt) && pt !== 'BPF_PROG_TYPE_RAW_TRACEPOINT') {
    const instead = pt === 'BPF_PROG_TYPE_KPROBE' ? (sec.startsWith('ksyscall') ? 'BPF_KSYSCALL' : sec.includes('ret') ? 'BPF_KRETPROBE' : 'BPF_KPROBE') : `a plain function taking ${PROGRAM_CONTEXT[pt] ?? 'its context'} *`;
    return `${f.macro} reads BTF-typed arguments, but SEC("${name}") is ${pt}: use ${instead}`;
  }
  if (f.macro && KPROBE_MACROS.has(f.macro) && BTF_TYPED_PROGRAMS.has(pt)) return `${f.macro} reads pt_regs, but SEC("${name}") is ${pt}, whose arguments come typed from BTF: use BPF_PROG`;
  // With no arguments declared, BPF_KPROBE and BPF_KRETPROBE expand alike: nothing is read wrongly.
  if (f.macro === 'BPF_KPROBE' && f.params.length > 0 && /kretprobe|kretsyscall/.test(sec)) return `BPF_KPROBE under SEC("${name}"): a return probe sees the return value: use BPF_KRETPROBE`;
  if (f.macro === 'BPF_KRETPROBE' && /^(kprobe|uprobe)/.test(sec)) return `BPF_KRETPROBE under SEC("${name}") reads a return value an entry probe does not have: use BPF_KPROBE`;
  if (f.macro || f.params.length === 0) return undefined;
  const want = PROGRAM_CONTEXT[pt];
  const got = f.params[0].type;
  if (want?.startsWith('struct ') && !want.includes('<') && /^struct \w+$/.test(got.base) && got.pointers === 1 && got.base.replace(/___\w+$/, '') !== want) {
    return `${pt} programs receive ${want} *, not ${got.base} *: change the parameter's type`;
  }
  return undefined;
}
