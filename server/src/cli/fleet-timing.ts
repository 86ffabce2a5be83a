// What the kernels of a fleet cost, for `relocs --btf-dir` and `check --btf-dir`: summed for the line
// each prints on stderr (read, decompress, parse, then what the command did with a kernel), and per
// kernel, rounded, for its JSON.
import type { FleetKernelResult } from '../host/fleet-workers';

type KernelTimes = NonNullable<FleetKernelResult<unknown>['times']>;

export class FleetTotals {
  private kernels = 0;
  private read = 0;
  private unpack = 0;
  private parse = 0;
  private used = 0;

  /** `use` names what the command does with a kernel: 'resolve', 'check'. */
  constructor(private readonly command: string, private readonly use: string) {}

  add(t: KernelTimes): void {
    this.read += t.read;
    this.unpack += t.unpack;
    this.parse += t.parse;
    this.used += t.use;
    this.kernels++;
  }

  /** The stderr line, or '' when no kernel was measured; `workers` when the command names them. */
  line(elapsed: number, workers?: number): string {
    if (!this.kernels) return '';
    const per = (x: number) => (x / this.kernels).toFixed(1);
    const on = workers === undefined ? '' : ` on ${plural(workers, 'worker')}`;
    return `ebpf-ls ${this.command}: ${plural(this.kernels, 'kernel')} in ${(elapsed / 1000).toFixed(1)} s${on}: per kernel ${per(this.read + this.unpack + this.parse + this.used)} ms (read ${per(this.read)}, decompress ${per(this.unpack)}, parse ${per(this.parse)}, ${this.use} ${per(this.used)})\n`;
  }

  /** One kernel's times as its JSON names them, to a tenth of a millisecond. */
  json({ use, ...load }: KernelTimes): Record<string, number> {
    return Object.fromEntries(Object.entries({ ...load, [this.use]: use }).map(([k, v]) => [k, Math.round(v * 10) / 10]));
  }
}

export const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
