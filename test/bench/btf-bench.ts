// BTF engine figures for issue 2: parse+index, task_struct lookup and layout, peak RSS of a process
// that has loaded one kernel.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Btf } from '../../server/src/btf/btf';
import { parseBtf } from '../../server/src/btf/parse';
import { Kind } from '../../server/src/btf/wire';
import { layoutOf } from '../../server/src/layout/model';
import { formatPahole } from '../../server/src/layout/pahole';
import { nowMs, report, stats } from './measure';

export const BENCH_KERNEL = '/sys/kernel/btf/vmlinux';

/** What a hover on `task_struct` costs: find it, lay it out as pahole does, render the text. */
function layoutTaskStruct(btf: Btf): number {
  const id = btf.findFirst('task_struct', Kind.Struct);
  if (id === undefined) throw new Error('no task_struct');
  return formatPahole(btf, layoutOf(btf, id)!).length;
}

/** Runs inside a child process: load one kernel, lay out task_struct, report peak RSS. */
export function childLoadKernel(path: string): void {
  const r = parseBtf(readFileSync(path), { source: path });
  if (!r.ok) throw new Error(r.error);
  layoutTaskStruct(r.value);
  process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }) + '\n');
}

export function btfBench(self: string): void {
  const path = BENCH_KERNEL;
  if (!existsSync(path)) {
    process.stdout.write(`BTF engine: skipped: ${path} is absent\n`);
    return;
  }
  const bytes = readFileSync(path);
  const parses: number[] = [];
  let btf: Btf | undefined;
  for (let i = 0; i < 12; i++) {
    const t0 = nowMs();
    const r = parseBtf(bytes, { source: path });
    const t1 = nowMs();
    if (!r.ok) throw new Error(r.error);
    btf = r.value;
    if (i >= 2) parses.push(t1 - t0); // the first two runs warm up the JIT
  }
  const b = btf!;
  process.stdout.write(`BTF engine on ${path} (${b.typeCount.toLocaleString('en-US')} types, ${(bytes.length / 1e6).toFixed(1)} MB)\n`);
  report('parse + validate + index, median of 10 (file read)', stats(parses).median, 'ms', 30);

  // First use in this process: nothing decoded and the code not yet compiled by the JIT.
  const c0 = nowMs();
  layoutTaskStruct(b);
  const cold = nowMs() - c0;
  const warm: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = nowMs();
    layoutTaskStruct(b);
    warm.push(nowMs() - t0);
  }
  // A fresh Btf with compiled code: what a second kernel's first hover costs.
  const fresh = parseBtf(bytes, { source: path });
  if (!fresh.ok) throw new Error(fresh.error);
  const f0 = nowMs();
  layoutTaskStruct(fresh.value);
  const freshMs = nowMs() - f0;
  report('task_struct lookup + pahole layout, first call in process', cold, 'ms');
  report('task_struct lookup + pahole layout, nothing decoded yet', freshMs, 'ms', 1);
  report('task_struct lookup + pahole layout, median of 200', stats(warm).median, 'ms', 1);

  const child = spawnSync(process.execPath, [self, '--child-load-kernel', path], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  const { maxRssKb } = JSON.parse(child.stdout);
  report('peak RSS of a process that loaded one kernel', maxRssKb / 1024, 'MB', 80);
}
