'use strict';
// Inside a real VS Code: the extension activates on a .bpf.c file, its language server answers hovers,
// completions and diagnostics (for the whole workspace, opened or not), and its commands build (without
// a vmlinux.h in the project, or with Generate vmlinux.h offered), generate a skeleton, verify in the
// kernel (the file picked when no .bpf.c editor is active), and trace, ending a trace nothing attached in.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const folder = () => vscode.workspace.workspaceFolders[0].uri.fsPath;

async function until(what, fn, ms = 60000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function open(name) {
  const doc = await vscode.workspace.openTextDocument(path.join(folder(), name));
  await vscode.window.showTextDocument(doc);
  return doc;
}

function positionOf(doc, needle, delta) {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `${needle} in ${doc.fileName}`);
  return doc.positionAt(i + delta);
}

describe('eBPF for VS Code in the extension host', () => {
  it('activates on a .bpf.c file', async () => {
    const doc = await open('sched.bpf.c');
    assert.strictEqual(doc.languageId, 'c');
    const ext = vscode.extensions.getExtension('ebpf-vscode.ebpf-vscode');
    assert.ok(ext, 'extension installed');
    await until('activation', () => ext.isActive);
  });

  it('Problems lists the workspace\'s files before they are opened', async () => {
    const uri = vscode.Uri.file(path.join(folder(), 'broken.bpf.c'));
    assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath === uri.fsPath), 'broken.bpf.c is not open in an editor');
    const diag = await until('a diagnostic of the unopened file', () => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'unknown-section'));
    assert.match(diag.message, /did you mean "tracepoint\/syscalls\/sys_enter_openat"/);
  });

  it('hover on task_struct shows the kernel layout', async () => {
    const doc = await open('sched.bpf.c');
    const pos = positionOf(doc, 'task_struct *prev', 3);
    const text = await until('a layout hover', async () => {
      const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos);
      const t = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /size: \d+, cachelines: \d+, members: \d+/.test(t) && t;
    });
    assert.match(text, /struct task_struct \{/);
    console.log(`HOVER_OK ${/size: (\d+)/.exec(text)[1]}`);
  });

  it('Open Kernel Type offers the kernel\'s types from the word at the cursor and opens the chosen one, readably named', async () => {
    const doc = await open('sched.bpf.c');
    const at = positionOf(doc, 'task_struct *prev', 3);
    vscode.window.activeTextEditor.selection = new vscode.Selection(at, at);
    const viewTab = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input && t.input.uri && t.input.uri.scheme === 'ebpf-btf');
    // Accepting before the server's answer fills the pick closes it empty: then ask again.
    const tab = await until('the type view', async () => {
      const done = vscode.commands.executeCommand('ebpf.openBtfView');
      await sleep(1000);
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await done;
      return viewTab();
    });
    assert.strictEqual(tab.label, 'struct task_struct.h');
    assert.match(vscode.window.activeTextEditor.document.getText(), /^\/\* struct task_struct in .*\nstruct task_struct \{/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('completion in BPF_CORE_READ lists task_struct members, real_parent included', async () => {
    const doc = await open('completion.bpf.c');
    const pos = positionOf(doc, 'BPF_CORE_READ(t, ', 'BPF_CORE_READ(t, '.length);
    const list = await until('completions', async () => {
      const l = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, pos);
      return l.items.some((i) => (i.label.label || i.label) === 'real_parent') && l;
    });
    console.log(`COMPLETION_OK ${list.items.length}`);
  });

  it('a misspelled SEC gets an error diagnostic with a suggestion', async () => {
    const doc = await open('broken.bpf.c');
    const diag = await until('diagnostics', () => vscode.languages.getDiagnostics(doc.uri).find((d) => d.code === 'unknown-section'));
    assert.strictEqual(diag.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diag.message, /did you mean "tracepoint\/syscalls\/sys_enter_openat"/);
  });

  it('Build, Generate skeleton and Load and verify work from commands', async () => {
    assert.ok(!fs.existsSync(path.join(folder(), 'vmlinux.h')), 'the project has no vmlinux.h: the first build must work anyway');
    const src = path.join(folder(), 'execsnoop.bpf.c');
    const uri = vscode.Uri.file(src);
    await vscode.commands.executeCommand('ebpf.build', uri);
    assert.ok(fs.existsSync(path.join(folder(), 'execsnoop.bpf.o')), 'object built');
    await vscode.commands.executeCommand('ebpf.generateSkeleton', uri);
    assert.match(fs.readFileSync(path.join(folder(), 'execsnoop.skel.h'), 'utf8'), /THIS FILE IS AUTOGENERATED BY BPFTOOL/);
    await vscode.commands.executeCommand('ebpf.loadAndVerify', uri);
    const tab = await until('the verifier log view', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Verifier: execsnoop.bpf.o'),
    );
    assert.ok(tab);
  });

  it('without the generated fallback, a missing vmlinux.h offers Generate vmlinux.h, which clears the error', async () => {
    const cfg = vscode.workspace.getConfiguration('ebpf');
    const uri = vscode.Uri.file(path.join(folder(), 'sched.bpf.c'));
    const missing = (d) => /'vmlinux\.h' file not found/.test(d.message);
    await cfg.update('build.vmlinuxFallback', false, vscode.ConfigurationTarget.Workspace);
    try {
      await vscode.commands.executeCommand('ebpf.build', uri);
      const diag = await until('clang\'s missing vmlinux.h error', () => vscode.languages.getDiagnostics(uri).find(missing));
      const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, diag.range);
      const fix = actions.find((a) => /Generate vmlinux\.h/.test(a.title));
      assert.ok(fix && fix.command, `a Generate vmlinux.h quick fix among ${actions.map((a) => a.title).join(', ')}`);
      await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments || []));
      assert.match(fs.readFileSync(path.join(folder(), 'vmlinux.h'), 'utf8').slice(0, 300), /Generated by eBPF for VS Code/);
      assert.ok(!vscode.languages.getDiagnostics(uri).some(missing), 'the stale clang error is gone');
    } finally {
      await cfg.update('build.vmlinuxFallback', undefined, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(path.join(folder(), 'vmlinux.h'), { force: true });
    }
  });

  it('Load and verify with no .bpf.c editor active offers the workspace\'s files, the last edited first', async () => {
    await open('xdp_count.bpf.c');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const done = vscode.commands.executeCommand('ebpf.loadAndVerify');
    await sleep(1500);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await done;
    await until('the verifier log of the picked file', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Verifier: xdp_count.bpf.o'));
  });

  it('after a build, unresolvable CO-RE relocations are problems and the portability view opens', async () => {
    const uri = vscode.Uri.file(path.join(folder(), 'portability.bpf.c'));
    await vscode.commands.executeCommand('ebpf.build', uri);
    // One problem per cause: the unguarded read is reported once (from the source), not again by the
    // post-build relocation check; the guarded read not at all.
    const diag = await until('the CO-RE problem', () => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'core-field-missing'));
    assert.strictEqual(diag.range.start.line, 22, 'the unguarded read, not the guarded one');
    assert.match(diag.message, /struct task_struct\.state does not exist/);
    const atLine = vscode.languages.getDiagnostics(uri).filter((d) => d.range.start.line === 22 && /^core-/.test(String(d.code)));
    assert.deepStrictEqual(atLine.map((d) => d.code), ['core-field-missing']);
    await vscode.commands.executeCommand('ebpf.showPortability', uri);
    await until('the portability view', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'CO-RE: portability.bpf.o'));
  });

  it('Run and trace attaches the programs, and Stop detaches and unloads them', async () => {
    const { execFileSync } = require('child_process');
    const loaded = () => execFileSync('bpftool', ['prog', 'show'], { encoding: 'utf8' }).includes('name handle_execve');
    const uri = vscode.Uri.file(path.join(folder(), 'execsnoop.bpf.c'));
    await vscode.commands.executeCommand('ebpf.runAndTrace', uri);
    await until('the program to be attached', () => loaded(), 30000);
    await vscode.commands.executeCommand('ebpf.stopTrace');
    await until('the program to be unloaded', () => !loaded(), 30000);
  });

  it('Run and trace of a program that cannot attach here (XDP, no interface) ends the session', async () => {
    const { execFileSync } = require('child_process');
    const loaded = () => execFileSync('bpftool', ['prog', 'show'], { encoding: 'utf8' }).includes('name count_packets');
    await vscode.commands.executeCommand('ebpf.runAndTrace', vscode.Uri.file(path.join(folder(), 'xdp_count.bpf.c')));
    // Before, the loader kept the object loaded and the session "running" with nothing attached.
    await until('the unattached program to be unloaded', () => !loaded(), 15000);
  });

  it('Getting started: New Program writes a template that builds, and the walkthrough opens', async () => {
    await vscode.commands.executeCommand('ebpf.newProgram', 'tracepoint', 'hello');
    const file = path.join(folder(), 'hello.bpf.c');
    await until('the new program in an editor', () => vscode.window.activeTextEditor && vscode.window.activeTextEditor.document.uri.fsPath === file);
    await vscode.commands.executeCommand('ebpf.build', vscode.Uri.file(file));
    assert.ok(fs.existsSync(path.join(folder(), 'hello.bpf.o')), 'the template builds');
    await vscode.commands.executeCommand('ebpf.checkTools');
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'ebpf-vscode.ebpf-vscode#gettingStarted', false);
    await until('the walkthrough', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => /Welcome|Walkthrough|Get Started/i.test(t.label)));
  });
  it('a rejected program: the error is a problem at its line with the causal chain, inline hints, and both gone as soon as the file is edited', async () => {
    const file = path.join(folder(), 'null_deref.bpf.c');
    fs.copyFileSync(path.join(__dirname, 'fixtures', 'null_deref.bpf.c'), file);
    const uri = vscode.Uri.file(file);
    try {
      const doc = await open('null_deref.bpf.c');
      await vscode.commands.executeCommand('ebpf.loadAndVerify', uri);
      const verifier = () => vscode.languages.getDiagnostics(uri).find((d) => d.source === 'verifier');
      const diag = await until('the verifier\'s problem', verifier);
      assert.strictEqual(diag.range.start.line, positionOf(doc, 'return v->slot[1]', 0).line, diag.message);
      assert.match(diag.message, /map_value_or_null/);
      const related = diag.relatedInformation || [];
      const lookup = positionOf(doc, 'bpf_map_lookup_elem(', 0).line;
      assert.ok(related.some((r) => r.location.uri.fsPath === file && r.location.range.start.line === lookup), `the lookup line in the causal chain: ${related.map((r) => `${r.location.range.start.line + 1}: ${r.message}`).join(' | ')}`);
      await until('the verifier explorer', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Verifier: null_deref.bpf.o'));
      await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
      await vscode.window.activeTextEditor.edit((b) => b.insert(new vscode.Position(lookup, 0), '\t// edited\n'));
      await until('the stale problem cleared', () => !verifier(), 3000);
      await vscode.commands.executeCommand('ebpf.clearVerifierHints');
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      for (const f of [file, file.replace(/\.c$/, '.o')]) fs.rmSync(f, { force: true });
    }
  });

  it('Open Verifier Log maps a pasted log\'s annotations onto the workspace and opens the explorer', async () => {
    const log = path.join(folder(), 'pasted.vlog');
    fs.writeFileSync(log, [
      'func#0 @0',
      '0: R1=ctx() R10=fp0',
      '; int k = 0; @ /somewhere/else/xdp_count.bpf.c:20',
      '0: (b7) r1 = 0                        ; R1=0',
      '1: (79) r0 = *(u64 *)(r1 +8)',
      'R1 invalid mem access \'scalar\'',
      'processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
      '',
    ].join('\n'));
    try {
      const doc = await vscode.workspace.openTextDocument(log);
      assert.strictEqual(doc.languageId, 'bpf-verifier-log');
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('ebpf.openVerifierLog');
      await until('the explorer of the log', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Verifier: pasted.vlog'));
      const target = vscode.Uri.file(path.join(folder(), 'xdp_count.bpf.c'));
      const diag = await until('the log\'s error on the workspace file', () => vscode.languages.getDiagnostics(target).find((d) => d.source === 'verifier'));
      assert.match(diag.message, /invalid mem access 'scalar'/);
    } finally {
      fs.rmSync(log, { force: true });
    }
  });
});
