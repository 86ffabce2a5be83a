// The client's settings, read in one place: the build, generate and verify commands' own, plus the two
// server settings (kernel BTF, include paths) they also use, read through the server's one definition.
import * as vscode from 'vscode';
import { readServerSettings } from '../../server/src/lsp/settings';

export interface ClientConfig {
  kernelBtf: string;
  /** `ebpf.kernel.targetDirs`: folders of kernels a built object is checked against. */
  kernelTargetDirs: string[];
  includePaths: string[];
  clangPath: string | undefined;
  buildFlags: string[];
  outputDir: string;
  /** Build with a vmlinux.h generated for the described kernel when the project has none. */
  vmlinuxFallback: boolean;
  bpftoolPath: string | undefined;
  skeletonDir: string;
  verifyLogLevel: number;
  verifySudo: string[] | undefined;
}

export function readConfig(): ClientConfig {
  const c = vscode.workspace.getConfiguration('ebpf');
  const server = readServerSettings((key, fallback) => c.get(key, fallback));
  const sudo = c.get<string[]>('verify.sudo', []);
  return {
    kernelBtf: server.kernel.btf,
    kernelTargetDirs: c.get<string[]>('kernel.targetDirs', []),
    includePaths: server.includePaths,
    clangPath: c.get<string>('clang.path') || undefined,
    buildFlags: server.build.flags,
    outputDir: c.get('build.outputDir', ''),
    vmlinuxFallback: c.get('build.vmlinuxFallback', true),
    bpftoolPath: c.get<string>('bpftool.path') || undefined,
    skeletonDir: c.get('skeleton.outputDir', ''),
    verifyLogLevel: c.get('verify.logLevel', 1),
    verifySudo: sudo.length ? sudo : undefined,
  };
}
