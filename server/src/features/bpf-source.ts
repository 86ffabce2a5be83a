// Which C files the language service speaks about. Many projects name their eBPF programs `*.c` (cilium,
// falco, libxdp's examples) next to the user-space C that loads them, where clangd already answers. A
// `.bpf.c`/`.bpf.h` is always eBPF, and so is a kernel type view; another C file only when its own text says so: a SEC() program, a
// BPF-side libbpf header or vmlinux.h included, or BCC's macros. A loader that includes <bpf/libbpf.h>
// is user space and gets nothing from us.
import { analyseBcc, isBccSource } from '../bcc/analyse';
import type { BccProgram } from '../bcc/model';
import { LIBBPF_HEADERS } from '../bcc/tables';
import type { CDocument } from '../csource/model';
import { BTF_VIEW_SCHEME } from './btf-view-uri';
import { ParsedFile } from './service-context';

const BPF_FILE_NAME = /\.bpf\.[ch]$/;

export function isBpfSource(file: ParsedFile): boolean {
  const { doc, model, tree } = file;
  if (BPF_FILE_NAME.test(doc.uri) || doc.uri.startsWith(`${BTF_VIEW_SCHEME}:`)) return true;
  return isLibbpfCode(model) || isBccSource(tree, doc.getText(), bccProgramOf(file));
}

/** A SEC() or a BPF-side libbpf header: libbpf code, never BCC, answered from the model alone. */
export function isLibbpfCode(model: CDocument): boolean {
  return model.sections.length > 0 || [...model.includes, ...model.systemIncludes].some((path) => LIBBPF_HEADERS.test(path));
}

// One BCC reading per parse: deciding whether a file is eBPF and the bcc rule both need it.
const bccPrograms = new WeakMap<ParsedFile['tree'], BccProgram>();

/** The file's BCC constructs, read once per tree (a parse makes a new tree). */
export function bccProgramOf(file: ParsedFile): BccProgram {
  let program = bccPrograms.get(file.tree);
  if (!program) bccPrograms.set(file.tree, (program = analyseBcc(file.tree, file.doc.getText())));
  return program;
}
