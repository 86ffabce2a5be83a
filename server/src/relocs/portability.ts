// The portability matrix of a built object: one row per CO-RE relocation, one column per target kernel,
// each cell what libbpf would do there. Plain data, which the editor's portability view renders.
import { RelocationReport } from './object';
import { isExistenceKind } from './kinds';

export type CellState = 'same' | 'changed' | 'absent' | 'poisoned' | 'error';

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
  cells: MatrixCell[];
}

export interface PortabilityMatrix {
  kernels: string[];
  rows: MatrixRow[];
  /** Per kernel: how many relocations would fail (poisoned or error) there. */
  failing: number[];
}

export function portabilityMatrix(reports: RelocationReport[]): PortabilityMatrix {
  const kernels = reports[0]?.targets.map((t) => t.kernel) ?? [];
  const rows = reports.map((r) => ({
    file: r.source?.file,
    line: r.source?.line,
    section: r.section,
    index: r.index,
    kind: r.kind,
    access: r.access,
    cells: r.targets.map((t): MatrixCell => {
      if (t.error) return { state: 'error', text: `error: ${t.error}` };
      if (t.poisoned) return { state: 'poisoned', text: t.resolved ? 'poisoned (size)' : 'missing' };
      if (!t.resolved && isExistenceKind(r.kindValue)) return { state: 'absent', text: String(t.value) };
      if (!t.resolved) return { state: 'absent', text: `${t.value} (not found)` };
      return { state: t.value === t.localValue ? 'same' : 'changed', text: String(t.value) };
    }),
  }));
  const failing = kernels.map((_, i) => rows.filter((r) => r.cells[i].state === 'poisoned' || r.cells[i].state === 'error').length);
  return { kernels, rows, failing };
}
