// `relocs --btf-dir`: an object's relocations against folders of kernels, streamed through worker
// threads (host/fleet-workers.ts, host/relocs-workers.ts) and answered in groups of kernels whose verdicts are identical for
// every relocation. JSON streams one entry per kernel as results arrive; text waits for the groups.
import { fleetWorkerCount } from '../host/fleet-workers';
import { resolveFleet, RelocsKernelResult, FleetRow as KernelRow, groupFleetResult } from '../host/relocs-workers';
import { Arch, archOfAccesses } from '../kernels/arch';
import { KernelFileInfo, KernelGroup, KernelGroups, Verdict, summarizeKernels } from '../kernels/fleet';
import { isExistenceKind } from '../relocs/kinds';
import { BpfObject, ObjectRelocation, objectRelocations } from '../relocs/object';
import { FleetTotals, plural } from './fleet-timing';
import { EXIT_BAD_INPUT, EXIT_FINDINGS } from './usage';

export async function runFleet(objectPath: string, obj: BpfObject, files: KernelFileInfo[], opts: { format: 'text' | 'json'; jobs?: number }): Promise<number> {
  const relocs = objectRelocations(obj);
  const groups = new KernelGroups(relocs.map((r) => r.kind));
  const objArch = archOfAccesses(relocs.map((r) => r.access));
  const rows: KernelRow[] = [];
  const totals = new FleetTotals('relocs', 'resolve');
  const json = opts.format === 'json';
  const workers = fleetWorkerCount(files, opts.jobs);
  const started = performance.now();
  if (json) process.stdout.write(`{"object":${JSON.stringify(objectPath)},"relocations":${JSON.stringify(relocs.map(describe))},"kernels":[\n`);
  await resolveFleet(objectPath, files, (r) => {
    const row = groupFleetResult(r, groups, objArch);
    if (r.times) totals.add(r.times);
    rows.push(row);
    if (json) process.stdout.write(`${rows.length > 1 ? ',\n' : ''}${JSON.stringify(kernelJson(r, row, totals))}`);
    if (r.error) process.stderr.write(`ebpf-ls: ${r.error}\n`);
  }, { workers: opts.jobs });
  const elapsed = performance.now() - started;
  const failing = groups.groups.some((g) => g.failing.length > 0);
  if (json) {
    const groupJson = groups.groups.map((g) => ({ id: g.id, kernels: g.kernels.map((i) => rows[i].label), failing: g.failing, verdicts: g.verdicts }));
    process.stdout.write(`\n],"groups":${JSON.stringify(groupJson)},"differing":${JSON.stringify(groups.differing())},"failing":${failing}}\n`);
  } else {
    process.stdout.write(textReport(objectPath, relocs, groups, rows, { elapsed, workers, objArch }));
  }
  process.stderr.write(totals.line(elapsed, workers));
  if (rows.some((r) => r.error)) return EXIT_BAD_INPUT;
  return failing ? EXIT_FINDINGS : 0;
}

function describe(r: ObjectRelocation) {
  return { section: r.section, index: r.index, insnOffset: r.insnOffset, kind: r.kind, spec: r.spec, access: r.access, source: r.source && { file: r.source.file, line: r.source.line } };
}

function kernelJson(r: RelocsKernelResult, row: KernelRow, totals: FleetTotals) {
  const { label, path, release, distro, distroVersion } = r.info;
  return { label, path, release, distro, distroVersion, arch: r.arch, group: row.group, skipped: row.skipped, error: row.error, results: row.group ? r.answer?.verdicts : undefined, dead: row.group ? r.answer?.dead : undefined, times: r.times && totals.json(r.times) };
}

/** A verdict as a cell: what libbpf patches, or why it cannot. */
export function verdictText(v: Verdict, r: ObjectRelocation, g?: KernelGroup, i?: number): string {
  const guarded = g && i !== undefined && (v.poisoned || v.error) && !g.failing.includes(i) ? ', guarded: dead code here' : '';
  if (v.error) return `error: ${v.error}${guarded}`;
  if (v.poisoned && guarded) return `${v.resolved ? 'poisoned (size)' : 'missing (poisoned)'}${guarded}`;
  if (v.poisoned) return v.resolved ? 'poisoned (size cannot be adjusted)' : 'missing (poisoned)';
  if (!v.resolved) return isExistenceKind(r.kindValue) ? `${v.value} (absent)` : `${v.value} (not found)`;
  return String(v.value);
}

function where(r: ObjectRelocation): string {
  const at = r.source ? `${r.source.file.replace(/^.*\//, '')}:${r.source.line}` : `${r.section}+${r.insnOffset}`;
  return `${at} ${r.kind} ${r.access || r.spec}`;
}

function groupLine(g: KernelGroup, rows: KernelRow[], relocs: ObjectRelocation[]): string {
  const names = summarizeKernels(g.kernels.map((i) => rows[i].label));
  const absent = g.verdicts.filter((v) => !v.resolved && !v.poisoned && !v.error).length;
  const guarded = g.verdicts.filter((v, i) => (v.poisoned || v.error) && !g.failing.includes(i)).length;
  const notes = [absent ? `${absent} existence check${absent === 1 ? ' answers' : 's answer'} 0` : '', guarded ? `${guarded} poisoned behind guards that are false here` : ''].filter(Boolean).join('; ');
  const summary = `${g.failing.length ? `${g.failing.length} of ${relocs.length} fail where the program reaches them` : `all ${relocs.length} relocations apply`}${notes ? ` (${notes})` : ''}`;
  const lines = [`group ${g.id} (${plural(g.kernels.length, 'kernel')}): ${names}: ${summary}\n`];
  for (const i of g.failing.slice(0, 20)) lines.push(`    ${where(relocs[i])}: ${verdictText(g.verdicts[i], relocs[i])}\n`);
  if (g.failing.length > 20) lines.push(`    … and ${g.failing.length - 20} more\n`);
  return lines.join('');
}

function textReport(objectPath: string, relocs: ObjectRelocation[], groups: KernelGroups, rows: KernelRow[], run: { elapsed: number; workers: number; objArch?: Arch }): string {
  const checked = rows.filter((r) => r.group !== undefined).length;
  const out = [`${objectPath}: ${relocs.length} CO-RE relocations against ${plural(checked, 'kernel')}: ${plural(groups.groups.length, 'group')} (${plural(run.workers, 'worker')}, ${(run.elapsed / 1000).toFixed(1)} s)\n\n`];
  for (const g of groups.groups) out.push(groupLine(g, rows, relocs));
  const differing = groups.differing();
  if (differing.length) {
    out.push(`\nrelocations that differ between groups (${differing.length}):\n`);
    for (const i of differing) {
      out.push(`  ${where(relocs[i])}\n`);
      out.push(`      ${groups.groups.map((g) => `group ${g.id}: ${verdictText(g.verdicts[i], relocs[i], g, i)}`).join(' · ')}\n`);
    }
  }
  const skipped = rows.filter((r) => r.skipped);
  if (skipped.length) out.push(`\nskipped ${plural(skipped.length, 'kernel')} of another architecture: ${summarizeKernels(skipped.map((r) => r.label))} (${skipped[0].skipped})\n`);
  const bad = rows.filter((r) => r.error);
  if (bad.length) out.push(`\n${plural(bad.length, 'kernel file')} could not be read: ${summarizeKernels(bad.map((r) => r.label))}\n`);
  return out.join('');
}
