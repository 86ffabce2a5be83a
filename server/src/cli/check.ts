// `ebpf-ls check FILE...`: the editor's diagnostics in a terminal or CI, against every --btf kernel, or
// every kernel of --btf-dir folders on worker threads (check-fleet.ts; a worker's side is serveCheckWorker).
import { readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver-types';
import { CParser } from '../csource/parser';
import { Loader, LOADERS } from '../sections/loaders';
import { DIAGNOSTIC_CODES, SEVERITY_NAMES, SeverityName, SeverityOverrides } from '../features/diagnostics/codes';
import { LanguageService, getLanguageService } from '../features/language-service';
import { ParsedFile } from '../features/service-context';
import { parseSource, projectHeaders, serviceFacts, setUpLanguageService } from '../host/language-setup';
import { FLEET_WORKER_FLAG, serveFleetWorker } from '../host/fleet-workers';
import { listKernelDirs } from '../host/kernel-dirs';
import { loadDefaultKernel } from '../host/load-btf';
import { readParserWasm } from '../host/source-files';
import { Arch } from '../kernels/arch';
import { describeKernelPath } from '../kernels/fleet';
import { Kernel, kernelSet } from '../kernels/kernel';
import { CheckAnswer, CheckJob, CheckResult, SEVERITY, runCheckFleet } from './check-fleet';
import { Command, jobsOption, parseCommandArgs } from './command';
import { EXIT_FINDINGS, InputError, UsageError } from './usage';

export const checkCommand: Command = {
  usage: 'check FILE... [--btf FILE]... [--btf-dir DIR]... [--include DIR]... [-D NAME[=VALUE]]... [-U NAME]... [--loader libbpf|cilium/ebpf|libxdp|aya] [--severity CODE=LEVEL]... [--jobs N] [--format text|json]',
  summary: 'SEC() names, program targets and CO-RE field paths of .bpf.c files, checked against every --btf kernel, or every kernel under --btf-dir folders one at a time per worker thread, grouped (exit 1 on errors)',
  async run(argv) {
    if (!isMainThread && argv[0] === FLEET_WORKER_FLAG) return serveCheckWorker();
    const { values, positionals } = parseCommandArgs(argv, {
      btf: { type: 'string', multiple: true },
      'btf-dir': { type: 'string', multiple: true },
      include: { type: 'string', multiple: true },
      define: { type: 'string', short: 'D', multiple: true },
      undefine: { type: 'string', short: 'U', multiple: true },
      severity: { type: 'string', multiple: true },
      loader: { type: 'string' },
      jobs: { type: 'string' },
      format: { type: 'string' },
    });
    if (positionals.length === 0) throw new UsageError('name at least one .bpf.c file');
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`unknown format '${format}' (text or json)`);
    const includeDirs = values.include ?? [];
    const loader = values.loader as Loader | undefined;
    if (loader && !LOADERS.some((l) => l.name === loader)) throw new UsageError(`unknown loader '${loader}' (${LOADERS.map((l) => l.name).join(', ')})`);
    const severity = severityOverrides(values.severity ?? []);
    const jobs = jobsOption(values.jobs);
    const sources = positionals.map((file) => ({ file, text: readSource(file) }));
    // -D and -U as clang takes them, after each file's compile_commands.json entry; an -U wins over a -D of the same name.
    const buildFlags = [...(values.define ?? []).map((d) => `-D${d}`), ...(values.undefine ?? []).map((u) => `-U${u}`)];
    if (values['btf-dir']?.length) {
      const listed = listKernelDirs(values['btf-dir']);
      if (!listed.ok) throw new InputError(listed.error);
      const singles = (values.btf ?? []).map((p) => describeKernelPath(p, p.replace(/^.*\//, '')));
      const job: CheckJob = { sources, includeDirs, buildFlags, severity, loader };
      return runCheckFleet([...singles, ...listed.value], job, { format, sources: positionals, overrides: severity, jobs });
    }
    const parser = await CParser.create(readParserWasm());
    const files = new ParsedFiles(parser, includeDirs, buildFlags, sources, (m) => process.stderr.write(`ebpf-ls: ${m}\n`));
    try {
      const [described, ...targets] = values.btf ?? [];
      const setUp = await setUpLanguageService({ kernels: { described, targets }, includeDirs, severity, loader }, 'strict');
      if (!setUp.ok) throw new InputError(setUp.error);
      const { service } = setUp.value;
      if (service.context.kernels.described.bundled) process.stderr.write(`ebpf-ls: note: no /sys/kernel/btf/vmlinux; describing the ${service.context.kernels.described.label}\n`);
      const results = checkFiles(service, files.forArch(undefined), positionals);
      if (format === 'json') process.stdout.write(JSON.stringify(results, null, 2) + '\n');
      else for (const r of results) process.stdout.write(`${r.file}:${r.line}:${r.column}: ${r.severity}: ${r.message} [${r.code}]\n`);
      return results.some((r) => r.severity === 'error') ? EXIT_FINDINGS : 0;
    } finally {
      files.delete();
    }
  },
};

/** Node's name for each architecture, as the preprocessor takes the build's target. */
const NODE_ARCH: Record<Arch, string> = {
  x86_64: 'x64', i386: 'ia32', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64le: 'ppc64', riscv64: 'riscv64', loongarch64: 'loong64', mips: 'mips',
};

/**
 * The files parsed once per target architecture: a kernel of another architecture is checked as a build
 * for it would be (`-D__TARGET_ARCH_arm64` decides its `#if` branches); an unknown one as this machine's.
 */
class ParsedFiles {
  private readonly byArch = new Map<string, ParsedFile[]>();

  constructor(
    private readonly parser: CParser, private readonly includeDirs: string[], private readonly buildFlags: string[], private readonly sources: { file: string; text: string }[],
    private readonly log: (msg: string) => void,
  ) {}

  forArch(arch: Arch | undefined): ParsedFile[] {
    const nodeArch = arch ? NODE_ARCH[arch] : process.arch;
    let parsed = this.byArch.get(nodeArch);
    if (!parsed) {
      const headers = projectHeaders(this.parser, () => this.includeDirs, () => this.buildFlags, this.log, nodeArch);
      parsed = this.sources.map(({ file, text }) => parseSource(this.parser, headers, TextDocument.create(`file://${file}`, 'c', 1, text), file));
      this.byArch.set(nodeArch, parsed);
    }
    return parsed;
  }

  delete(): void {
    for (const parsed of this.byArch.values()) for (const p of parsed) p.tree.delete();
  }
}

/**
 * A check worker's side of `check --btf-dir`: the sources parsed once per architecture, then one kernel's
 * findings per message, with whatever parsing had to say since the last kernel.
 */
function serveCheckWorker(): Promise<number> {
  return serveFleetWorker(async (data) => {
    const job = data as CheckJob;
    const notes: string[] = [];
    const files = new ParsedFiles(await CParser.create(readParserWasm()), job.includeDirs, job.buildFlags, job.sources, (m) => notes.push(m));
    // One kernel besides the one being checked (the running or bundled one) names helpers and kfuncs.
    const reference = await loadDefaultKernel();
    const facts = { ...serviceFacts(job), callKinds: reference.ok ? [reference.value] : [] };
    const names = job.sources.map((s) => s.file);
    return (kernel: Kernel): CheckAnswer => {
      const findings = checkFiles(getLanguageService({ ...facts, kernels: kernelSet(kernel, []) }), files.forArch(kernel.arch), names);
      return { findings, notes: notes.splice(0) };
    };
  });
}

function checkFiles(service: LanguageService, parsed: ParsedFile[], names: string[]): CheckResult[] {
  return parsed.flatMap((p, i) => service.diagnostics(p).sort(byPosition).map((d) => checkResult(names[i], d)));
}

/** `--severity missing-target=info`: one code's severity, as the editor's ebpf.diagnostics.severity sets it. */
function severityOverrides(options: string[]): SeverityOverrides {
  const out: Record<string, SeverityName> = {};
  for (const option of options) {
    const [code, level] = option.split('=');
    if (!(code in DIAGNOSTIC_CODES)) throw new UsageError(`unknown diagnostic code '${code}' in --severity ${option}`);
    if (!(level in SEVERITY_NAMES)) throw new UsageError(`--severity ${option}: the level is one of ${Object.keys(SEVERITY_NAMES).join(', ')}`);
    out[code] = level as SeverityName;
  }
  return out;
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

const byPosition = (a: Diagnostic, b: Diagnostic) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;

function checkResult(file: string, d: Diagnostic): CheckResult {
  return {
    file, line: d.range.start.line + 1, column: d.range.start.character + 1, endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1,
    severity: SEVERITY[d.severity ?? DiagnosticSeverity.Error], code: String(d.code ?? ''), message: d.message,
  };
}
