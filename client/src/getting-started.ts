// What the Getting Started walkthrough runs: Check Tools (clang, bpftool, libbpf's headers, gcc for the
// verify loader, the kernel's BTF, privileges; the install line for this OS) and New eBPF Program (a
// .bpf.c from a template). The walkthrough's hover step completes when a kernel type's hover is shown.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { findTool, multiarchTriplet } from '../../server/src/host/tools';
import { RUNNING_KERNEL_BTF } from '../../server/src/host/load-btf';
import { CommandContext } from './commands/command-runner';
import { notify, showLogAction } from './commands/notify';
import { readConfig } from './config';

interface ToolCheck {
  what: string;
  found?: string;
  /** The package that provides it, per package manager family. */
  packages: { apt: string; dnf: string; pacman: string };
  /** Needed for Build (required) or only for some commands. */
  neededFor: string;
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return cmd;
  }
}

function tool(names: string[], configured: string | undefined, versionArgs: string[]): string | undefined {
  try {
    const path = findTool(names, configured, '');
    return `${version(path, versionArgs)} (${path})`;
  } catch {
    return undefined;
  }
}

export function checkTools(): ToolCheck[] {
  const cfg = readConfig();
  const headerDirs = [...cfg.includePaths, '/usr/include', '/usr/local/include', `/usr/include/${multiarchTriplet()}`];
  const helpers = headerDirs.map((d) => join(d, 'bpf/bpf_helpers.h')).find((p) => existsSync(p));
  return [
    { what: 'clang (BPF target)', found: tool(['clang-19', 'clang'], cfg.clangPath, ['--version']), packages: { apt: 'clang-19', dnf: 'clang', pacman: 'clang' }, neededFor: 'Build' },
    { what: 'bpftool', found: tool(['bpftool'], cfg.bpftoolPath, ['version']), packages: { apt: 'bpftool', dnf: 'bpftool', pacman: 'bpf' }, neededFor: 'vmlinux.h and skeletons' },
    { what: "libbpf's headers (bpf/bpf_helpers.h)", found: helpers, packages: { apt: 'libbpf-dev', dnf: 'libbpf-devel', pacman: 'libbpf' }, neededFor: 'Build' },
    { what: 'gcc', found: tool(['gcc'], undefined, ['--version']), packages: { apt: 'gcc libelf-dev zlib1g-dev', dnf: 'gcc elfutils-libelf-devel zlib-devel', pacman: 'gcc libelf zlib' }, neededFor: 'Load and Verify, Run and Trace (the loader is built once)' },
  ];
}

