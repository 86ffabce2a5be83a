// Diagnostics figures for issue 4: `check` of a 1,000-line file against three target kernels, once the
// kernels are indexed (median of 10, in process, bundled code).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseBtf } from '../../server/src/btf/parse';
import { buildModel } from '../../server/src/csource/model';
import { CParser } from '../../server/src/csource/parser';
import { getLanguageService } from '../../server/src/features/language-service';
import { parsedFile } from '../../server/src/features/service-context';
import { kernelSet } from '../../server/src/kernels/kernel';
import { unpackBtf } from '../../server/src/container/unpack';
import { thousandLineFile } from '../support/generated-source';
import { nowMs, report, stats } from './measure';
import { corpusBench } from './corpus-bench';
import { relocsBench } from './relocs-bench';

const KERNELS = ['6.1.0-56-amd64', '6.12.117+deb12-amd64', '6.18.44-fc-v669'];

export async function checkBench(repoRoot: string): Promise<void> {
  const shared = join(repoRoot, '../shared/btf');
  if (!existsSync(shared)) {
    process.stdout.write('Diagnostics: skipped: ../shared/btf is absent\n');
    return;
  }
  const kernels = [];
  for (const k of KERNELS) {
    const file = join(shared, `${k}.btf.xz`);
    const u = await unpackBtf(readFileSync(file), file);
    if (!u.ok) throw new Error(u.error);
    const r = parseBtf(u.value.btf, { source: file });
    if (!r.ok) throw new Error(r.error);
    kernels.push({ label: k, source: file, btf: r.value, raw: u.value.btf });
  }
  const parser = await CParser.create({
    runtime: readFileSync(join(repoRoot, 'node_modules/web-tree-sitter/tree-sitter.wasm')),
    language: readFileSync(join(repoRoot, 'node_modules/tree-sitter-c/tree-sitter-c.wasm')),
  });
  const text = thousandLineFile();
  const doc = TextDocument.create('file:///bench.bpf.c', 'c', 1, text);
  const service = getLanguageService({ kernels: kernelSet(kernels[0], kernels.slice(1)), helpers: new Map() });
  const times: number[] = [];
  let findings = 0;
  for (let i = 0; i < 12; i++) {
    const t0 = nowMs();
    const tree = parser.parse(text);
    findings = service.diagnostics(parsedFile(doc, tree, buildModel(tree, text), new Map())).length;
    if (i >= 2) times.push(nowMs() - t0);
    tree.delete();
  }
  process.stdout.write(`Diagnostics of a ${text.split('\n').length}-line file against ${kernels.length} kernels (${findings} findings)\n`);
  report('parse + check, median of 10 (kernels indexed)', stats(times).median, 'ms', 50);
  corpusBench(kernels, parser);
  relocsBench(repoRoot, kernels);
}
