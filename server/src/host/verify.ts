// Load-and-verify: the object loaded into the running kernel the way libbpf users load it (the whole
// object: maps shared, tail-call slots filled) by the small C loader (server/loader/ebpf-verify.c, built
// here with gcc and libbpf on first use), every program's verdict read from its verifier log, then
// everything unloaded. When the whole object fails, the loader finds out which programs fail and why,
// and what the others say without them (see the loader's header).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, release, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { detectFormat, unpackBtf } from '../container/unpack';
import { objectRelocations, poisonedRelocation, resolveObjectRelocations } from '../relocs/object';
import { fail, ok, Result } from '../result';
import { CORE_POISON_INSN, CORE_POISON_MESSAGE } from '../verifier/log';
import { VerifierLog } from '../verifier/model';
import { VerifierLogParser } from '../verifier/parse';
import { LogSummary, summarizeLog } from '../verifier/summary';
import { loadBtfFile, RUNNING_KERNEL_BTF } from './load-btf';
import { loadBpfObject } from './load-object';
import { readInput } from './read-input';
import { findTool, RunOptions, runTool, ToolError } from './tools';

export interface VerifyOptions extends RunOptions {
  /** Relocate for this kernel BTF (libbpf's btf_custom_path; compressed files are unpacked first). The running kernel still verifies. */
  btf?: string;
  /** 1 or 2; statistics (4) are always asked for. */
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
  /** The log was cut: it did not fit in the largest buffer, or the verification was stopped. */
  truncated: boolean;
  error: {
    message: string;
    /** The error line that explains it best (`invalid access to map value, value_size=64 off=120 size=8`), and all of them. */
    informative: string | null;
    lines: string[];
    insn: number | null;
    file: string | null;
    line: number | null;
    explanation: string | null;
    /** Linux 7.3's reason and suggestion, when the kernel gives them. */
    reason: string | null;
    suggestion: string | null;
    errno: number;
  } | null;
  /** Instruction visits and states per source line, and the hottest line. */
  lines: LogSummary['lines'];
  hottest: LogSummary['hottest'];
  /** From the failing instruction back to where the value came from, nearest first. */
  causalChain: LogSummary['causalChain'];
  stats: LogSummary['stats'];
  /** 'object': the whole object loaded; 'isolated': loaded again without the programs already rejected. */
  mode: 'object' | 'isolated';
  /** libbpf's own messages about this program (or the object, when it failed before any program). */
  libbpf: string[];
  /** The kernel whose verifier decided, and the BTF the CO-RE relocations were resolved for. */
  verifiedBy: string;
  relocatedFor: string;
  log: string;
}

/** What the loader prints per program. */
interface LoaderVerdict {
  name: string;
  section: string;
  accepted: boolean;
  errno: number;
  euid: number;
  mode: 'object' | 'isolated';
  truncated: boolean;
  logFile?: string;
  log?: string;
  libbpf: string;
}

/** Logs larger than this are shown by their end only (the error and the statistics are there). */
const LOG_TEXT_MAX = 32 << 20;
/** Logs larger than this are parsed without keeping every step's state. */
const KEEP_STATES_MAX = 64 << 20;

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

/**
 * A BTF file bpftool and libbpf can read (raw BTF or an ELF file), for `fn`: the file itself, or its
 * BTF unpacked by our own unpacker (xz, gzip, tar, BTFHub's .btf.tar.xz) into a temporary file that is
 * removed afterwards.
 */
