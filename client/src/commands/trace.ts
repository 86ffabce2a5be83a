// Run and trace / Stop trace / Filter trace output: load and attach the programs (as `ebpf-ls trace`),
// bpf_printk lines in the 'eBPF trace' output channel (through the filter), a status-bar item while a
// trace runs (click: stop), detached and unloaded on Stop, on a new run, or when the extension stops.
// A program that cannot attach is said in plain words; when none attaches the session ends at once.
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { parseElf, STT_FUNC } from '../../../server/src/elf/elf';
import { AttachResult, startTrace, TraceSession } from '../../../server/src/host/trace';
import { readConfig } from '../config';
import { TraceFilter } from '../trace-filter';
import { builtObject } from './build';
import { CommandContext, fileCommand } from './command-runner';
import { notify, NotificationAction, showLogAction } from './notify';

const SHF_EXECINSTR = 0x4n;
/** Lines kept for re-filtering the output. */
const KEPT_LINES = 5000;

/** How many programs libbpf finds in an object: functions in executable sections other than .text. */
export function programCount(object: string): number | undefined {
  const elf = parseElf(readFileSync(object), object);
  if (!elf.ok) return undefined;
  const { sections } = elf.value;
  return elf.value.symbols().filter((s) => s.type === STT_FUNC && sections[s.shndx] && sections[s.shndx].name !== '.text' && (sections[s.shndx].flags & SHF_EXECINSTR) !== 0n).length;
}

const ERRNO_NAMES: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 13: 'EACCES', 16: 'EBUSY', 19: 'ENODEV', 22: 'EINVAL', 95: 'EOPNOTSUPP', 524: 'ENOTSUPP' };

/** Why a program did not attach, in plain words, from its section and the errno libbpf returned. */
export function attachFailure(p: AttachResult): string {
  const sec = p.section;
  const code = `errno ${p.errno}${ERRNO_NAMES[p.errno] ? ` ${ERRNO_NAMES[p.errno]}` : ''}`;
  if (p.errno === 95) {
    const needs = /^xdp/.test(sec) ? 'a network interface (XDP)'
      : /^(tc|tcx|classifier|action|netkit)\b/.test(sec) ? 'a network interface and a tc hook'
      : /^cgroup/.test(sec) ? 'a cgroup'
      : /^(sk_|socket|sockops|flow_dissector|netfilter|lirc)/.test(sec) ? 'a socket, map or device that user space hands it'
      : /^struct_ops/.test(sec) ? 'its struct_ops map, registered by user space'
      : /^(u|uret)probe/.test(sec) ? 'a binary and a function, which this SEC() does not name'
      : 'a target this SEC() does not name';
    return `${p.name} (${sec}) cannot attach by itself: it needs ${needs}, which a loader supplies (${code}). Run and Trace attaches programs whose SEC() names their target: kprobes, tracepoints, fentry/fexit, LSM hooks, raw tracepoints.`;
  }
  const why: Record<number, string> = {
    1: 'not permitted: tracing needs root (or CAP_BPF and CAP_PERFMON); set ebpf.verify.sudo when VS Code does not run as root',
    13: 'not permitted: tracing needs root (or CAP_BPF and CAP_PERFMON); set ebpf.verify.sudo when VS Code does not run as root',
    2: 'its target does not exist in the running kernel (a function renamed or inlined, a tracepoint that is not there)',
    3: 'its target (a process or symbol) was not found',
    16: 'its target already has a program attached that cannot be shared',
    19: 'the device it attaches to is not there',
    22: 'the kernel refused this target for this kind of program',
    524: 'the running kernel cannot attach this kind of program',
  };
  return `${p.name} (${sec}) did not attach: ${why[p.errno] ?? 'the kernel refused the attachment'} (${code}).`;
}

interface Running {
  session: TraceSession;
  file: string;
  stopping: boolean;
}

