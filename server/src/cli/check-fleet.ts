// `check --btf-dir`: the source checks against folders of kernels on worker threads (host/fleet-workers.ts;
// each worker parses the sources once, then loads, checks and releases one kernel at a time: check.ts's
// serveCheckWorker), answered in groups of kernels whose findings are identical. A finding in only some
// kernels takes its code's "some kernels" severity, as check with several --btf kernels does.
import { DiagnosticSeverity } from 'vscode-languageserver-types';
import { DIAGNOSTIC_CODES, DiagnosticCode, SeverityOverrides, severityOf } from '../features/diagnostics/codes';
import { FLEET_WORKER_FLAG, FleetKernelResult, runFleetWorkers } from '../host/fleet-workers';
import { KernelFileInfo, summarizeKernels } from '../kernels/fleet';
import { Loader } from '../sections/loaders';
import { FleetTotals, plural } from './fleet-timing';
import { EXIT_BAD_INPUT, EXIT_FINDINGS } from './usage';

type SeverityName = 'error' | 'warning' | 'info' | 'hint';

/** What a check worker is given: the sources and the build, as plain data. */
export interface CheckJob {
  sources: { file: string; text: string }[];
  includeDirs: string[];
  /** -D and -U as clang takes them. */
  buildFlags: string[];
  severity: SeverityOverrides;
  loader?: Loader;
}

/** One kernel's answer from a check worker. */
export interface CheckAnswer {
  findings: CheckResult[];
  /** What parsing the sources for this kernel's architecture had to say (project headers, compile_commands.json). */
  notes: string[];
}

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

interface Run {
  json: boolean;
  grouping: Grouping;
  rows: KernelRow[];
  totals: FleetTotals;
  /** Notes already printed: every worker parses the sources, and says the same. */
  notes: Set<string>;
}

/** Checks every kernel of `files` on worker threads that run `job`, one kernel in memory at a time per worker. */
export async function runCheckFleet(files: readonly KernelFileInfo[], job: CheckJob, opts: { format: 'text' | 'json'; sources: string[]; overrides: SeverityOverrides; jobs?: number }): Promise<number> {
  const run: Run = { json: opts.format === 'json', grouping: { groups: [], byKey: new Map(), findings: new Map() }, rows: [], totals: new FleetTotals('check', 'check'), notes: new Set() };
  const started = performance.now();
  if (run.json) process.stdout.write(`{"files":${JSON.stringify(opts.sources)},"kernels":[\n`);
  const entry = { script: process.argv[1], argv: ['check', FLEET_WORKER_FLAG] };
  await runFleetWorkers<CheckAnswer>(files, job, (r) => record(run, r), { workers: opts.jobs, entry });
  const { grouping: { groups }, rows, totals } = run;
  const fleet = fleetFindings(groups, run.grouping.findings, opts.overrides);
  const failing = [...fleet.values()].some((f) => f.severity === 'error');
  const elapsed = performance.now() - started;
  if (run.json) {
    const keys = [...fleet.keys()];
    const groupJson = groups.map((g) => ({ id: g.id, kernels: g.kernels.map((i) => rows[i].label), findings: g.findings.map((key) => keys.indexOf(key)) }));
    process.stdout.write(`\n],"groups":${JSON.stringify(groupJson)},"findings":${JSON.stringify([...fleet.values()])},"failing":${failing}}\n`);
  } else {
    process.stdout.write(textReport(opts.sources, groups, fleet, rows, elapsed));
  }
  process.stderr.write(totals.line(elapsed));
  if (rows.some((r) => r.error)) return EXIT_BAD_INPUT;
  return failing ? EXIT_FINDINGS : 0;
}

/** One kernel's result, in list order: grouped (or its one-line error), streamed as JSON. */
function record(run: Run, r: FleetKernelResult<CheckAnswer>): void {
  const row: KernelRow = { label: r.info.label };
  for (const note of r.answer?.notes ?? []) {
    if (run.notes.has(note)) continue;
    run.notes.add(note);
    process.stderr.write(`ebpf-ls: ${note}\n`);
  }
  if (r.error || !r.answer || !r.times) {
    row.error = r.error ?? 'no result';
    process.stderr.write(`ebpf-ls: ${row.error}\n`);
  } else {
    run.totals.add(r.times);
    row.group = addToGroups(run.grouping, r.answer.findings, r.info.label, run.rows.length);
  }
  if (run.json) process.stdout.write(`${run.rows.length ? ',\n' : ''}${JSON.stringify(kernelJson(r.info, row, r.answer?.findings, r.times && run.totals.json(r.times)))}`);
  run.rows.push(row);
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

function kernelJson(info: KernelFileInfo, row: KernelRow, findings: CheckResult[] | undefined, times: Record<string, number> | undefined) {
  const { label, path, release, distro, distroVersion, arch } = info;
  return { label, path, release, distro, distroVersion, arch, group: row.group, error: row.error, findings, times };
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
