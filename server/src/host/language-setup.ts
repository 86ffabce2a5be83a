// A language service for this machine, set up the same way for the language server and the CLI: the
// kernels, libbpf's helper docs and version from the include path, the running kernel's tracefs events.
import { buildModel, CDocument } from '../csource/model';
import { SeverityOverrides } from '../features/diagnostics/codes';
import { CParser, Tree } from '../csource/parser';
import { helperDefsOnDemand } from '../features/helper-docs';
import { LanguageService, getLanguageService } from '../features/language-service';
import { ParsedFile, ServiceContext, parsedFile } from '../features/service-context';
import { ok, Result } from '../result';
import { Loader } from '../sections/loaders';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { readLibbpfVersion } from './libbpf-version';
import { KernelSpec, loadKernelSet } from './load-kernels';
import { CompileCommands } from './compile-commands';
import { ProjectHeaders } from './project-headers';
import { detectFileLoader } from './loader-detection';
import { findHelperDefs } from './source-files';
import { runningKernelEvents } from './tracefs-events';

export interface ServiceSpec {
  kernels: KernelSpec;
  includeDirs: string[];
  severity?: SeverityOverrides;
  /** The loader the user named; detected per file when unset. */
  loader?: Loader;
}

/** The service, and the kernel files that could not be read (lenient mode only). */
export async function setUpLanguageService(spec: ServiceSpec, mode: 'strict' | 'lenient'): Promise<Result<{ service: LanguageService; errors: string[] }>> {
  const loaded = await loadKernelSet(spec.kernels, mode);
  if (!loaded.ok) return loaded;
  const { kernels, errors } = loaded.value;
  const service = getLanguageService({ ...serviceFacts(spec), kernels, tracefs: runningKernelEvents(kernels.all) });
  return ok({ service, errors });
}

/** What a service knows besides its kernels: libbpf's helper docs and version, the user's choices (check --btf-dir makes one service per kernel from them). */
export function serviceFacts(spec: Omit<ServiceSpec, 'kernels'>): Omit<ServiceContext, 'kernels'> {
  return {
    helpers: helperDefsOnDemand(() => findHelperDefs(spec.includeDirs)?.text),
    libbpfVersion: readLibbpfVersion(spec.includeDirs),
    severity: spec.severity,
    loader: spec.loader,
  };
}

/**
 * The project headers and the build for this machine, for the server and the CLI alike: a file is
 * preprocessed with its entry in the nearest compile_commands.json, then `buildFlags` (ebpf.build.flags,
 * the CLI's -D/-U), which come later on the command line as Build puts them, so they win.
 */
export function projectHeaders(
  parser: CParser, includeDirs: () => string[], buildFlags: () => readonly string[], log: (msg: string) => void, arch: string = process.arch,
): ProjectHeaders {
  const database = new CompileCommands(log);
  return new ProjectHeaders(parser, includeDirs, log, arch, (path) => [...database.argumentsFor(path), ...buildFlags()]);
}

/** A source file parsed once: its tree, its model and the structs of the project headers it includes. */
export function parseSource(parser: CParser, headers: ProjectHeaders, doc: TextDocument, path: string | undefined, previous?: Tree): ParsedFile {
  const text = doc.getText();
  // With the previous tree (already edited), tree-sitter re-parses only what changed.
  const tree = parser.parse(text, previous);
  if (previous && previous !== tree) previous.delete();
  const model: CDocument = buildModel(tree, text, headers.preprocessorFor(path));
  return parsedFile(doc, tree, model, headers.structsFor(path, model.includes), detectFileLoader(path, [...model.includes, ...model.systemIncludes]));
}
