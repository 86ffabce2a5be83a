// Load-and-verify: every program of an object loaded on its own in the running kernel by the small C
// loader (server/loader/ebpf-verify.c, built here with gcc and libbpf on first use), then unloaded.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { objectRelocations, poisonedRelocation, resolveObjectRelocations } from '../relocs/object';
import { analyzeLog, CORE_POISON_INSN, CORE_POISON_MESSAGE } from '../verifier/log';
import { loadBtfFile, RUNNING_KERNEL_BTF } from './load-btf';
import { loadBpfObject } from './load-object';
import { findTool, RunOptions, runTool, ToolError } from './tools';

export interface VerifyOptions extends RunOptions {
  /** Verify against this kernel BTF (libbpf's btf_custom_path) instead of the running kernel's. */
  btf?: string;
  logLevel?: number;
  timeoutSec?: number;
  /** A privilege prefix the user allowed, such as ['sudo', '-n']. */
  sudo?: string[];
  /** Where the built loader is kept; defaults to ~/.cache/ebpf-vscode. */
  cacheDir?: string;
}

export interface ProgramVerdict {
  name: string;
  section: string;
  accepted: boolean;
  processedInsns: number | null;
  error: { message: string; file: string | null; line: number | null; explanation: string | null; errno: number } | null;
  log: string;
}

/** The loader's C source: beside the bundle (dist/ -> ../server/loader) or in the source tree. */
export function loaderSource(): string {
  for (const p of [join(__dirname, '../server/loader/ebpf-verify.c'), join(__dirname, '../../loader/ebpf-verify.c')]) if (existsSync(p)) return p;
  throw new ToolError('the verify loader source (server/loader/ebpf-verify.c) is missing: reinstall the extension');
}

/** Builds the loader once per source version with gcc and -lbpf (libbpf-dev). */
export async function ensureLoader(opts: VerifyOptions = {}): Promise<string> {
  const src = loaderSource();
  const hash = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 12);
  const dir = opts.cacheDir ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ebpf-vscode');
  const bin = join(dir, `ebpf-verify-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const gcc = findTool(['gcc', 'cc'], undefined, 'install gcc and libbpf-dev (apt-get install gcc libbpf-dev)');
  const tmp = `${bin}.${process.pid}.tmp`;
  const r = await runTool(gcc, ['-O2', '-o', tmp, src, '-lbpf'], { ...opts, timeoutMs: 120_000 });
  if (r.code !== 0) {
    const hint = /bpf\/libbpf\.h|lbpf/.test(r.stderr) ? ' (is libbpf-dev installed? apt-get install libbpf-dev)' : '';
    throw new ToolError(`cannot build the verify loader${hint}: ${r.stderr.trim().split('\n').slice(0, 3).join(' ')}`);
  }
  renameSync(tmp, bin);
  return bin;
}

const EPERM = 1;

/** Explains a failed load the way a user needs to hear it. */
function describeFailure(errno: number, log: string, euid: number, libbpf: string, usedSudo: boolean): { message: string; explanation: string | null } {
  if (errno === EPERM && log.trim() === '') {
    if (euid === 0) {
      return {
        message: "the kernel's policy refused this program type (EPERM with no verifier log)",
        explanation: 'Running as root, so this is not a privilege or `ulimit -l` problem: the kernel refuses to load this program type here (for example lockdown=integrity refuses fentry/fexit/lsm programs). The verifier never ran.',
      };
    }
    return {
      message: 'permission denied: loading BPF programs needs root or CAP_BPF (CAP_PERFMON for tracing programs)',
      explanation: usedSudo ? 'The configured privilege prefix did not grant the rights.' : 'Run as root, or allow a privilege prefix in the ebpf.verify.sudo setting (e.g. ["sudo", "-n"]).',
    };
  }
  const last = libbpf.trim().split('\n').filter(Boolean).pop() ?? `errno ${errno}`;
  return { message: last.replace(/^libbpf: /, ''), explanation: null };
}

export async function verifyObject(object: string, opts: VerifyOptions = {}): Promise<ProgramVerdict[]> {
  const loader = await ensureLoader(opts);
  const args = ['--log-level', String(opts.logLevel ?? 1), '--timeout', String(opts.timeoutSec ?? 60), ...(opts.btf ? ['--btf', opts.btf] : []), object];
  const [cmd, ...pre] = opts.sudo?.length ? [...opts.sudo, loader] : [loader];
  const r = await runTool(cmd, [...pre, ...args], { ...opts, timeoutMs: ((opts.timeoutSec ?? 60) + 10) * 1000 });
  if (r.code !== 0 && !r.stdout.trim().startsWith('[')) throw new ToolError(r.stderr.trim() || `${r.commandLine} failed with exit code ${r.code}`);
  let raw: { name: string; section: string; accepted: boolean; errno: number; euid: number; log: string; libbpf: string }[];
  try {
    raw = JSON.parse(r.stdout);
  } catch {
    throw new ToolError(`the verify loader's output was cut short (${r.stderr.trim() || 'killed?'})`);
  }
  const verdicts = raw.map((p) => {
    const v = analyzeLog(p.log);
    let error: ProgramVerdict['error'] = null;
    if (!p.accepted) {
      if (v.message) error = { message: v.message, file: v.file ?? null, line: v.line ?? null, explanation: v.explanation ?? null, errno: p.errno };
      else error = { ...describeFailure(p.errno, p.log, p.euid, p.libbpf, !!opts.sudo?.length), file: null, line: null, errno: p.errno };
    }
    return { name: p.name, section: p.section, accepted: p.accepted, processedInsns: v.processedInsns ?? null, error, log: p.log };
  });
  await explainPoison(object, opts.btf ?? RUNNING_KERNEL_BTF, verdicts);
  return verdicts;
}

/** A CO-RE poison (the verifier's `CORE_POISON_CALL`, relocs/poison) traced back to the relocation that failed, named in the explanation. */
async function explainPoison(object: string, kernelBtf: string, verdicts: ProgramVerdict[]): Promise<void> {
  const hit = verdicts.filter((v) => v.error && CORE_POISON_MESSAGE.test(v.error.message));
  if (hit.length === 0) return;
  const obj = loadBpfObject(object);
  const btf = await loadBtfFile(kernelBtf);
  if (!obj.ok || !btf.ok) return;
  const reports = resolveObjectRelocations(obj.value, objectRelocations(obj.value), [{ label: kernelBtf, btf: btf.value }]);
  for (const v of hit) {
    const calls = [...v.log.matchAll(CORE_POISON_INSN)];
    const insn = calls.length ? Number(calls[calls.length - 1][1]) : undefined;
    const r = poisonedRelocation(obj.value, reports, v, insn, v.error!.line ?? undefined);
    if (!r) continue;
    v.error!.explanation = `CO-RE relocation #${r.index} of ${r.section} (${r.kind} of ${r.access}${r.source ? `, line ${r.source.line}` : ''}) found no match in this kernel, so libbpf poisoned its instruction and the verifier reached it. Guard the access with bpf_core_field_exists() (or bpf_core_type_exists()), or use a field every target kernel has.`;
    // The log names the line of the last annotated instruction; the relocation's own line is the access.
    if (r.source) v.error!.line = r.source.line;
  }
}