/** The package manager of this OS, from /etc/os-release. */
function packageManager(): 'apt' | 'dnf' | 'pacman' | undefined {
  let ids = '';
  try {
    const rel = readFileSync('/etc/os-release', 'utf8');
    ids = [...rel.matchAll(/^(?:ID|ID_LIKE)=(.*)$/gm)].map((m) => m[1].replace(/"/g, '')).join(' ');
  } catch {
    return undefined;
  }
  if (/debian|ubuntu/.test(ids)) return 'apt';
  if (/fedora|rhel|centos/.test(ids)) return 'dnf';
  if (/arch/.test(ids)) return 'pacman';
  return undefined;
}

export function installLine(missing: ToolCheck[]): string | undefined {
  const pm = packageManager() ?? 'apt';
  const pkgs = [...new Set(missing.flatMap((m) => m.packages[pm].split(' ')))].join(' ');
  if (!pkgs) return undefined;
  return pm === 'apt' ? `sudo apt-get install ${pkgs}` : pm === 'dnf' ? `sudo dnf install ${pkgs}` : `sudo pacman -S ${pkgs}`;
}

async function runCheckTools(ctx: CommandContext): Promise<void> {
  const checks = checkTools();
  const out = ctx.output;
  out.appendLine('eBPF: Check Tools');
  for (const c of checks) out.appendLine(`  ${c.found ? '✔' : '✘'} ${c.what}: ${c.found ?? `missing (needed for ${c.neededFor})`}`);
  const btf = existsSync(RUNNING_KERNEL_BTF);
  out.appendLine(`  ${btf ? '✔' : '•'} kernel BTF: ${btf ? RUNNING_KERNEL_BTF : 'this kernel exposes none: hovers describe the bundled Debian 12 kernel'}`);
  const root = process.getuid?.() === 0 || !!readConfig().verifySudo;
  out.appendLine(`  ${root ? '✔' : '•'} privileges: ${root ? 'root (or ebpf.verify.sudo)' : 'not root: Load and Verify and Run and Trace need root, or set ebpf.verify.sudo'}`);
  const missing = checks.filter((c) => !c.found);
  if (!missing.length) {
    notify('info', `eBPF: clang, bpftool and libbpf's headers are installed: Build, vmlinux.h and skeletons are ready${root ? '' : ' (Load and Verify needs root)'}`, showLogAction(out, 'Show details'));
    return;
  }
  const line = installLine(missing);
  if (line) out.appendLine(`  install: ${line}`);
  notify(
    'warning',
    `eBPF: missing ${missing.map((m) => m.what).join(', ')}.${line ? ` Install with: ${line}` : ''}`,
    line ? { title: 'Copy Install Command', run: () => vscode.env.clipboard.writeText(line) } : undefined,
    line ? { title: 'Open in Terminal', run: () => installInTerminal(line) } : undefined,
    showLogAction(out, 'Show details'),
  );
}

/** Types the install line into a terminal without running it: the user reads it and presses Enter. */
function installInTerminal(line: string): void {
  const t = vscode.window.createTerminal('eBPF: install tools');
  t.show();
  t.sendText(line, false);
}

export const TEMPLATES: Record<string, { label: string; detail: string; name: string; text: string }> = {
  tracepoint: {
    label: 'Tracepoint: log every exec',
    detail: 'SEC("tracepoint/syscalls/sys_enter_execve"), bpf_printk, read with Run and Trace',
    name: 'hello',
    text: `// Logs every execve with the calling process's pid and name: Build, then Run and Trace to see it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int handle_execve(struct trace_event_raw_sys_enter *ctx)
{
\tchar comm[16];

\tbpf_get_current_comm(&comm, sizeof(comm));
\tbpf_printk("exec by %s (pid %d)", comm, bpf_get_current_pid_tgid() >> 32);
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`,
  },
  fentry: {
    label: 'fentry with CO-RE: read a kernel struct',
    detail: 'SEC("fentry/do_unlinkat"), BPF_PROG, BPF_CORE_READ of struct filename',
    name: 'unlink',
    text: `// Logs every file deleted, reading the kernel's struct filename with CO-RE. Hover the types.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

SEC("fentry/do_unlinkat")
int BPF_PROG(handle_unlink, int dfd, struct filename *name)
{
\tconst char *path = BPF_CORE_READ(name, name);
\tstruct task_struct *task = (struct task_struct *)bpf_get_current_task();
\tpid_t ppid = BPF_CORE_READ(task, real_parent, tgid);

\tbpf_printk("unlink %s (parent pid %d)", path, ppid);
\treturn 0;
}

char LICENSE[] SEC("license") = "GPL";
`,
  },
  xdp: {
    label: 'XDP: count packets',
    detail: 'SEC("xdp"), a per-CPU array map; Load and Verify (attaching needs an interface)',
    name: 'xdp_pass',
    text: `// Counts the packets of an interface and passes them on. Load and Verify checks it; attach it to an
// interface from your loader or with: ip link set dev IFACE xdp obj xdp_pass.bpf.o sec xdp
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
\t__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
\t__uint(max_entries, 1);
\t__type(key, __u32);
\t__type(value, __u64);
} packets SEC(".maps");

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
\t__u32 key = 0;
\t__u64 *n = bpf_map_lookup_elem(&packets, &key);

\tif (n)
\t\t(*n)++;
\treturn XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
`,
  },
};

async function newProgram(template?: string, name?: string): Promise<void> {
  const kind = template && TEMPLATES[template] ? template : (await vscode.window.showQuickPick(
    Object.entries(TEMPLATES).map(([id, t]) => ({ id, label: t.label, detail: t.detail })),
    { title: 'eBPF: New Program', placeHolder: 'Start from' },
  ))?.id;
  if (!kind) return;
  const t = TEMPLATES[kind];
  const base = name ?? (await vscode.window.showInputBox({ title: 'eBPF: New Program', prompt: 'Name (the file is NAME.bpf.c)', value: t.name, validateInput: (v) => (/^[\w-]+$/.test(v) ? undefined : 'letters, digits, _ and - only') }));
  if (!base) return;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    const doc = await vscode.workspace.openTextDocument({ language: 'c', content: t.text });
    await vscode.window.showTextDocument(doc);
    notify('info', `eBPF: save it as ${base}.bpf.c in a folder, then open that folder: Build and the hovers work on .bpf.c files in a workspace`);
    return;
  }
  const file = join(folder.uri.fsPath, `${base}.bpf.c`);
  if (existsSync(file)) notify('warning', `eBPF: ${base}.bpf.c exists: opened it as it is`);
  else writeFileSync(file, t.text);
  await vscode.window.showTextDocument(vscode.Uri.file(file));
}

export function registerGettingStarted(ctx: CommandContext): void {
  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand('ebpf.checkTools', () => runCheckTools(ctx)),
    vscode.commands.registerCommand('ebpf.newProgram', (template?: string, name?: string) => newProgram(typeof template === 'string' ? template : undefined, name)),
  );
}

/** Called with each hover the server returns: the walkthrough's hover step is done once a layout was shown. */
export function noteHover(contents: readonly (vscode.MarkdownString | vscode.MarkedString)[]): void {
  const text = contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
  if (/size: \d+/.test(text)) void vscode.commands.executeCommand('setContext', 'ebpf.hoveredKernelType', true);
}
