// Finding and running the external tools (clang, bpftool, gcc, the verify loader): always with argument
// arrays, never through a shell, with a timeout, and with one clear message when a tool is missing.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export class ToolError extends Error {}

/** The first of `names` on PATH (or the configured path itself), else a ToolError saying how to get it. */
export function findTool(names: string[], configured: string | undefined, installHint: string): string {
  if (configured) {
    try {
      accessSync(configured, constants.X_OK);
      return configured;
    } catch {
      throw new ToolError(`${configured} (configured) is not an executable file`);
    }
  }
  for (const name of names) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      const p = join(dir, name);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not in this directory
      }
    }
  }
  throw new ToolError(`${names.join(' or ')} not found on PATH: ${installHint}`);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The command line, for logs: argument-exact, quoted where needed. */
  commandLine: string;
}

export interface RunOptions {
  cwd?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with the command line before it runs (an output channel, a log). */
  log?: (line: string) => void;
}

export function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export function runTool(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const commandLine = [cmd, ...args].map(quoteArg).join(' ');
  opts.log?.(commandLine);
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000, signal: opts.signal, maxBuffer: 256 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      if (e && typeof e.code === 'string') return reject(new ToolError(`${cmd}: ${e.code === 'ENOENT' ? 'not found' : e.message}`));
      if (e?.killed) return reject(new ToolError(`${commandLine}: stopped after ${opts.timeoutMs ?? 120_000} ms`));
      if (e?.name === 'AbortError') return reject(new ToolError(`${commandLine}: cancelled`));
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr, commandLine });
    });
  });
}

/** `__TARGET_ARCH_*` for bpf_tracing.h, from the machine's architecture. */
export function targetArch(arch = process.arch): string {
  return ({ x64: 'x86', arm64: 'arm64', arm: 'arm', s390x: 's390', ppc64: 'powerpc', riscv64: 'riscv', loong64: 'loongarch', mips: 'mips' } as Record<string, string>)[arch] ?? arch;
}

/** The multiarch include directory asm/types.h lives in (Debian: /usr/include/x86_64-linux-gnu). */
export function multiarchTriplet(arch = process.arch): string {
  return ({ x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf', s390x: 's390x-linux-gnu', ppc64: 'powerpc64le-linux-gnu', riscv64: 'riscv64-linux-gnu' } as Record<string, string>)[arch] ?? `${arch}-linux-gnu`;
}
