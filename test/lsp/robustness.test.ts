// The server under load it must survive: a 50,000-line file, and a file opened while the kernels are
// still loading (three xz-compressed targets take a while to unpack). Time limits here only detect
// hangs; they are not performance targets (those are npm run bench's).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CompletionList, CompletionRequest, Hover, HoverRequest, MarkupContent } from 'vscode-languageserver-protocol/node';
import { cliSkip } from '../support/cli';
import { generatedSource } from '../support/generated-source';
import { LspSession, startLsp } from '../support/lsp-client';
import { SHARED_KERNELS, sharedSkip, sharedXz } from '../support/kernels';

function positionOf(text: string, needle: string, delta: number, nth = 0) {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(needle, i + 1);
  const before = text.slice(0, i + delta);
  return { line: before.split('\n').length - 1, character: before.length - before.lastIndexOf('\n') - 1 };
}

const hoverText = (h: Hover | null) => (h ? (h.contents as MarkupContent).value : '');

describe('server robustness', { skip: cliSkip ?? sharedSkip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-robust-'));
  const sessions: LspSession[] = [];
  after(async () => {
    for (const s of sessions) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a file opened while the kernels still load is answered once they are ready', async () => {
    const lsp = await startLsp({ kernel: { btf: sharedXz('6.18.44-fc-v669'), targets: SHARED_KERNELS.map((k) => sharedXz(k)) } });
    sessions.push(lsp);
    const text = generatedSource(100);
    const file = join(dir, 'early.bpf.c');
    writeFileSync(file, text);
    // No wait between initialize and these: the hover must queue behind the loading, not fail.
    const uri = await lsp.open(file);
    const [hover, diags] = await Promise.all([
      lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(text, 'struct task_struct *t = ', 10) }),
      lsp.waitForDiagnostics(uri, 120_000),
    ]);
    assert.match(hoverText(hover), /size: 3264, cachelines: 51/);
    assert.deepEqual(diags.diagnostics, [], 'the generated file is clean against all kernels');
  });

  test('a 50,000-line file: parsed, diagnosed, hovered and completed', async () => {
    const lsp = await startLsp({});
    sessions.push(lsp);
    const text = generatedSource(50_000);
    assert.ok(text.split('\n').length >= 50_000);
    const file = join(dir, 'huge.bpf.c');
    writeFileSync(file, text);
    const uri = await lsp.open(file);
    const last = (text.match(/BPF_CORE_READ\(t, /g) ?? []).length - 1;
    const hover = await lsp.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(text, 'struct task_struct *t = ', 10, last) });
    assert.match(hoverText(hover), /struct task_struct \{/);
    const list = (await lsp.conn.sendRequest(CompletionRequest.type, {
      textDocument: { uri }, position: positionOf(text, 'BPF_CORE_READ(t, ', 'BPF_CORE_READ(t, '.length, last),
    })) as CompletionList;
    assert.ok(list.items.some((i) => i.label === 'real_parent'));
    const diags = await lsp.waitForDiagnostics(uri, 120_000);
    assert.ok(Array.isArray(diags.diagnostics));
    assert.equal(lsp.proc.exitCode, null, 'server still running');
  });
});
