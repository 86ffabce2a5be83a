// `check` of the whole real-world corpus (../shared/corpus, 17 projects), files per second: each project's
// programs parsed with their include paths as test/corpus/projects.ts builds them and checked with the
// project's loader against the bench's kernels, in process (the CLI's work without its start-up).
import { TextDocument } from 'vscode-languageserver-textdocument';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { CParser } from '../../server/src/csource/parser';
import { parseHelperDefs } from '../../server/src/features/helper-docs';
import { getLanguageService } from '../../server/src/features/language-service';
import { parseSource, projectHeaders } from '../../server/src/host/language-setup';
import { findHelperDefs } from '../../server/src/host/source-files';
import { Kernel, kernelSet } from '../../server/src/kernels/kernel';
import { PROJECTS, batchesOf, corpusSkip } from '../corpus/projects';
import { nowMs, report } from './measure';

/** vmlinux.h is never parsed (kernel types come from BTF), so the bench needs no generated one. */
const NO_VMLINUX_DIR = join(tmpdir(), 'ebpf-bench-no-vmlinux');

export function corpusBench(kernels: Kernel[], parser: CParser): void {
  if (corpusSkip) {
    process.stdout.write(`  check of the corpus: skipped: ${corpusSkip}\n`);
    return;
  }
  const defs = findHelperDefs([]);
  const helpers = defs ? parseHelperDefs(defs.text) : new Map();
  let files = 0;
  let findings = 0;
  const t0 = nowMs();
  for (const project of PROJECTS) {
    const service = getLanguageService({ kernels: kernelSet(kernels[0], kernels.slice(1)), helpers, loader: project.loader });
    for (const batch of batchesOf(project, NO_VMLINUX_DIR)) {
      const headers = projectHeaders(parser, () => batch.includes, () => [], () => undefined);
      for (const program of batch.programs) {
        const text = readFileSync(program.file, 'utf8');
        const parsed = parseSource(parser, headers, TextDocument.create(`file://${program.file}`, 'c', 1, text), program.file);
        findings += service.diagnostics(parsed).length;
        parsed.tree.delete();
        files++;
      }
    }
  }
  const seconds = (nowMs() - t0) / 1000;
  report(`check of the corpus: ${files} files in ${seconds.toFixed(1)} s (${findings} findings)`, files / seconds, 'files/s');
}
