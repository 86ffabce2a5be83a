// The real kernel BTFs the tests use: the running kernel's and the three in ../shared/btf, decompressed
// once (with xz, as a user would) into .cache/btf. Tests that need ../shared skip with this reason.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '../..');
export const sharedBtfDir = resolve(repoRoot, '../shared/btf');
export const cacheDir = join(repoRoot, '.cache');
export const RUNNING_KERNEL_BTF = '/sys/kernel/btf/vmlinux';

export const SHARED_KERNELS = ['6.1.0-56-amd64', '6.12.117+deb12-amd64', '6.18.44-fc-v669'] as const;
export type SharedKernel = (typeof SHARED_KERNELS)[number];

/** Why tests needing ../shared/btf cannot run, or undefined when they can. */
export const sharedSkip: string | undefined = existsSync(sharedBtfDir)
  ? undefined
  : `../shared/btf is absent (a user's clone): the kernel BTF comparisons need it`;

export const runningSkip: string | undefined = existsSync(RUNNING_KERNEL_BTF)
  ? undefined
  : `${RUNNING_KERNEL_BTF} is absent: this kernel exposes no BTF`;

/** Path of the compressed shared BTF. */
export function sharedXz(kernel: SharedKernel): string {
  return join(sharedBtfDir, `${kernel}.btf.xz`);
}

/** Path of a raw (decompressed) copy of a shared kernel's BTF, made on first use. */
export function sharedRaw(kernel: SharedKernel): string {
  const dir = join(cacheDir, 'btf');
  const out = join(dir, `${kernel}.btf`);
  const src = sharedXz(kernel);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    mkdirSync(dir, { recursive: true });
    // A temporary name per process: test files running at once may decompress the same kernel.
    execFileSync('sh', ['-c', 'xz -dc -- "$1" > "$2.$$.tmp" && mv -- "$2.$$.tmp" "$2"', 'sh', src, out]);
  }
  return out;
}

/** Whether a command is on PATH. */
export function haveTool(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v -- "$1"', 'sh', cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
