// What every feature of the language service works from: the kernels, libbpf's helper docs and the
// machine's facts the edges found (passed in, never read here), and a parsed file.
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CDocument, CStruct } from '../csource/model';
import { Tree } from '../csource/parser';
import { Kernel, KernelSet } from '../kernels/kernel';
import type { Loader } from '../sections/loaders';
import type { SeverityOverrides } from './diagnostics/codes';
import { Scope } from './expression';
import { HelperDoc } from './helper-docs';
import { TypeEnv } from './types';

/** The running kernel's tracepoint events, from tracefs: BTF names event classes, not events. */
export interface TracefsEvents {
  /** The label of the kernel the events belong to (the running one). */
  kernel: string;
  hasEvent(category: string, name: string): boolean;
  /** Every `category/name`, for completion. */
  list(): string[];
}

export interface ServiceContext {
  kernels: KernelSet;
  helpers: Map<string, HelperDoc>;
  /** Layouts longer than this many lines are cut in hovers, with a link to the full view. */
  maxHoverLines?: number;
  /** `major.minor` of the libbpf headers on the include path, when found. */
  libbpfVersion?: string;
  /** The running kernel's tracefs events, when it is among the kernels and tracefs is mounted. */
  tracefs?: TracefsEvents;
  /** The user's severities by diagnostic code. */
  severity?: SeverityOverrides;
  /** The loader the user named (`ebpf.loader`, `--loader`), over the one detected per file. */
  loader?: Loader;
  /**
   * Kernels that also say which called names are helpers and kfuncs, though not checked: check --btf-dir
   * checks one kernel at a time, and a kfunc that kernel lacks must still be known as one.
   */
  callKinds?: readonly Kernel[];
}

export interface ParsedFile {
  doc: TextDocument;
  tree: Tree;
  model: CDocument;
  /** The structs the file can name: its project headers', then its own (which win), keyed `struct name`. */
  structs: Map<string, CStruct>;
  /** The loader its project uses, as detected around the file (go.mod, Cargo.toml, includes); libbpf when unset. */
  loader?: Loader;
}

/** A parsed file, with the structs of the project headers it includes merged once, under its own. */
export function parsedFile(doc: TextDocument, tree: Tree, model: CDocument, headerStructs: Map<string, CStruct>, loader?: Loader): ParsedFile {
  const structs = new Map(headerStructs);
  for (const [key, struct] of model.structs) structs.set(key, struct);
  return { doc, tree, model, structs, loader };
}

/** The loader whose rules a file is checked by: the user's choice, else the detected one, else libbpf. */
export function loaderOf(ctx: ServiceContext, file: ParsedFile): Loader {
  return ctx.loader ?? file.loader ?? 'libbpf';
}

/** Types as the described kernel and the file's own structs give them. */
export function describedEnv(ctx: ServiceContext, file: ParsedFile): TypeEnv {
  return { btf: ctx.kernels.described.btf, structs: file.structs };
}

export function scopeAt(ctx: ServiceContext, file: ParsedFile, offset: number): Scope {
  return { doc: file.model, tree: file.tree, env: describedEnv(ctx, file), offset };
}
