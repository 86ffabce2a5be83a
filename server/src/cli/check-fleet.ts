// `check --btf-dir`: the source checks against folders of kernels, loaded, checked and released one at a
// time (host/kernel-dirs.ts), answered in groups of kernels whose findings are identical. A finding in
// only some kernels takes its code's "some kernels" severity, as check with several --btf kernels does.
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { DIAGNOSTIC_CODES, DiagnosticCode, SeverityOverrides, severityOf } from '../features/diagnostics/codes';
import { kernelScratch, kernelsOf } from '../host/kernel-dirs';
import { KernelFileInfo, summarizeKernels } from '../kernels/fleet';
import { Kernel } from '../kernels/kernel';
import { EXIT_BAD_INPUT, EXIT_FINDINGS } from './usage';

type SeverityName = 'error' | 'warning' | 'info' | 'hint';

/** One diagnostic as check reports it (text and JSON). */
export interface CheckResult {
  file: string; line: number; column: number; endLine: number; endColumn: number;
  severity: SeverityName; code: string; message: string;
}

export const SEVERITY: Record<number, SeverityName> = {
  [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning', [DiagnosticSeverity.Information]: 'info', [DiagnosticSeverity.Hint]: 'hint',
};
const RANK: Record<SeverityName, number> = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint };

/** How a group's messages name its kernels: each kernel's own label is replaced by it, so equal findings compare equal. */
const THESE_KERNELS = 'these kernels';

interface FindingGroup {
  id: number;
  kernels: number[];
  /** Keys of its findings, in report order. */
  findings: string[];
}

interface KernelRow {
  label: string;
  group?: number;
  error?: string;
}

/** A finding of the whole fleet: in which groups, over how many kernels, with the fleet's severity. */
interface FleetFinding extends CheckResult {
  groups: number[];
  kernelCount: number;
}

interface Grouping {
  groups: FindingGroup[];
  byKey: Map<string, FindingGroup>;
  /** Every distinct finding, by key. */
  findings: Map<string, CheckResult>;
}

/** Per-kernel cost, summed (ms). */
interface Times {
  read: number;
  unpack: number;
  parse: number;
  check: number;
  kernels: number;
}

/** Checks every kernel of `files` with `diagnose` (one kernel described, no other), one kernel in memory at a time. */
export async function runCheckFleet(files: readonly KernelFileInfo[], diagnose: (kernel: Kernel) => CheckResult[], opts: { format: 'text' | 'json'; sources: string[]; overrides: SeverityOverrides }): Promise<number> {
  const json = opts.format === 'json';
  const started = performance.now();
  const grouping: Grouping = { groups: [], byKey: new Map(), findings: new Map() };
  const rows: KernelRow[] = [];
  const totals: Times = { read: 0, unpack: 0, parse: 0, check: 0, kernels: 0 };
  if (json) process.stdout.write(`{"files":${JSON.stringify(opts.sources)},"kernels":[\n`);
  for await (const k of kernelsOf(files, kernelScratch())) {
    const row: KernelRow = { label: k.info.label };
    let own: CheckResult[] | undefined;
    let times: Omit<Times, 'kernels'> | undefined;
    if ('error' in k) {
      row.error = k.error;
      process.stderr.write(`ebpf-ls: ${k.error}\n`);
    } else {
      const t0 = performance.now();
      own = diagnose(k.kernel);
      times = { ...k.times, check: performance.now() - t0 };
      for (const key of ['read', 'unpack', 'parse', 'check'] as const) totals[key] += times[key];
      totals.kernels++;
      row.group = addToGroups(grouping, own, k.kernel.label, rows.length);
    }
    if (json) process.stdout.write(`${rows.length ? ',\n' : ''}${JSON.stringify(kernelJson(k.info, row, own, times))}`);
    rows.push(row);
  }
  const { groups } = grouping;
  const fleet = fleetFindings(groups, grouping.findings, opts.overrides);
  const failing = [...fleet.values()].some((f) => f.severity === 'error');
  const elapsed = performance.now() - started;
  if (json) {
    const keys = [...fleet.keys()];
    const groupJson = groups.map((g) => ({ id: g.id, kernels: g.kernels.map((i) => rows[i].label), findings: g.findings.map((key) => keys.indexOf(key)) }));
    process.stdout.write(`\n],"groups":${JSON.stringify(groupJson)},"findings":${JSON.stringify([...fleet.values()])},"failing":${failing}}\n`);
  } else {
    process.stdout.write(textReport(opts.sources, groups, fleet, rows, elapsed));
  }
  if (totals.kernels) process.stderr.write(timingLine(totals, elapsed));
  if (rows.some((r) => r.error)) return EXIT_BAD_INPUT;
  return failing ? EXIT_FINDINGS : 0;
}

