// The language service in process, for feature tests: built once per set of options over the bundled
// kernel (optionally with the shared kernels as targets) and libbpf's helper docs, plus `at()`, which
// parses a C source with one `|` cursor marker, and `parse()` for sources without one.
//
// Parsing needs tree-sitter's WASM, which loads asynchronously: `await serviceFor()` (in a `before`)
// first, then `at()` and `parse()` are synchronous.
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Position } from 'vscode-languageserver-types';
import { buildModel } from '../../server/src/csource/model';
import { CParser } from '../../server/src/csource/parser';
import { HelperDoc, parseHelperDefs } from '../../server/src/features/helper-docs';
import { LanguageService, getLanguageService } from '../../server/src/features/language-service';
import { ParsedFile, TracefsEvents, parsedFile } from '../../server/src/features/service-context';
import { fileKernel, loadBtfFile, loadBundledKernel } from '../../server/src/host/load-btf';
import { findHelperDefs, readParserWasm } from '../../server/src/host/source-files';
import { Kernel, kernelSet } from '../../server/src/kernels/kernel';
import { SHARED_KERNELS, SharedKernel, haveTool, sharedRaw, sharedSkip, sharedXz } from './kernels';

export interface ServiceOptions {
  /** Shared kernels (../shared/btf) checked against besides the bundled one; needs `sharedSkip` undefined. */
  targets?: readonly SharedKernel[] | 'all';
  /** libbpf's helper docs from /usr/include/bpf/bpf_helper_defs.h (default true; none when absent). */
  helpers?: boolean;
  maxHoverLines?: number;
  libbpfVersion?: string;
  /** A running kernel's tracefs events (a service with these is not cached: each call builds its own). */
  tracefs?: TracefsEvents;
}

/** The URI every test document gets. */
export const TEST_URI = 'file:///test/prog.bpf.c';
export const CURSOR = '|';

/** Why tests whose service has shared kernels as targets cannot run (../shared/btf absent), or undefined. */
export { sharedSkip };

let parserPromise: Promise<CParser> | undefined;
let parser: CParser | undefined;
let bundled: Kernel | undefined;
let helperDocs: Map<string, HelperDoc> | undefined;
const shared = new Map<SharedKernel, Promise<Kernel>>();
const services = new Map<string, Promise<LanguageService>>();

/** The bundled kernel (Debian 6.12), loaded once. */
export function bundledKernel(): Kernel {
  if (!bundled) {
    const r = loadBundledKernel();
    if (!r.ok) throw new Error(`bundled kernel: ${r.error}`);
    bundled = r.value;
  }
  return bundled;
}

/** libbpf's helper docs, read once (empty when libbpf-dev is not installed). */
export function helpers(): Map<string, HelperDoc> {
  if (!helperDocs) {
    const defs = findHelperDefs([]);
    helperDocs = defs ? parseHelperDefs(defs.text) : new Map();
  }
  return helperDocs;
}

/** A shared kernel, labelled as a user's file would be (`6.1.0-56-amd64`), loaded once. */
export function sharedKernel(name: SharedKernel): Promise<Kernel> {
  let p = shared.get(name);
  if (!p) {
    p = (async () => {
      if (sharedSkip) throw new Error(sharedSkip);
      // The raw copy (decompressed by xz, cached) loads twice as fast as the .xz itself.
      const path = haveTool('xz') ? sharedRaw(name) : sharedXz(name);
      const r = await loadBtfFile(path);
      if (!r.ok) throw new Error(`${path}: ${r.error}`);
      return fileKernel(path, r.value);
    })();
    shared.set(name, p);
  }
  return p;
}

async function ensureParser(): Promise<CParser> {
  parserPromise ??= CParser.create(readParserWasm()).then((p) => (parser = p));
  return parserPromise;
}

/** The language service for these options, built once (and the parser `at()`/`parse()` use, made ready). */
export function serviceFor(options: ServiceOptions = {}): Promise<LanguageService> {
  const targets = options.targets === 'all' ? [...SHARED_KERNELS] : [...(options.targets ?? [])];
  const withHelpers = options.helpers ?? true;
  const key = JSON.stringify([targets, withHelpers, options.maxHoverLines, options.libbpfVersion]);
  let s = options.tracefs ? undefined : services.get(key);
  if (!s) {
    s = (async () => {
      await ensureParser();
      const targetKernels = await Promise.all(targets.map(sharedKernel));
      return getLanguageService({
        kernels: kernelSet(bundledKernel(), targetKernels),
        helpers: withHelpers ? helpers() : new Map(),
        maxHoverLines: options.maxHoverLines,
        libbpfVersion: options.libbpfVersion,
        tracefs: options.tracefs,
      });
    })();
    if (!options.tracefs) services.set(key, s);
  }
  return s;
}

function readyParser(): CParser {
  if (!parser) throw new Error('the C parser is not ready: await serviceFor() (e.g. in before()) before at() or parse()');
  return parser;
}

/** A source without a cursor marker, parsed as the language server parses an open document. */
export function parse(source: string, uri = TEST_URI): ParsedFile {
  const doc = TextDocument.create(uri, 'c', 1, source);
  const tree = readyParser().parse(source);
  return parsedFile(doc, tree, buildModel(tree, source), new Map());
}

/**
 * A source with exactly one `|` marking the cursor: the file parsed without the marker, and the cursor's
 * position. (A `|` meant as C's operator cannot be told apart: write sources without one.)
 */
export function at(source: string, uri = TEST_URI): { file: ParsedFile; pos: Position } {
  const offset = source.indexOf(CURSOR);
  if (offset < 0) throw new Error(`no ${CURSOR} cursor marker in the source`);
  if (source.indexOf(CURSOR, offset + 1) >= 0) throw new Error(`more than one ${CURSOR} in the source: mark one cursor only`);
  const file = parse(source.slice(0, offset) + source.slice(offset + 1), uri);
  return { file, pos: file.doc.positionAt(offset) };
}