export async function withRawBtf<T>(path: string, fn: (raw: string) => Promise<T>): Promise<T> {
  const bytes = readInput(path, 'BTF');
  if (!bytes.ok) throw new ToolError(bytes.error);
  const format = detectFormat(bytes.value);
  if (format === 'btf' || format === 'elf') return fn(path);
  const unpacked = await unpackBtf(bytes.value, path);
  if (!unpacked.ok) throw new ToolError(unpacked.error);
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-btf-'));
  try {
    const raw = join(dir, `${basename(path).replace(/(\.(btf|tar|xz|gz))+$/, '') || 'kernel'}.btf`);
    writeFileSync(raw, unpacked.value.btf);
    return await fn(raw);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What `--btf` means for verify, in words: the relocations follow the file, the running kernel's verifier decides. */
export function btfNotice(btf: string): string {
  return `--btf ${btf}: CO-RE relocations are resolved for that kernel, but the running kernel (Linux ${release()}) loads and verifies the programs: the verdicts are this kernel's verifier's`;
}

/** A verifier log file, parsed as it streams in. */
export async function parseLogFile(path: string, opts: { keepStates?: boolean } = {}): Promise<Result<VerifierLog>> {
  const parser = new VerifierLogParser(opts);
  try {
    for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) parser.write(chunk as string);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(`${path}: cannot read the log: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
  return ok(parser.end());
}

export async function verifyObject(object: string, opts: VerifyOptions = {}): Promise<ProgramVerdict[]> {
  const loader = await ensureLoader(opts);
  const run = async (btf: string | undefined) => {
    const dir = mkdtempSync(join(tmpdir(), 'ebpf-verify-'));
    try {
      const raw = await runLoader(loader, object, btf, dir, opts);
      return await Promise.all(raw.map((p) => verdictOf(p, opts)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const verdicts = opts.btf ? await withRawBtf(opts.btf, run) : await run(undefined);
  await explainPoison(object, opts.btf ?? RUNNING_KERNEL_BTF, verdicts);
  return verdicts;
}

async function runLoader(loader: string, object: string, btf: string | undefined, dir: string, opts: VerifyOptions): Promise<LoaderVerdict[]> {
  const timeout = opts.timeoutSec ?? 120;
  const level = (opts.logLevel ?? 1) | 4;
  const args = ['--log-level', String(level), '--timeout', String(timeout), '--log-dir', dir, ...(btf ? ['--btf', btf] : []), object];
  const [cmd, ...pre] = opts.sudo?.length ? [...opts.sudo, loader] : [loader];
  const r = await runTool(cmd, [...pre, ...args], { ...opts, timeoutMs: (timeout + 30) * 1000 });
  if (r.code !== 0 && !r.stdout.trim().startsWith('[')) throw new ToolError(loaderFailure(r.stderr) || `${r.commandLine} failed with exit code ${r.code}`);
  try {
    return JSON.parse(r.stdout) as LoaderVerdict[];
  } catch {
    throw new ToolError(`the verify loader's output was cut short (${r.stderr.trim() || 'killed?'})`);
  }
}

/** The loader could not even open the object: libbpf's reason, without the noise. */
function loaderFailure(stderr: string): string {
  const lines = stderr.trim().split('\n').map((l) => l.replace(/^libbpf: /, ''));
  const specific = lines.filter((l) => !/^cannot open |failed to open object|^$/.test(l));
  return [lines[0], ...specific.slice(0, 3)].filter(Boolean).join('; ');
}

async function verdictOf(p: LoaderVerdict, opts: VerifyOptions): Promise<ProgramVerdict> {
  const { log, text } = await readLoaderLog(p);
  const s = summarizeLog(log);
  const truncated = p.truncated || s.truncated;
  const libbpf = libbpfLines(p.libbpf, p.name);
  // A log cut at the largest buffer fails the load with ENOSPC; the end the kernel kept still names the error.
  const accepted = p.accepted;
  let error: ProgramVerdict['error'] = null;
  if (!accepted) {
    if (s.error) {
      const e = s.error;
      error = { message: e.message, informative: e.informative, lines: e.lines, insn: e.insn, file: e.file, line: e.line, explanation: e.explanation, reason: e.reason, suggestion: e.suggestion, errno: p.errno };
    } else {
      const why = describeFailure(p, text, libbpf, !!opts.sudo?.length, opts.timeoutSec ?? 120);
      error = { ...why, informative: null, lines: [why.message], insn: null, file: null, line: null, reason: null, suggestion: null, errno: p.errno };
    }
  }
  return {
    name: p.name, section: p.section, accepted, processedInsns: s.processedInsns, truncated, error,
    lines: s.lines, hottest: s.hottest, causalChain: accepted ? [] : s.causalChain, stats: s.stats, mode: p.mode, libbpf: [...libbpf.mine, ...libbpf.object],
    verifiedBy: `running kernel (Linux ${release()})`, relocatedFor: opts.btf ?? RUNNING_KERNEL_BTF, log: text,
  };
}

/** The program's log: parsed as it streams from the loader's file; its text kept whole up to LOG_TEXT_MAX, else its end. */
async function readLoaderLog(p: LoaderVerdict): Promise<{ log: VerifierLog; text: string }> {
  if (p.logFile === undefined) {
    const parser = new VerifierLogParser();
    parser.write(p.log ?? '');
    return { log: parser.end(), text: p.log ?? '' };
  }
  const size = p.logFile ? statSync(p.logFile).size : 0;
  const parsed = p.logFile ? await parseLogFile(p.logFile, { keepStates: size <= KEEP_STATES_MAX }) : fail('no log');
  const log = parsed.ok ? parsed.value : new VerifierLogParser().end();
  if (!p.logFile || size === 0) return { log, text: '' };
  if (size <= LOG_TEXT_MAX) return { log, text: readFileSync(p.logFile, 'utf8') };
  const tail = readFileSync(p.logFile).subarray(size - LOG_TEXT_MAX).toString('utf8');
  return { log, text: `[the first ${size - LOG_TEXT_MAX} bytes of this ${(size / (1 << 20)).toFixed(0)} MB log are not shown]\n${tail.slice(tail.indexOf('\n') + 1)}` };
}

/** libbpf's messages about this program (without `libbpf: prog 'NAME': `), and those about the object. */
function libbpfLines(text: string, name: string): { mine: string[]; object: string[] } {
  const prefix = `prog '${name}': `;
  const lines = text.split('\n').map((l) => l.replace(/^libbpf: /, '')).filter(Boolean);
  return {
    mine: lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length)),
    object: lines.filter((l) => !/^prog '/.test(l)),
  };
}

/** libbpf's lines that say nothing beyond "it failed". */
const GENERIC = /^failed to load: -?\d+$|^BPF program load failed: |^failed to load object|^failed to prepare load attributes|^-- (?:BEGIN|END) PROG LOAD LOG --|Retrying without BTF|^failed to load BPF skeleton/;

const EPERM = 1;
const ENOSPC = 28;
const ETIME = 62;

/** Explains a load that failed without a verifier error the way a user needs to hear it. */
function describeFailure(p: LoaderVerdict, log: string, libbpf: { mine: string[]; object: string[] }, usedSudo: boolean, timeoutSec: number): { message: string; explanation: string | null } {
  if (p.errno === ETIME) {
    return { message: `the verification did not finish within ${timeoutSec} s`, explanation: 'The verifier was still walking the program when the loader stopped it; its log so far is below. Verify at log level 1, or raise the timeout.' };
  }
  if (p.errno === EPERM && log.trim() === '') {
    if (p.euid === 0) {
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
  if (p.truncated && p.errno === ENOSPC) {
    return { message: 'the verifier log is larger than the largest buffer (128 MB), so the kernel refused the load', explanation: 'Verify at log level 1: its log holds only the path the verifier is on.' };
  }
  const reason = libbpf.mine.find((l) => !GENERIC.test(l)) ?? libbpf.object.find((l) => !GENERIC.test(l)) ?? [...libbpf.mine, ...libbpf.object].pop();
  return { message: reason ?? `the object failed to load (errno ${p.errno}) before the verifier said anything`, explanation: null };
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
