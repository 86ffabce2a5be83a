// `ebpf.kernel.targetDirs` after a build: the object's CO-RE relocations against every kernel of the
// folders, on worker threads that run the server bundle's `relocs --fleet-worker` (host/fleet-workers.ts,
// one kernel in memory at a time per worker), grouped as `relocs --btf-dir` groups them: the grouped
// portability matrix, and problems at the source lines of relocations that fail where the program reaches
// them, naming the groups of kernels where they do.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { listKernelDirs } from '../../server/src/host/kernel-dirs';
import { loadBpfObject } from '../../server/src/host/load-object';
import { FleetRow, groupFleetResult, resolveFleet } from '../../server/src/host/relocs-workers';
import { archOfAccesses } from '../../server/src/kernels/arch';
import { KernelGroup, KernelGroups, summarizeKernels } from '../../server/src/kernels/fleet';
import { ObjectRelocation, objectRelocations } from '../../server/src/relocs/object';
import { PortabilityMatrix, groupedMatrix } from '../../server/src/relocs/portability';

export interface FleetCheck {
  matrix: PortabilityMatrix;
  /** Problems by absolute source path. */
  problems: Map<string, vscode.Diagnostic[]>;
  kernels: number;
}

/** The configured folders, relative ones from the workspace folder. */
export function targetDirs(dirs: readonly string[], root: string | undefined): string[] {
  return dirs.filter(Boolean).map((d) => (isAbsolute(d) || !root ? d : join(root, d)));
}

/** Checks `object` against every kernel of `dirs`; a string says why it could not (one line). */
export async function checkTargetDirs(object: string, dirs: string[], serverModule: string): Promise<FleetCheck | string> {
  const listed = listKernelDirs(dirs);
  if (!listed.ok) return listed.error;
  const obj = loadBpfObject(object);
  if (!obj.ok) return obj.error;
  const relocs = objectRelocations(obj.value);
  const groups = new KernelGroups(relocs.map((r) => r.kind));
  const objArch = archOfAccesses(relocs.map((r) => r.access));
  const rows: FleetRow[] = [];
  await resolveFleet(object, listed.value, (r) => rows.push(groupFleetResult(r, groups, objArch)), { script: serverModule });
  const labels = listed.value.map((f) => f.label);
  const skipped = rows.filter((r) => r.skipped);
  const unreadable = rows.filter((r) => r.error);
  const notes = [
    ...(skipped.length ? [`Not checked, of another architecture: ${summarizeKernels(skipped.map((r) => r.label))} (${skipped[0].skipped}).`] : []),
    ...unreadable.map((r) => `Could not be read: ${r.error}`),
  ];
  const matrix = groupedMatrix(relocs, groups, labels, notes);
  return { matrix, problems: fleetProblems(object, relocs, groups, labels), kernels: rows.length - skipped.length - unreadable.length };
}

/** One problem per relocation that fails unguarded in some group: an error when it does in every group. */
function fleetProblems(object: string, relocs: readonly ObjectRelocation[], groups: KernelGroups, labels: readonly string[]): Map<string, vscode.Diagnostic[]> {
  const out = new Map<string, vscode.Diagnostic[]>();
  const seen = new Set<string>();
  const texts = new Map<string, string[]>();
  relocs.forEach((r, i) => {
    const failing = groups.groups.filter((g) => g.failing.includes(i));
    if (!failing.length || !r.source) return;
    const file = resolve(dirname(object), r.source.file);
    const message = problemMessage(r, i, failing, groups.groups.length, labels);
    const key = `${file}:${r.source.line}:${message}`;
    if (seen.has(key)) return; // bitfield reads and chains make several relocations per access
    seen.add(key);
    if (!texts.has(file)) texts.set(file, readLines(file));
    const diag = new vscode.Diagnostic(lineRange(texts.get(file)!, r.source.line, r.name), `${message} [${r.section} relo #${r.index}]`, failing.length === groups.groups.length ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
    diag.source = 'ebpf';
    diag.code = failing.some((g) => g.verdicts[i].error) ? 'core-relo-error' : 'core-relo-unresolved';
    out.set(file, [...(out.get(file) ?? []), diag]);
  });
  return out;
}

function problemMessage(r: ObjectRelocation, i: number, failing: KernelGroup[], groupCount: number, labels: readonly string[]): string {
  const names = (g: KernelGroup[]) => summarizeKernels(g.flatMap((x) => x.kernels.map((k) => labels[k])));
  const where = failing.length === groupCount
    ? `every kernel of ebpf.kernel.targetDirs (${names(failing)})`
    : `${failing.map((g) => `group ${g.id} (${names([g])})`).join('; ')} of ${groupCount} groups of ebpf.kernel.targetDirs`;
  const error = failing.find((g) => g.verdicts[i].error)?.verdicts[i].error;
  if (error) return `CO-RE relocation ${r.kind} of ${r.access} fails in ${where}: ${error}; libbpf refuses to load the object there`;
  return `CO-RE relocation ${r.kind} of ${r.access} finds no match in ${where}: libbpf poisons the instruction there, and the verifier rejects the program if it runs it. Guard it with bpf_core_field_exists() or bpf_core_type_exists()`;
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return [];
  }
}

/** The accessed field's name on the line, else the line's text. */
function lineRange(lines: string[], line: number, name: string): vscode.Range {
  const text = lines[line - 1] ?? '';
  const at = name ? text.indexOf(name) : -1;
  const start = at >= 0 ? at : text.length - text.trimStart().length;
  return new vscode.Range(line - 1, start, line - 1, at >= 0 ? start + name.length : text.trimEnd().length);
}