/** One kernel's findings added to the groups (its own label in messages made "these kernels"); the id of its group. */
function addToGroups(grouping: Grouping, own: CheckResult[], label: string, kernel: number): number {
  const keys = own.map((r) => {
    const shared = { ...r, message: r.message.split(label).join(THESE_KERNELS) };
    const key = JSON.stringify(shared);
    if (!grouping.findings.has(key)) grouping.findings.set(key, shared);
    return key;
  });
  const groupKey = keys.join('\n');
  let g = grouping.byKey.get(groupKey);
  if (!g) {
    g = { id: grouping.groups.length + 1, kernels: [], findings: keys };
    grouping.groups.push(g);
    grouping.byKey.set(groupKey, g);
  }
  g.kernels.push(kernel);
  return g.id;
}

function timingLine(t: Times, elapsed: number): string {
  const per = (x: number) => (x / t.kernels).toFixed(1);
  return `ebpf-ls check: ${plural(t.kernels, 'kernel')} in ${(elapsed / 1000).toFixed(1)} s: per kernel ${per(t.read + t.unpack + t.parse + t.check)} ms (read ${per(t.read)}, decompress ${per(t.unpack)}, parse ${per(t.parse)}, check ${per(t.check)})\n`;
}

function kernelJson(info: KernelFileInfo, row: KernelRow, findings: CheckResult[] | undefined, times: Omit<Times, 'kernels'> | undefined) {
  const { label, path, release, distro, distroVersion, arch } = info;
  const ms = times && Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(v * 10) / 10]));
  return { label, path, release, distro, distroVersion, arch, group: row.group, error: row.error, findings, times: ms };
}

/** Every distinct finding with the groups it occurs in; in only some kernels, its code's "some kernels" severity. */
function fleetFindings(groups: FindingGroup[], findings: Map<string, CheckResult>, overrides: SeverityOverrides): Map<string, FleetFinding> {
  const checked = groups.reduce((n, g) => n + g.kernels.length, 0);
  const out = new Map<string, FleetFinding>();
  for (const g of groups) {
    for (const key of g.findings) {
      const f = out.get(key) ?? { ...findings.get(key)!, groups: [], kernelCount: 0 };
      f.groups.push(g.id);
      f.kernelCount += g.kernels.length;
      out.set(key, f);
    }
  }
  for (const f of out.values()) {
    const some = f.kernelCount < checked && f.code in DIAGNOSTIC_CODES ? severityOf(f.code as DiagnosticCode, true, overrides) : undefined;
    if (some !== undefined) f.severity = SEVERITY[Math.max(some, RANK[f.severity])];
  }
  return out;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
const line = (f: CheckResult) => `    ${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.code}]\n`;

function textReport(sources: string[], groups: FindingGroup[], fleet: Map<string, FleetFinding>, rows: KernelRow[], elapsed: number): string {
  const checked = rows.filter((r) => r.group !== undefined).length;
  const out = [`${sources.join(', ')}: source checks against ${plural(checked, 'kernel')}: ${plural(groups.length, 'group')} (${(elapsed / 1000).toFixed(1)} s)\n`];
  const everywhere = [...fleet.values()].filter((f) => f.groups.length === groups.length);
  if (everywhere.length) out.push(`\nin every kernel (${everywhere.length}):\n`, ...everywhere.map(line));
  for (const g of groups) {
    const own = g.findings.map((key) => fleet.get(key)!).filter((f) => f.groups.length < groups.length);
    const errors = own.filter((f) => f.severity === 'error').length;
    const what = own.length ? `${plural(own.length, 'finding')} only here${errors ? ` (${plural(errors, 'error')})` : ''}` : 'nothing beyond what every kernel has';
    out.push(`\ngroup ${g.id} (${plural(g.kernels.length, 'kernel')}): ${summarizeKernels(g.kernels.map((i) => rows[i].label))}: ${what}\n`, ...own.map(line));
  }
  const bad = rows.filter((r) => r.error);
  if (bad.length) out.push(`\n${plural(bad.length, 'kernel file')} could not be read: ${summarizeKernels(bad.map((r) => r.label))}\n`);
  return out.join('');
}
