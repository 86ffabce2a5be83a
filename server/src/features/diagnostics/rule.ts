// The contract of a diagnostic rule: it reads the parsed model (never the raw text) and the kernels, and
// reports findings by code; the code's table entry decides the severity.
import { Diagnostic, Range } from 'vscode-languageserver-types';
import { Kernel } from '../../kernels/kernel';
import { SectionMatch, matchSection } from '../../sections/match';
import { CCall, CSection } from '../../csource/model';
import { hasHelper, hasKfunc } from '../kernel-support';
import { ParsedFile, ServiceContext } from '../service-context';
import { DiagnosticCode, SeverityOverrides, severityOf } from './codes';

/** A quick fix carried in Diagnostic.data; the LSP edge turns it into a code action. */
export interface DiagnosticFix {
  title: string;
  range: Range;
  newText: string;
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

/** A call of a kernel function: a BPF helper, a kfunc, or neither (not ours to judge). */
export interface KernelCall {
  call: CCall;
  kind?: 'helper' | 'kfunc';
}

export interface RuleInput {
  file: ParsedFile;
  ctx: ServiceContext;
  /** Every kernel the file is checked against, the described one first. */
  kernels: readonly Kernel[];
  /** Calls of `bpf_*` functions the file makes (not its own, not the bpf_core_* macros), computed once. */
  kernelCalls(): KernelCall[];
}

export interface Rule {
  name: string;
  codes: readonly DiagnosticCode[];
  check(input: RuleInput, report: (finding: Finding) => void): void;
}

/** Sections that hold data, not programs: maps, the license, the version. */
export function isDataSection(name: string): boolean {
  return name === 'license' || name === 'maps' || name === 'version' || name.startsWith('.');
}

/** The program sections of the file that libbpf knows, with their match. */
export function knownSections(input: RuleInput): { section: CSection; match: SectionMatch }[] {
  const out = [];
  for (const section of input.file.model.sections) {
    const match = isDataSection(section.name) ? undefined : matchSection(section.name);
    if (match) out.push({ section, match });
  }
  return out;
}

export function ruleInput(file: ParsedFile, ctx: ServiceContext): RuleInput {
  let calls: KernelCall[] | undefined;
  const kernels = ctx.kernels.all;
  return {
    file, ctx, kernels,
    kernelCalls: () => (calls ??= findKernelCalls(file, kernels)),
  };
}

function findKernelCalls(file: ParsedFile, kernels: readonly Kernel[]): KernelCall[] {
  const own = new Set(file.model.functions.map((f) => f.name));
  const kinds = new Map<string, KernelCall['kind']>();
  const out: KernelCall[] = [];
  for (const call of file.model.calls) {
    const name = call.callee;
    if (!name.startsWith('bpf_') || own.has(name) || name.startsWith('bpf_core_')) continue;
    if (!kinds.has(name)) kinds.set(name, kernels.some((k) => hasHelper(k.btf, name)) ? 'helper' : kernels.some((k) => hasKfunc(k.btf, name)) ? 'kfunc' : undefined);
    out.push({ call, kind: kinds.get(name) });
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
