// The server's own messages beside LSP, shared by the server and the VS Code client (types and names only).
import type { Diagnostic, Range } from 'vscode-languageserver-types';
import type { ConversionReport } from '../host/convert-bcc';
import type { PortabilityMatrix } from '../relocs/portability';

/** Server -> client: which kernel is described, and the targets, after every (re)load. */
export const STATUS_NOTIFICATION = 'ebpf/status';
export interface StatusParams {
  described: string;
  bundled: boolean;
  types: number;
  targets: string[];
  errors: string[];
}

/** Server -> client, after every parse of an open document: the lines of its inactive #if branches, to fade (sent when they change). */
export const INACTIVE_REGIONS_NOTIFICATION = 'ebpf/inactiveRegions';
export interface InactiveRegionsParams {
  uri: string;
  version: number;
  regions: Range[];
}

/** Client -> server: the C text of a kernel type's read-only view (`ebpf-btf:` URIs). */
export const BTF_VIEW_REQUEST = 'ebpf/btfView';

/** Client -> server, after a build: a built object's CO-RE relocations against the configured kernels. */
export const OBJECT_RELOCATIONS_REQUEST = 'ebpf/objectRelocations';
export interface ObjectRelocationsParams {
  object: string;
}
export interface ObjectRelocationsResult {
  /** Set when the object cannot be read; nothing else is then. */
  error?: string;
  matrix?: PortabilityMatrix;
  /** Diagnostics per source file URI, for the relocations libbpf cannot apply on some kernel. */
  diagnostics?: { uri: string; diagnostics: Diagnostic[] }[];
}

/** Client -> server: a BCC program (.py or .c, the editor's text) converted to libbpf; the client writes `out`. */
export const CONVERT_BCC_REQUEST = 'ebpf/convertBcc';
export interface ConvertBccParams {
  path: string;
  text: string;
  out: string;
  /** For C: the Python tool that loads it (its attach calls name the sections, its substitutions the configuration). */
  python?: string;
}
export interface ConvertBccResult {
  /** Set when the file holds no BCC program to convert; nothing else is then. */
  error?: string;
  /** The converted file's text. */
  text?: string;
  report?: ConversionReport;
}
