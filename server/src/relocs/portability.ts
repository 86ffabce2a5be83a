// The portability matrix of a built object: one row per CO-RE relocation, one column per group of kernels
// whose answers are identical for every relocation (kernels/fleet.ts), each cell what libbpf would do
// there. A relocation that fails only behind a guard that is false there (dead code, kernels/dead-code.ts)
// is guarded, not failing. Plain data, which the editor's portability view renders.
import { deadRelocations } from '../kernels/dead-code';
import { KernelGroups, Verdict, verdictOf } from '../kernels/fleet';
import { BpfObject, ObjectRelocation, RelocationReport } from './object';
import { isExistenceKind } from './kinds';

export type CellState = 'same' | 'changed' | 'absent' | 'guarded' | 'poisoned' | 'error';

export interface MatrixCell {
  state: CellState;
  text: string;
}

export interface MatrixRow {
  file?: string;
  line?: number;
  section: string;
  index: number;
  kind: string;
  access: string;
  /** One per column. */
  cells: MatrixCell[];
}

export interface PortabilityColumn {
  /** The kernels of the group. */
  kernels: string[];
  /** How many relocations fail there where the program reaches them. */
  failing: number;
}

export interface PortabilityMatrix {
  columns: PortabilityColumn[];
  /** The relocations that differ between columns first (`differing` of them), then the others. */
  rows: MatrixRow[];
  differing: number;
  /** Kernels left out, one line each (another architecture, an unreadable file). */
  notes: string[];
}

/** The matrix of an object's relocations resolved in a few kernels (the editor's configured ones). */
export function portabilityMatrix(obj: BpfObject, reports: RelocationReport[]): PortabilityMatrix {
  const labels = reports[0]?.targets.map((t) => t.kernel) ?? [];
  const groups = new KernelGroups(reports.map((r) => r.kind));
  labels.forEach((_, k) => {
    const verdicts = reports.map((r) => verdictOf(r.targets[k]));
    groups.add(k, verdicts, deadRelocations(obj, reports, verdicts));
  });
  return groupedMatrix(reports, groups, labels);
}

/** The matrix of grouped kernels; `labels[i]` names kernel i of the groups. */
export function groupedMatrix(relocs: readonly ObjectRelocation[], groups: KernelGroups, labels: readonly string[], notes: string[] = []): PortabilityMatrix {
  const differing = groups.differing();
  const same = relocs.map((_, i) => i).filter((i) => !differing.includes(i));
  const rows = [...differing, ...same].map((i): MatrixRow => {
    const r = relocs[i];
    const cells = groups.groups.map((g) => matrixCell(r, g.verdicts[i], g.failing.includes(i), g.kernels.length > 1));
    return { file: r.source?.file, line: r.source?.line, section: r.section, index: r.index, kind: r.kind, access: r.access, cells };
  });
  const columns = groups.groups.map((g) => ({ kernels: g.kernels.map((i) => labels[i]), failing: g.failing.length }));
  return { columns, rows, differing: differing.length, notes };
}

/** What libbpf does with one relocation in one group; `reached`: it fails where the program runs it. */
function matrixCell(r: ObjectRelocation, v: Verdict, reached: boolean, several: boolean): MatrixCell {
  if ((v.error || v.poisoned) && !reached) return { state: 'guarded', text: `${v.error ? 'error' : v.resolved ? 'poisoned (size)' : 'missing'}, guarded: not reached` };
  if (v.error) return { state: 'error', text: `error: ${v.error}` };
  if (v.poisoned) return { state: 'poisoned', text: v.resolved ? 'poisoned (size)' : 'missing' };
  if (!v.resolved) return { state: 'absent', text: isExistenceKind(r.kindValue) ? String(v.value) : `${v.value} (not found)` };
  // A kernel's type id is its own numbering: a group of several kernels shares only that it was found.
  if (r.kind === 'target_type_id' && several) return { state: 'changed', text: 'found' };
  return { state: v.value === v.localValue ? 'same' : 'changed', text: String(v.value) };
}
