// CO-RE relocations of one object against a folder of kernels, on the worker pool of
// host/fleet-workers.ts: each worker reads the object once, then answers each kernel with its compact
// verdicts and the relocations that are dead code there.
import { readFileSync } from 'node:fs';
import type { Arch } from '../kernels/arch';
import { deadRelocations } from '../kernels/dead-code';
import { KernelFileInfo, KernelGroups, Verdict, verdictOf } from '../kernels/fleet';
import { Kernel } from '../kernels/kernel';
import { objectRelocations, readBpfObject, resolveObjectRelocations } from '../relocs/object';
import { FLEET_WORKER_FLAG, FleetKernelResult, runFleetWorkers, serveFleetWorker } from './fleet-workers';

export interface RelocsAnswer {
  /** One per relocation, in the object's order. */
  verdicts: Verdict[];
  /** Indices of the relocations that are dead code in this kernel (kernels/dead-code.ts). */
  dead: number[];
}

export type RelocsKernelResult = FleetKernelResult<RelocsAnswer>;

/**
 * Resolves the object's relocations in every kernel of `files`; `onResult` sees each kernel once, in
 * list order. `script` is what a worker runs with `relocs --fleet-worker` (default: this CLI).
 */
export function resolveFleet(objectPath: string, files: readonly KernelFileInfo[], onResult: (r: RelocsKernelResult) => void, opts: { workers?: number; script?: string } = {}): Promise<void> {
  const entry = { script: opts.script ?? process.argv[1], argv: ['relocs', FLEET_WORKER_FLAG] };
  return runFleetWorkers(files, { objectPath }, onResult, { workers: opts.workers, entry });
}

export interface FleetRow {
  label: string;
  /** The group the kernel joined (kernels/fleet.ts). */
  group?: number;
  error?: string;
  /** Why it was not checked: a kernel of another architecture than the registers the object reads. */
  skipped?: string;
}

/** A kernel's result added to the groups, or set aside: unreadable, or of another architecture than the object's. */
export function groupFleetResult(r: RelocsKernelResult, groups: KernelGroups, objArch: Arch | undefined): FleetRow {
  const row: FleetRow = { label: r.info.label };
  if (r.error || !r.answer) row.error = r.error ?? 'no result';
  else if (objArch && r.arch && r.arch !== objArch) row.skipped = `${r.arch} kernel; the object reads ${objArch} registers`;
  else {
    const dead = r.answer.verdicts.map(() => false);
    for (const i of r.answer.dead) dead[i] = true;
    row.group = groups.add(r.index, r.answer.verdicts, dead).id;
  }
  return row;
}

/** The worker's side of `relocs --btf-dir`: the object read once, then one kernel's verdicts per message. */
export function serveRelocsWorker(): Promise<number> {
  return serveFleetWorker(async (job) => {
    const { objectPath } = job as { objectPath: string };
    const obj = readBpfObject(readFileSync(objectPath), objectPath);
    if (!obj.ok) throw new Error(obj.error);
    const relocs = objectRelocations(obj.value);
    return (kernel: Kernel): RelocsAnswer => {
      const verdicts = resolveObjectRelocations(obj.value, relocs, [kernel]).map((r) => verdictOf(r.targets[0]));
      const dead = deadRelocations(obj.value, relocs, verdicts).flatMap((d, i) => (d ? [i] : []));
      return { verdicts, dead };
    };
  });
}
