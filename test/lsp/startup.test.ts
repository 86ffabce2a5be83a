// Start-up order over stdio: `initialize` is answered before any kernel is read, requests that need the
// kernels wait for them, and a kernel that cannot be read is reported once. Ordering, not timing: the
// described kernel is a named pipe the test writes only after the answer has come.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigurationRequest, Hover, HoverRequest, MarkupContent, ShowMessageParams, ShowMessageRequest } from 'vscode-languageserver-protocol/node';
import { cliSkip } from '../support/cli';
import { generatedSource } from '../support/generated-source';
import { LspSession, startLsp } from '../support/lsp-client';
import { sharedSkip, sharedXz } from '../support/kernels';

function positionOf(text: string, needle: string, delta: number) {
  const before = text.slice(0, text.indexOf(needle) + delta);
  return { line: before.split('\n').length - 1, character: before.length - before.lastIndexOf('\n') - 1 };
}

const hoverText = (h: Hover | null) => (h ? (h.contents as MarkupContent).value : '');

describe('server start-up order', { skip: cliSkip ?? sharedSkip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-startup-'));
  const sessions: LspSession[] = [];
  const text = generatedSource(20);
  const file = join(dir, 'startup.bpf.c');
  writeFileSync(file, text);
  const hoverAt = positionOf(text, 'struct task_struct *t = ', 10);
  after(async () => {
    for (const s of sessions) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('initialize is answered before the described kernel exists; a hover sent right after waits for it and answers from it', { timeout: 180_000 }, async () => {
    // Reading a named pipe blocks until someone writes it: a server that read kernels before answering
    // would never answer initialize here.
    const pipe = join(dir, '6.18.44-fc-v669.btf.xz');
    execFileSync('mkfifo', [pipe]);
    const lsp = await startLsp({ kernel: { btf: pipe, targets: [] } });
    sessions.push(lsp);
    const uri = await lsp.open(file);
    const hover = lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: hoverAt });
    await writeFile(pipe, readFileSync(sharedXz('6.18.44-fc-v669')));
    assert.match(hoverText(await hover), /size: 3264, cachelines: 51/, "6.18's task_struct, from the pipe");
  });

  test('a kernel file that cannot be read is reported once, and hovers fall back to the default kernel', { timeout: 180_000 }, async () => {
    const missing = join(dir, 'missing.btf');
    const settings = { kernel: { btf: missing, targets: [] } };
    const messages: ShowMessageParams[] = [];
    // A client like VS Code's: it sends the settings with initialize and answers the server's reading of them.
    const lsp = await startLsp(settings, (conn) => {
      conn.onRequest(ShowMessageRequest.type, (m) => {
        messages.push(m);
        return null;
      });
      conn.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => settings));
      return { workspace: { configuration: true } };
    });
    sessions.push(lsp);
    const uri = await lsp.open(file);
    // The warning is written before the service is ready, so before this hover's answer and the diagnostics.
    assert.match(hoverText(await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: hoverAt })), /struct task_struct \{/);
    await lsp.waitForDiagnostics(uri, 120_000);
    const aboutMissing = messages.filter((m) => m.message.includes(missing));
    assert.equal(aboutMissing.length, 1, JSON.stringify(messages));
    assert.equal(aboutMissing[0].message, `eBPF: ${missing}: cannot read BTF: no such file`);
  });
});
