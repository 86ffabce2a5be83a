// Folders of kernels on worker threads (one per core by default), for any job that uses one kernel at a
// time: `relocs --btf-dir` (host/relocs-workers.ts) and `check --btf-dir` (cli/check-fleet.ts). Each
// worker prepares its job once (reads the object, parses the sources), then loads, uses and releases one
// kernel per message, and the main thread receives each kernel's compact answer in the order the kernels
// were listed. Peak memory is a few kernels, however many are checked; what the main thread keeps is up
// to the job (the CLI keeps one answer per group of identical kernels).
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Arch } from '../kernels/arch';
import { KernelFileInfo } from '../kernels/fleet';
import { Kernel } from '../kernels/kernel';
import { LoadTimes, kernelScratch, loadKernelFile } from './kernel-dirs';

/** The flag a worker thread is started with, after the command name (`relocs --fleet-worker`). */
export const FLEET_WORKER_FLAG = '--fleet-worker';

export interface FleetKernelResult<Answer> {
  /** Index into the list of kernel files. */
  index: number;
  info: KernelFileInfo;
  arch?: Arch;
  /** The job's answer for this kernel; absent when the kernel could not be loaded. */
  answer?: Answer;
  /** The kernel could not be read or its BTF is invalid: one line. */
  error?: string;
  /** Loading the kernel, and the job's use of it (ms). */
  times?: LoadTimes & { use: number };
}

export interface FleetOptions {
  /** Worker threads (default: one per core). */
  workers?: number;
  /** What a worker runs: a script that, started with `argv` (`COMMAND --fleet-worker`), calls serveFleetWorker. */
  entry: { script: string; argv: string[] };
}

interface Task {
  index: number;
  info: KernelFileInfo;
}

/** How many workers run `files`: one per core, or as asked, never more than there are kernels. */
export function fleetWorkerCount(files: readonly unknown[], workers: number | undefined): number {
  return Math.max(1, Math.min(files.length, workers ?? availableParallelism()));
}

/**
 * Runs the job every worker prepares from `job` (plain data, copied to each worker) on every kernel of
 * `files`; `onResult` sees each kernel once, in list order, as soon as it and the kernels before it are done.
 */
export async function runFleetWorkers<Answer>(files: readonly KernelFileInfo[], job: unknown, onResult: (r: FleetKernelResult<Answer>) => void, opts: FleetOptions): Promise<void> {
  const pending = new Map<number, FleetKernelResult<Answer>>();
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
      const worker = new Worker(opts.entry.script, { argv: opts.entry.argv, workerData: job, stdout: false, stderr: false, resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 } });
      const feed = () => {
        if (next < files.length) {
          worker.postMessage({ index: next, info: files[next] } satisfies Task);
          next++;
        } else void worker.terminate().then(() => resolve());
      };
      worker.on('message', (r: FleetKernelResult<Answer> | 'ready') => {
        if (r !== 'ready') {
          pending.set(r.index, r);
          flush();
        }
        feed();
      });
      worker.on('error', reject);
      worker.on('exit', () => resolve());
    });
  await Promise.all(Array.from({ length: fleetWorkerCount(files, opts.workers) }, runWorker));
  flush();
}

/**
 * The worker's side: `prepare` turns the job's data into what answers one kernel, once; then one kernel
 * is loaded, answered and released per message until the pool terminates the worker.
 */
export async function serveFleetWorker<Answer>(prepare: (job: unknown) => Promise<(kernel: Kernel) => Answer>): Promise<number> {
  if (isMainThread || !parentPort) return 2;
  const port = parentPort;
  const answerFor = await prepare(workerData);
  // Tasks come one at a time (the next is sent after this one's answer), so one scratch serves them all.
  const scratch = kernelScratch();
  port.on('message', async ({ index, info }: Task) => {
    const loaded = await loadKernelFile(info, scratch);
    if (!loaded.ok) return port.postMessage({ index, info, error: loaded.error } satisfies FleetKernelResult<Answer>);
    const t0 = performance.now();
    const answer = answerFor(loaded.value.kernel);
    const times = { ...loaded.value.times, use: performance.now() - t0 };
    port.postMessage({ index, info, arch: loaded.value.kernel.arch, answer, times } satisfies FleetKernelResult<Answer>);
  });
  port.postMessage('ready');
  return new Promise(() => undefined);
}
