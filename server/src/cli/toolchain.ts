// `ebpf-ls build`, `skeleton`, `vmlinux-h` and `verify`: the editor's build commands in a terminal.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RUNNING_KERNEL_BTF } from '../host/load-btf';
import { buildObject } from '../host/build';
import { generateSkeleton, generateVmlinuxHeader, skeletonName, WouldOverwrite } from '../host/generate';
import { ToolError } from '../host/tools';
import { startTrace } from '../host/trace';
import { MARKER } from '../host/generate';
import { btfNotice, ensureLoader, ProgramVerdict, verifyObject, withRawBtf } from '../host/verify';
import { renderSummaryDetails } from '../verifier/render';
import { Command, parseCommandArgs } from './command';
import { EXIT_FINDINGS, InputError, UsageError } from './usage';

/** Tool failures and refusals are bad input for the CLI: one line, exit 2. */
async function tool<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ToolError || e instanceof WouldOverwrite) throw new InputError(e.message);
    throw e;
  }
}

export const buildCommand: Command = {
  usage: 'build FILE.bpf.c [--out DIR] [--clang PATH] [--include DIR]... [-- EXTRA CLANG FLAGS]',
  summary: 'compile with clang (-g -O2 -target bpf, the include paths libbpf programs need); exit 1 on compile errors',
  async run(argv) {
    const dash = argv.indexOf('--');
    const extraFlags = dash >= 0 ? argv.slice(dash + 1) : [];
    const { values, positionals } = parseCommandArgs(dash >= 0 ? argv.slice(0, dash) : argv, {
      out: { type: 'string' }, clang: { type: 'string' }, include: { type: 'string', multiple: true },
    });
    if (positionals.length !== 1) throw new UsageError('name one .bpf.c file');
    const r = await tool(() => buildObject(positionals[0], { outDir: values.out, clang: values.clang, includeDirs: values.include, extraFlags }));
    process.stderr.write(r.stderr);
    if (r.ok) process.stdout.write(`${r.object}\n`);
    return r.ok ? 0 : EXIT_FINDINGS;
  },
};

export const skeletonCommand: Command = {
  usage: 'skeleton OBJ [--name N] [--out FILE] [--sub] [--force]',
  summary: 'bpftool gen skeleton (or subskeleton) into NAME.skel.h beside the object; refuses to overwrite a file it did not generate',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      name: { type: 'string' }, out: { type: 'string' }, sub: { type: 'boolean' }, force: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('name one BPF object');
    const obj = positionals[0];
    const name = values.name ?? skeletonName(obj);
    const out = values.out ?? join(dirname(obj), `${name}.skel.h`);
    await tool(() => generateSkeleton(obj, out, { name, sub: values.sub, force: values.force }));
    process.stdout.write(`${out}\n`);
    return 0;
  },
};

export const vmlinuxCommand: Command = {
  usage: 'vmlinux-h [--btf FILE] --out FILE [--force]',
  summary: 'vmlinux.h from a kernel BTF (bpftool btf dump format c); refuses to overwrite a file it did not generate',
  async run(argv) {
    const { values } = parseCommandArgs(argv, { btf: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } });
    if (!values.out) throw new UsageError('--out FILE is required');
    const btf = values.btf ?? RUNNING_KERNEL_BTF;
    const out = values.out;
    // bpftool reads raw BTF or ELF only: a compressed file is unpacked to a temporary file first.
    await tool(() => withRawBtf(btf, async (raw) => {
      await generateVmlinuxHeader(raw, out, { force: values.force });
      if (raw !== btf) nameSource(out, raw, btf);
    }));
    process.stdout.write(`${out}\n`);
    return 0;
  },
};

/** The generated header's marker names the file the user gave, not the temporary file bpftool read. */
function nameSource(out: string, raw: string, btf: string): void {
  const text = readFileSync(out, 'utf8');
  const nl = text.indexOf('\n');
  if (nl > 0 && text.slice(0, nl).includes(MARKER)) writeFileSync(out, text.slice(0, nl).replace(raw, btf) + text.slice(nl));
}

function verdictText(v: ProgramVerdict): string {
  if (v.accepted) {
    const depth = v.stats.stackDepth.length ? `, stack depth ${v.stats.stackDepth.join('+')}` : '';
    return `${v.name} (${v.section}): accepted, ${v.processedInsns} instructions processed${depth}\n`;
  }
  const e = v.error!;
  const where = e.file ? ` at ${e.file}:${e.line}` : '';
  const details = renderSummaryDetails({ error: { ...e, category: null }, causalChain: v.causalChain, hottest: v.hottest, truncated: v.truncated });
  return [`${v.name} (${v.section}): REJECTED${where}: ${e.message}`, ...details].join('\n') + '\n';
}

export const verifyCommand: Command = {
  usage: 'verify OBJ|FILE.bpf.c [--btf FILE] [--log-level N] [--sudo] [--format text|json] | verify --build-loader',
  summary: 'load the object into the running kernel as libbpf does, report every program\'s verdict at its source line with the causal chain, unload (exit 1 if any is rejected)',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      btf: { type: 'string' }, 'log-level': { type: 'string' }, sudo: { type: 'boolean' }, format: { type: 'string' }, 'build-loader': { type: 'boolean' },
    });
    if (values['build-loader']) {
      process.stdout.write(`${await tool(() => ensureLoader())}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('name one BPF object (or .bpf.c source, built first when stale)');
    let obj = positionals[0];
    if (obj.endsWith('.c')) {
      const src = obj;
      const built = await tool(() => buildObject(src, {}));
      if (!built.ok) throw new InputError(`${src}: does not compile:\n${built.stderr.trim()}`);
      obj = built.object;
    }
    if (values.btf) process.stderr.write(`ebpf-ls verify: ${btfNotice(values.btf)}\n`);
    const verdicts = await tool(() => verifyObject(obj, { btf: values.btf, logLevel: Number(values['log-level'] ?? 1), sudo: values.sudo ? ['sudo', '-n'] : undefined }));
    if (values.format === 'json') process.stdout.write(JSON.stringify(verdicts, null, 2) + '\n');
    else for (const v of verdicts) process.stdout.write(verdictText(v));
    return verdicts.every((v) => v.accepted) ? 0 : EXIT_FINDINGS;
  },
};

export const traceCommand: Command = {
  usage: 'trace OBJ [--seconds N]',
  summary: 'load and attach the programs (tracepoints attach here), print bpf_printk lines from trace_pipe, then detach and unload',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { seconds: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('name one BPF object');
    const seconds = Number(values.seconds ?? 0);
    const session = await tool(() =>
      startTrace(positionals[0], {
        timeoutSec: seconds > 0 ? seconds : undefined,
        onProgram: (p) => process.stderr.write(`${p.name} (${p.section}): ${p.attached ? 'attached' : `not attached (errno ${p.errno})`}\n`),
        onLine: (l) => process.stdout.write(`${l}\n`),
      }),
    );
    const stop = () => void session.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const r = await session.done;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (r.code !== 0) throw new InputError(r.stderr.trim().split('\n')[0] || 'the programs could not be loaded');
    return 0;
  },
};
