// Every client setting, read in one place.
import * as vscode from 'vscode';

export interface ClientConfig {
  kernelBtf: string;
  includePaths: string[];
  clangPath: string | undefined;
  buildFlags: string[];
  outputDir: string;
  bpftoolPath: string | undefined;
  skeletonDir: string;
  verifyLogLevel: number;
  verifySudo: string[] | undefined;
}

export function readConfig(): ClientConfig {
  const c = vscode.workspace.getConfiguration('ebpf');
  const sudo = c.get<string[]>('verify.sudo', []);
  return {
    kernelBtf: c.get('kernel.btf', ''),
    includePaths: c.get('includePaths', []),
    clangPath: c.get<string>('clang.path') || undefined,
    buildFlags: c.get('build.flags', []),
    outputDir: c.get('build.outputDir', ''),
    bpftoolPath: c.get<string>('bpftool.path') || undefined,
    skeletonDir: c.get('skeleton.outputDir', ''),
    verifyLogLevel: c.get('verify.logLevel', 1),
    verifySudo: sudo.length ? sudo : undefined,
  };
}
