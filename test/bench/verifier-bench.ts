// Verifier log figures for issue 12: parsing a large level-2 log (13 MB, about 180,000 lines or more) into
// the log model and its summary, next to Node's bare read-and-split of the same file; time (median of 5)
// and peak memory (RSS above the baseline, sampled as the log streams in). The log is made of real
// level-2 logs of this machine's kernel: the test programs of test/fixtures/verifier and the tail-call
// fixture, loaded by the verify loader (root needed), concatenated until the size is reached. The
// single real 30 MB log of the 8193-jumps loop is measured too.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VerifierLogParser } from '../../server/src/verifier/parse';
import { summarizeLog } from '../../server/src/verifier/summary';
import { fmt, nowMs, report, stats } from './measure';

const TARGET_BYTES = 13 << 20;
const TARGET_LINES = 180_000;

/** Real level-2 logs of this kernel, per program, written by the loader into `dir`. */
function loadLogs(repoRoot: string, dir: string): string[] {
  const loader = join(dir, 'ebpf-verify');
  execFileSync('gcc', ['-O2', '-o', loader, join(repoRoot, 'server/loader/ebpf-verify.c'), '-lbpf']);
  const inc = `-I/usr/include/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`;
  const logs: string[] = [];
  for (const src of ['test/fixtures/verifier/rejections.bpf.c', 'test/fixtures/verifier/gpl.bpf.c', 'test/fixtures/verify/tailcall.bpf.c', 'test/fixtures/verify/programs.bpf.c']) {
    const obj = join(dir, src.replace(/^.*\//, '').replace(/\.c$/, '.o'));
    execFileSync('clang-19', ['-g', '-O2', '-target', 'bpf', inc, '-c', join(repoRoot, src), '-o', obj]);
    const out = join(dir, `logs-${src.replace(/^.*\//, '')}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    execFileSync(loader, ['--log-level', '2', '--timeout', '300', '--log-dir', out, obj], { maxBuffer: 1 << 26 });
    for (const f of readdirSync(out)) logs.push(join(out, f));
  }
  return logs;
}

/** The big log: every real log under 4 MB, round robin, until 13 MB and 180,000 lines. */
function makeLargeLog(logs: string[], file: string): void {
  const parts = logs.filter((f) => statSync(f).size > 0 && statSync(f).size < 4 << 20).map((f) => readFileSync(f, 'utf8'));
  const chunks: string[] = [];
  let bytes = 0;
  let lines = 0;
  for (let i = 0; bytes < TARGET_BYTES || lines < TARGET_LINES; i++) {
    const p = parts[i % parts.length];
    chunks.push(p.endsWith('\n') ? p : `${p}\n`);
    bytes += p.length + 1;
    lines += p.split('\n').length;
  }
  writeFileSync(file, chunks.join(''));
}

function rssMb(): number {
  return process.memoryUsage.rss() / (1 << 20);
}

/** CPU time of this process (user + system), ms: steadier than wall time on a busy machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Node's bare read of the file and split into lines. */
function bare(file: string): { ms: number; cpu: number; peakMb: number; lines: number } {
  gc();
  const base = rssMb();
  const [t0, c0] = [nowMs(), cpuMs()];
  const lines = readFileSync(file, 'utf8').split('\n');
  const [ms, cpu] = [nowMs() - t0, cpuMs() - c0];
  return { ms, cpu, peakMb: rssMb() - base, lines: lines.length };
}

/** The log streamed from the file through the parser, then summarised (error, chain, per-line statistics). */
async function parse(file: string): Promise<{ ms: number; cpu: number; peakMb: number; steps: number; error: string | null }> {
  gc();
  const base = rssMb();
  let peak = base;
  const [t0, c0] = [nowMs(), cpuMs()];
  const parser = new VerifierLogParser();
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    parser.write(chunk as string);
    peak = Math.max(peak, rssMb());
  }
  const log = parser.end();
  const s = summarizeLog(log);
  const [ms, cpu] = [nowMs() - t0, cpuMs() - c0];
  peak = Math.max(peak, rssMb());
  return { ms, cpu, peakMb: peak - base, steps: log.steps.count, error: s.error?.message ?? null };
}

async function measureFile(label: string, file: string): Promise<void> {
  const size = statSync(file).size;
  const bareRuns: number[] = [];
  const parseRuns: number[] = [];
  const bareCpu: number[] = [];
  const parseCpu: number[] = [];
  let barePeak = 0;
  let parsePeak = 0;
  let lines = 0;
  let steps = 0;
  for (let i = 0; i < 5; i++) {
    const b = bare(file);
    bareRuns.push(b.ms);
    bareCpu.push(b.cpu);
    barePeak = Math.max(barePeak, b.peakMb);
    lines = b.lines;
    const p = await parse(file);
    parseRuns.push(p.ms);
    parseCpu.push(p.cpu);
    parsePeak = Math.max(parsePeak, p.peakMb);
    steps = p.steps;
  }
  const b = stats(bareRuns).median;
  const p = stats(parseRuns).median;
  process.stdout.write(`${label}: ${(size / (1 << 20)).toFixed(1)} MB, ${lines} lines, ${steps} instruction steps\n`);
  report("Node's bare read + split into lines, median of 5", b, 'ms');
  report('read + parse (streaming) + summary, median of 5', p, 'ms', 1000);
  report('parse / bare read+split (wall time)', p / b, 'x', 5);
  report('parse / bare read+split (CPU time, steadier on a busy machine)', stats(parseCpu).median / stats(bareCpu).median, 'x', 5);
  report("peak memory above baseline, Node's bare read + split", barePeak, 'MB');
  report('peak memory above baseline, streaming parse + summary', parsePeak, 'MB');
}

export async function verifierBench(repoRoot: string): Promise<void> {
  const dir = join(repoRoot, '.cache/bench/verifier');
  mkdirSync(dir, { recursive: true });
  const large = join(dir, 'large-level2.log');
  let loop: string | undefined;
  try {
    if (process.getuid?.() !== 0) throw new Error('loading programs to get real logs needs root');
    const logs = loadLogs(repoRoot, dir);
    makeLargeLog(logs, large);
    loop = logs.filter((f) => statSync(f).size >= 4 << 20 && statSync(f).size < 64 << 20).sort((a, b) => statSync(a).size - statSync(b).size)[0];
  } catch (e) {
    if (!existsSync(large)) {
      process.stdout.write(`Verifier log: skipped: ${(e as Error).message.split('\n')[0]}\n`);
      return;
    }
    process.stdout.write(`Verifier log: using the log made earlier (${(e as Error).message.split('\n')[0]})\n`);
  }
  await measureFile('Verifier log: real level-2 logs of this kernel, concatenated', large);
  if (loop) await measureFile('Verifier log: one real level-2 log (the 8193-jumps loop)', loop);
  process.stdout.write(`  (the machine's load average while measuring: ${fmt(Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]))})\n`);
}
