// The contract of a diagnostic rule: it reads the parsed model (never the raw text) and the kernels, and
// reports findings by code; the code's table entry decides the severity.
import { Diagnostic, Range, TextEdit } from 'vscode-languageserver-types';
import { Kernel } from '../../kernels/kernel';
import { Loader, LoaderSectionMatch, matchSectionFor } from '../../sections/loaders';
import { SectionMatch } from '../../sections/match';
import { CCall, CFunction, CSection } from '../../csource/model';
import { CALLING_MACROS, helperCalledBy } from '../../libbpf/macros';
import { hasHelper, hasKfunc } from '../kernel-support';
import { ParsedFile, ServiceContext, loaderOf } from '../service-context';
import { DiagnosticCode, SeverityOverrides, severityOf } from './codes';

/** A quick fix carried in Diagnostic.data; the LSP edge turns it into a code action. */
export interface DiagnosticFix {
  title: string;
  range: Range;
  newText: string;
  /** Edits made with it elsewhere in the file (a declaration the new text needs). */
  edits?: TextEdit[];
}

export interface Finding {
  code: DiagnosticCode;
  start: number;
  end: number;
  message: string;
  /** The problem exists in only some of the configured kernels. */
  someKernels?: boolean;
  fix?: DiagnosticFix;
}

/** A call of a kernel function, written or through a libbpf macro: a BPF helper, a kfunc, or neither (not ours to judge). */
export interface KernelCall {
  call: CCall;
  /** The kernel function called: the callee, or the helper the macro reaches. */
  name: string;
  kind?: 'helper' | 'kfunc';
  /** The libbpf macro written, when the call is made through one (`BPF_CORE_READ`, `bpf_printk`). */
  via?: string;
}

export interface RuleInput {
  file: ParsedFile;
  ctx: ServiceContext;
  /** The loader whose section rules apply (libbpf unless the project uses another). */
  loader: Loader;
  /** Every kernel the file is checked against, the described one first. */
  kernels: readonly Kernel[];
  /** Calls of kernel functions the file makes, written or through libbpf's macros (not its own functions), computed once. */
  kernelCalls(): KernelCall[];
}

export interface Rule {
  name: string;
  codes: readonly DiagnosticCode[];
  /**
   * Reports the rule's findings. A rule with much work is a generator that yields between its pieces
   * (functions, paths): the language server answers requests there (diagnostics.ts runs the steps).
   */
  check(input: RuleInput, report: (finding: Finding) => void): void | Iterable<void>;
}

/** Sections that hold data, not programs: maps, the license, the version. */
export function isDataSection(name: string): boolean {
  return name === 'license' || name === 'maps' || name === 'version' || name.startsWith('.');
}

export interface ProgramSection {
  section: CSection;
  /** libbpf's match, or the loader's in libbpf's terms (its entry, types and target). */
  match: SectionMatch;
  byLoader: LoaderSectionMatch;
}

/** The program sections of the file that the file's loader knows, with their match. */
export function knownSections(input: RuleInput): ProgramSection[] {
  const out: ProgramSection[] = [];
  for (const section of input.file.model.sections) {
    const byLoader = isDataSection(section.name) ? undefined : matchSectionFor(input.loader, section.name);
    if (byLoader) out.push({ section, byLoader, match: byLoader.libbpf ?? asLibbpfMatch(byLoader, section.name) });
  }
  return out;
}

/** A function that is a program the file's loader knows, with its section's match. */
export interface ProgramFunction {
  fn: CFunction;
  program: ProgramSection;
}

/** The file's programs: its functions under a SEC() the loader knows (the rules that look inside programs start here). */
export function programFunctions(input: RuleInput): ProgramFunction[] {
  const bySpan = new Map(knownSections(input).map((s) => [s.section.span.start, s]));
  return input.file.model.functions.flatMap((fn) => {
    const program = fn.section && bySpan.get(fn.section.span.start);
    return program ? [{ fn, program }] : [];
  });
}

/** A name only another loader knows, in libbpf's terms: the entry it matched, its types and target. */
function asLibbpfMatch(m: LoaderSectionMatch, name: string): SectionMatch {
  return {
    def: { sec: m.sec, progType: m.progType, attachType: m.attachType, flags: m.sleepable ? ['SLEEPABLE'] : [], since: '1.0' },
    name: name.replace(/^\?/, ''), noAutoload: m.noAutoload, target: m.target,
  };
}

export function ruleInput(file: ParsedFile, ctx: ServiceContext): RuleInput {
  let calls: KernelCall[] | undefined;
  const kernels = ctx.kernels.all;
  return {
    file, ctx, kernels, loader: loaderOf(ctx, file),
    kernelCalls: () => (calls ??= findKernelCalls(file, ctx.callKinds ? [...kernels, ...ctx.callKinds] : kernels)),
  };
}

function findKernelCalls(file: ParsedFile, kernels: readonly Kernel[]): KernelCall[] {
  const own = new Set(file.model.functions.map((f) => f.name));
  const kinds = new Map<string, KernelCall['kind']>();
  const kindOf = (name: string) => {
    if (!kinds.has(name)) kinds.set(name, kernels.some((k) => hasHelper(k.btf, name)) ? 'helper' : kernels.some((k) => hasKfunc(k.btf, name)) ? 'kfunc' : undefined);
    return kinds.get(name);
  };
  const out: KernelCall[] = [];
  for (const call of file.model.calls) {
    const name = call.callee;
    if (own.has(name)) continue;
    const macro = Object.hasOwn(CALLING_MACROS, name) ? CALLING_MACROS[name] : undefined;
    const helper = macro && helperCalledBy(macro, call.args.length);
    if (helper) out.push({ call, name: helper, kind: kindOf(helper), via: name });
    else if (!macro && name.startsWith('bpf_') && !name.startsWith('bpf_core_')) out.push({ call, name, kind: kindOf(name) });
  }
  return out;
}

export const SOURCE = 'ebpf';

/** The finding as a diagnostic with its code's severity (the user's, if set); undefined when switched off. */
export function toDiagnostic(file: ParsedFile, f: Finding, overrides?: SeverityOverrides): Diagnostic | undefined {
  const severity = severityOf(f.code, f.someKernels, overrides);
  if (severity === undefined) return undefined;
  return {
    range: Range.create(file.doc.positionAt(f.start), file.doc.positionAt(f.end)),
    severity,
    code: f.code,
    source: SOURCE,
    message: f.message,
    data: f.fix,
  };
}
