// CO-RE relocations of one object against a folder of kernels, on worker threads (one per core by
// default): each worker reads the object once, then loads, uses and releases one kernel at a time, and
// the main thread receives compact per-kernel verdicts in the order the kernels were listed. Peak memory
// is a few kernels, however many are checked; what the main thread keeps is up to its caller (the CLI
// keeps one verdict list per group of identical kernels).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Arch } from '../kernels/arch';
import { deadRelocations } from '../kernels/dead-code';
import { KernelFileInfo, KernelGroups, Verdict, verdictOf } from '../kernels/fleet';
import { ObjectRelocation, objectRelocations, readBpfObject, resolveObjectRelocations, BpfObject } from '../relocs/object';
import { LoadTimes, kernelScratch, loadKernelFile } from './kernel-dirs';

/** The flag a worker thread is started with, after the command name (see relocs' CLI). */
export const FLEET_WORKER_FLAG = '--fleet-worker';

export interface KernelTimes extends LoadTimes {
  resolve: number;
}

export interface FleetKernelResult {
  /** Index into the list of kernel files. */
  index: number;
  info: KernelFileInfo;
  arch?: Arch;
  /** One per relocation, in the object's order; absent when the kernel could not be loaded. */
  verdicts?: Verdict[];
  /** Indices of the relocations that are dead code in this kernel (kernels/dead-code.ts). */
  dead?: number[];
  /** The kernel could not be read or its BTF is invalid: one line. */
  error?: string;
  times?: KernelTimes;
}

export interface FleetOptions {
  /** Worker threads (default: one per core). */
  workers?: number;
  /** What a worker runs: a script that, started with `argv`, calls runFleetWorker (default: this CLI's `relocs --fleet-worker`). */
  entry?: { script: string; argv: string[] };
}

interface Task {
  index: number;
  info: KernelFileInfo;
}

/**
 * Resolves the object's relocations in every kernel of `files`; `onResult` sees each kernel once, in
 * list order, as soon as it and the kernels before it are done.
 */
export async function resolveFleet(objectPath: string, files: readonly KernelFileInfo[], onResult: (r: FleetKernelResult) => void, opts: FleetOptions = {}): Promise<void> {
  const count = Math.max(1, Math.min(files.length, opts.workers ?? availableParallelism()));
  const entry = opts.entry ?? { script: process.argv[1], argv: ['relocs', FLEET_WORKER_FLAG] };
  const pending = new Map<number, FleetKernelResult>();
  let next = 0;
  let emitted = 0;
  const flush = () => {
    for (let r = pending.get(emitted); r; r = pending.get(emitted)) {
      pending.delete(emitted++);
      onResult(r);
    }
  };
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      // A small old generation makes V8 collect each released kernel instead of growing the heap over
      // hundreds of them (a kernel's live data is a few tens of MB; its garbage is most of what it costs).
      const worker = new Worker(entry.script, { argv: entry.argv, workerData: { objectPath }, stdout: false, stderr: false, resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 } });
      const feed = () => {
        if (next < files.length) {
          const task: Task = { index: next, info: files[next] };
          next++;
          worker.postMessage(task);
        } else void worker.terminate().then(() => resolve());
      };
      worker.on('message', (r: FleetKernelResult | 'ready') => {
        if (r !== 'ready') {
          pending.set(r.index, r);
          flush();
        }
        feed();
      });
      worker.on('error', reject);
      worker.on('exit', (code) => (next < files.length || code !== 1 ? resolve() : resolve()));
    });
  await Promise.all(Array.from({ length: count }, runWorker));
  flush();
}

/** A kernel's verdicts, in the compact form the groups compare. */
function verdictsIn(obj: BpfObject, relocs: readonly ObjectRelocation[], kernel: Parameters<typeof resolveObjectRelocations>[2][number]): Verdict[] {
  return resolveObjectRelocations(obj, relocs, [kernel]).map((r) => verdictOf(r.targets[0]));
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
export function groupFleetResult(r: FleetKernelResult, groups: KernelGroups, objArch: Arch | undefined): FleetRow {
  const row: FleetRow = { label: r.info.label };
  if (r.error || !r.verdicts) row.error = r.error ?? 'no result';
  else if (objArch && r.arch && r.arch !== objArch) row.skipped = `${r.arch} kernel; the object reads ${objArch} registers`;
  else {
    const dead = r.verdicts.map(() => false);
    for (const i of r.dead ?? []) dead[i] = true;
    row.group = groups.add(r.index, r.verdicts, dead).id;
  }
  return row;
}

/** The worker's side: read the object, then answer one kernel per message until terminated. */
export function runFleetWorker(): Promise<number> {
  if (isMainThread || !parentPort) return Promise.resolve(2);
  const port = parentPort;
  const { objectPath } = workerData as { objectPath: string };
  const obj = readBpfObject(readFileSync(objectPath), objectPath);
  if (!obj.ok) throw new Error(obj.error);
  const relocs = objectRelocations(obj.value);
  // Tasks come one at a time (the next is sent after this one's answer), so one scratch serves them all.
  const scratch = kernelScratch();
  port.on('message', async (task: Task) => {
    const loaded = await loadKernelFile(task.info, scratch);
    if (!loaded.ok) return port.postMessage({ index: task.index, info: task.info, error: loaded.error } satisfies FleetKernelResult);
    const t0 = performance.now();
    const verdicts = verdictsIn(obj.value, relocs, loaded.value.kernel);
    const dead = deadRelocations(obj.value, relocs, verdicts).flatMap((d, i) => (d ? [i] : []));
    const times = { ...loaded.value.times, resolve: performance.now() - t0 };
    port.postMessage({ index: task.index, info: task.info, arch: loaded.value.kernel.arch, verdicts, dead, times } satisfies FleetKernelResult);
  });
  port.postMessage('ready');
  return new Promise(() => undefined);
}
