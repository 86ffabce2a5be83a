// Kernel BTF files as tools need them: the described kernel (the setting, else the running kernel, else
// the bundled one) as a file bpftool reads (raw BTF or ELF: compressed and archived files are unpacked
// once into the extension's storage), the bundled BTF written out as a file the settings can name, and
// the vmlinux.h of a kernel, generated once into that storage for builds of projects that have none.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import * as vscode from 'vscode';
import { unpackBtf } from '../../server/src/container/unpack';
import { generateVmlinuxHeader, GenerateOptions } from '../../server/src/host/generate';
import { DEFAULT_KERNEL_RELEASE, kernelLabel, RUNNING_KERNEL_BTF } from '../../server/src/host/load-btf';
import { readInput } from '../../server/src/host/read-input';
import { ToolError } from '../../server/src/host/tools';

/** The bundled kernel's release (`6.12.117+deb12-amd64`). */
export const BUNDLED_RELEASE = DEFAULT_KERNEL_RELEASE.replace(/\s*\(.*\)$/, '');

function storage(context: vscode.ExtensionContext, ...parts: string[]): string {
  const dir = join(context.globalStorageUri.fsPath, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function writeAtomically(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Where the bundled kernel BTF is written out as a raw file (named by its release, so its version is known). */
export function bundledBtfPath(context: vscode.ExtensionContext): string {
  return join(context.globalStorageUri.fsPath, 'kernels', `${BUNDLED_RELEASE}.btf`);
}

/** The bundled kernel BTF as a raw file the settings and bpftool can name, written out on first use. */
export function bundledBtfFile(context: vscode.ExtensionContext): string {
  const out = bundledBtfPath(context);
  storage(context, 'kernels');
  if (!existsSync(out)) writeAtomically(out, brotliDecompressSync(readFileSync(context.asAbsolutePath('dist/default-kernel.btf.br'))));
  return out;
}

/** The file of the kernel hovers describe: the setting, else the running kernel's BTF, else the bundled one. */
export function describedKernelFile(context: vscode.ExtensionContext, configured: string): string {
  if (configured) return configured;
  return existsSync(RUNNING_KERNEL_BTF) ? RUNNING_KERNEL_BTF : bundledBtfFile(context);
}

/** The release a kernel file stands for, for people: uname for the running kernel, else the name without `.btf.xz`. */
export function kernelRelease(path: string): string {
  return path === RUNNING_KERNEL_BTF ? release() : kernelLabel(path);
}

/** Identifies a file's contents cheaply: its path, size and modification time (the release for the running kernel). */
function fileKey(path: string): string {
  const st = statSync(path);
  return createHash('sha256').update(`${path}\0${st.size}\0${path === RUNNING_KERNEL_BTF ? release() : st.mtimeMs}`).digest('hex').slice(0, 12);
}

function head(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(4);
    readSync(fd, b, 0, 4, 0);
    return b;
  } finally {
    closeSync(fd);
  }
}

/** A file bpftool can read for `path`: raw BTF and ELF as they are, anything else unpacked once into storage. */
export async function bpftoolReadable(context: vscode.ExtensionContext, path: string): Promise<string> {
  const h = head(path);
  if (h.readUInt16LE(0) === 0xeb9f || h.readUInt16BE(0) === 0xeb9f || h.toString('latin1') === '\x7fELF') return path;
  const out = join(storage(context, 'kernels'), `${kernelLabel(path).replace(/[^\w.+-]/g, '_')}-${fileKey(path)}.btf`);
  if (existsSync(out)) return out;
  const bytes = readInput(path, 'BTF');
  if (!bytes.ok) throw new ToolError(bytes.error);
  const unpacked = await unpackBtf(bytes.value, path);
  if (!unpacked.ok) throw new ToolError(unpacked.error);
  writeAtomically(out, unpacked.value.btf);
  return out;
}

function vmlinuxDirName(kernelFile: string): string {
  return `${kernelRelease(kernelFile).replace(/[^\w.+-]/g, '_')}-${fileKey(kernelFile)}`;
}

/** The folder of the vmlinux.h a build generated earlier for the kernel in `kernelFile`, if there is one. */
export function existingVmlinuxDir(context: vscode.ExtensionContext, kernelFile: string): string | undefined {
  try {
    const dir = join(context.globalStorageUri.fsPath, 'vmlinux', vmlinuxDirName(kernelFile));
    return existsSync(join(dir, 'vmlinux.h')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The folder of a vmlinux.h for the kernel in `kernelFile`, generated once (bpftool) into the extension's storage. */
export async function cachedVmlinuxDir(context: vscode.ExtensionContext, kernelFile: string, opts: GenerateOptions): Promise<{ dir: string; generated: boolean }> {
  const dir = storage(context, 'vmlinux', vmlinuxDirName(kernelFile));
  if (existsSync(join(dir, 'vmlinux.h'))) return { dir, generated: false };
  const readable = await bpftoolReadable(context, kernelFile);
  const tmp = join(dir, `vmlinux.h.${process.pid}.tmp`);
  await generateVmlinuxHeader(readable, tmp, { ...opts, force: true });
  renameSync(tmp, join(dir, 'vmlinux.h'));
  return { dir, generated: true };
}