export function registerTraceCommands(ctx: CommandContext): void {
  const output = vscode.window.createOutputChannel('eBPF trace');
  const status = vscode.window.createStatusBarItem('ebpf.trace', vscode.StatusBarAlignment.Left, -100);
  status.name = 'eBPF trace';
  status.command = 'ebpf.stopTrace';
  const filterItem = vscode.window.createStatusBarItem('ebpf.traceFilter', vscode.StatusBarAlignment.Left, -101);
  filterItem.name = 'eBPF trace filter';
  filterItem.command = 'ebpf.filterTrace';
  let trace: Running | undefined;
  let filter = new TraceFilter('');
  const kept: string[] = [];
  let shown = 0;

  const showStatus = () => {
    if (!trace) {
      status.hide();
      filterItem.hide();
      return;
    }
    status.text = `$(debug-stop) eBPF trace: ${vscode.workspace.asRelativePath(trace.file)}`;
    status.tooltip = `Tracing ${trace.file}: bpf_printk lines go to the "eBPF trace" output. Click to stop (detach and unload).`;
    status.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    filterItem.text = `$(filter) ${filter.empty ? 'all lines' : filter.text}`;
    filterItem.tooltip = `Trace output filter: ${shown} of ${kept.length} recent line(s) shown. Click to change it (process names or text; -word hides).`;
    status.show();
    filterItem.show();
  };
  const onLine = (line: string) => {
    kept.push(line);
    if (kept.length > KEPT_LINES) kept.shift();
    if (filter.accepts(line)) {
      shown++;
      output.appendLine(line);
    }
  };
  const stop = async () => {
    const t = trace;
    if (!t) return;
    t.stopping = true;
    await t.session.stop();
  };

  ctx.extension.subscriptions.push(
    output,
    status,
    filterItem,
    fileCommand('ebpf.runAndTrace', 'Run and trace', async (file, token) => {
      const obj = await builtObject(ctx, file, token);
      if (!obj) return;
      await stop();
      output.clear();
      kept.length = 0;
      shown = 0;
      output.show(true);
      output.appendLine(`# ${new Date().toLocaleTimeString()} tracing ${file}: bpf_printk lines of every process${filter.empty ? '' : `, filtered: ${filter.text}`} (eBPF: Filter Trace Output changes that, e.g. "-node" hides the editor's own processes)`);
      const cfg = readConfig();
      const results: AttachResult[] = [];
      const expected = programCount(obj);
      let allReported: () => void = () => undefined;
      const reported = new Promise<void>((resolve) => (allReported = resolve));
      const session = await startTrace(obj, {
        sudo: cfg.verifySudo,
        log: ctx.log,
        onProgram: (p) => {
          results.push(p);
          output.appendLine(`# ${p.name} (${p.section}): ${p.attached ? 'attached' : attachFailure(p)}`);
          if (expected !== undefined && results.length >= expected) allReported();
        },
        onLine,
      });
      const running: Running = { session, file, stopping: false };
      trace = running;
      vscode.commands.executeCommand('setContext', 'ebpf.tracing', true);
      showStatus();
      session.done.then((r) => {
        const failed = !running.stopping && r.code !== 0;
        if (trace === running) trace = undefined;
        if (!trace) vscode.commands.executeCommand('setContext', 'ebpf.tracing', false);
        showStatus();
        const why = r.stderr.trim().split('\n').find(Boolean) ?? `the loader exited with ${r.code}`;
        output.appendLine(`# stopped: programs detached and unloaded${r.code ? ` (${why})` : ''}`);
        if (failed) notify('error', `eBPF: tracing ${vscode.workspace.asRelativePath(file)} stopped: ${why}`, showLogAction(output, 'Show trace output'), showLogAction(ctx.output));
      });
      // Every program reports whether it attached right after the load; the loader then holds them.
      await Promise.race([reported, session.done, new Promise((r) => setTimeout(r, expected === undefined ? 3000 : 20_000))]);
      reportAttachments(running, results, output, stop);
    }),
    vscode.commands.registerCommand('ebpf.stopTrace', stop),
    vscode.commands.registerCommand('ebpf.filterTrace', async (text?: string) => {
      const next = typeof text === 'string' ? text : await vscode.window.showInputBox({
        title: 'eBPF: Filter Trace Output',
        value: filter.text,
        prompt: 'Show lines whose process name or text contains one of these words; a word with a leading - hides its lines. Empty: every line.',
        placeHolder: 'e.g. execsnoop   or   -node -code-server',
      });
      if (next === undefined) return;
      filter = new TraceFilter(next.trim());
      output.clear();
      shown = 0;
      output.appendLine(`# filter: ${filter.empty ? 'none (every line)' : filter.text}`);
      for (const l of kept) if (filter.accepts(l)) (shown++, output.appendLine(l));
      showStatus();
    }),
    { dispose: () => void stop() },
  );
}

/** Says which programs did not attach; when none did, ends the session instead of leaving it "running". */
function reportAttachments(running: Running, results: AttachResult[], output: vscode.OutputChannel, stop: () => Promise<void>): void {
  if (running.stopping || !results.length) return;
  const failed = results.filter((p) => !p.attached);
  if (!failed.length) return;
  const show: NotificationAction = showLogAction(output, 'Show trace output');
  const name = vscode.workspace.asRelativePath(running.file);
  if (failed.length === results.length) {
    void stop();
    notify('error', `eBPF: nothing of ${name} is traced: ${failed.map(attachFailure).join(' ')}`, show);
  } else {
    notify('warning', `eBPF: tracing ${name}, but ${failed.map(attachFailure).join(' ')}`, show, { title: 'Stop', run: stop });
  }
}
