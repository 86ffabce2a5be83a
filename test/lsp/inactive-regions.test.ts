// The real server over stdio sends `ebpf/inactiveRegions` with the lines of a document's dead #if
// branches: `#if 0`, another architecture's branch (this machine's is the target), a branch that
// ebpf.build.flags' -D makes dead; and again when an edit, a change of ebpf.build.flags or a new
// compile_commands.json changes them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ConfigurationRequest, DidChangeConfigurationNotification, DidChangeTextDocumentNotification, DidChangeWatchedFilesNotification, FileChangeType,
} from 'vscode-languageserver-protocol/node';
import { INACTIVE_REGIONS_NOTIFICATION, InactiveRegionsParams } from '../../server/src/lsp/protocol';
import { cliSkip } from '../support/cli';
import { LspSession, startLsp } from '../support/lsp-client';

const SOURCE = `char LICENSE[] SEC("license") = "GPL";
#if 0
int dead;
int dead_too;
#endif
#ifndef FEATURE_X
int without_feature;
#endif
SEC("kprobe/do_unlinkat")
int handle(struct pt_regs *ctx)
{
#if defined(bpf_target_x86)
\treturn 1;
#elif defined(bpf_target_arm64)
\treturn 2;
#else
\treturn 3;
#endif
}
`;

/** The regions as `first-last` line numbers (1-based, as an editor shows them), checking each spans whole lines. */
function lines(p: InactiveRegionsParams, text: string): string[] {
  const all = text.split('\n');
  return p.regions.map((r) => {
    assert.equal(r.start.character, 0);
    assert.equal(r.end.character, all[r.end.line].length);
    return `${r.start.line + 1}-${r.end.line + 1}`;
  });
}

describe('ebpf/inactiveRegions over stdio', { skip: cliSkip ?? (process.arch === 'x64' ? undefined : 'the arch branch expected is x86_64\'s') }, () => {
  let lsp: LspSession;
  /** The document's folder, where the last test writes a compile_commands.json. */
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-ls-inactive-'));
  /** What the client answers workspace/configuration with. */
  let settings = { build: { flags: ['-DFEATURE_X'] } };
  const received: InactiveRegionsParams[] = [];
  let waiting: (() => void) | undefined;
  const next = (count: number) => new Promise<InactiveRegionsParams>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ebpf/inactiveRegions within 20 s')), 20_000);
    const check = () => {
      if (received.length < count) return;
      clearTimeout(timer);
      waiting = undefined;
      resolve(received[count - 1]);
    };
    waiting = check;
    check();
  });

  before(async () => {
    lsp = await startLsp({ build: { flags: ['-DFEATURE_X'] } }, (conn) => {
      conn.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => settings));
      return { workspace: { configuration: true } };
    });
    lsp.conn.onNotification(INACTIVE_REGIONS_NOTIFICATION, (p: InactiveRegionsParams) => {
      received.push(p);
      waiting?.();
    });
  });
  after(async () => {
    await lsp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('#if 0, the #ifndef that -DFEATURE_X kills, and the arm64 and #else branches on x86_64', async () => {
    const uri = await lsp.open(join(dir, 'inactive.bpf.c'), SOURCE);
    const p = await next(1);
    assert.equal(p.uri, uri);
    assert.equal(p.version, 1);
    assert.deepEqual(lines(p, SOURCE), ['3-4', '7-7', '15-15', '17-17']);
  });

  test('an edit that changes them sends them again', async () => {
    const uri = received[0].uri;
    const edited = SOURCE.replace('#if 0', '#if 1');
    await lsp.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }] });
    const p = await next(2);
    assert.equal(p.version, 2);
    assert.deepEqual(lines(p, edited), ['7-7', '15-15', '17-17']);
  });

  test('a change of ebpf.build.flags parses the document again: without -DFEATURE_X its #ifndef is live', async () => {
    settings = { build: { flags: [] } };
    await lsp.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    const p = await next(3);
    assert.deepEqual(lines(p, SOURCE.replace('#if 0', '#if 1')), ['15-15', '17-17']);
  });

  test('a new compile_commands.json, announced as a watched file, decides again: its -DFEATURE_X kills the #ifndef', async () => {
    const ccdb = join(dir, 'compile_commands.json');
    writeFileSync(ccdb, JSON.stringify([{ directory: dir, file: 'inactive.bpf.c', arguments: ['clang', '-DFEATURE_X', '-c', 'inactive.bpf.c'] }]));
    await lsp.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: `file://${ccdb}`, type: FileChangeType.Created }] });
    const p = await next(4);
    assert.deepEqual(lines(p, SOURCE.replace('#if 0', '#if 1')), ['7-7', '15-15', '17-17']);
  });
});
