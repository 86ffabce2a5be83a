// The decoded BTF model: plain objects linked by type id. Btf.type(id) builds one on first use.
import { Kind } from './wire';

export interface Member {
  name: string;
  type: number;
  /** Offset from the start of the struct, in bits. */
  bitOffset: number;
  /** Bitfield width; 0 when the member is not a bitfield. */
  bitSize: number;
}

export interface EnumValue {
  name: string;
  value: bigint;
}

interface Base<K extends Kind> {
  kind: K;
  id: number;
  name: string;
}

export interface IntType extends Base<Kind.Int> {
  size: number;
  bits: number;
  bitOffset: number;
  signed: boolean;
  char: boolean;
  bool: boolean;
  /** The raw BTF_INT_ENCODING nibble. */
  encoding: number;
}
export interface RefType extends Base<Kind.Ptr | Kind.Typedef | Kind.Volatile | Kind.Const | Kind.Restrict | Kind.TypeTag> {
  type: number;
}
export interface ArrayType extends Base<Kind.Array> {
  type: number;
  indexType: number;
  nelems: number;
}
export interface CompositeType extends Base<Kind.Struct | Kind.Union> {
  size: number;
  kflag: boolean;
  members: Member[];
}
export interface EnumType extends Base<Kind.Enum | Kind.Enum64> {
  size: number;
  signed: boolean;
  values: EnumValue[];
}
export interface FwdType extends Base<Kind.Fwd> {
  union: boolean;
}
export interface FuncType extends Base<Kind.Func> {
  type: number;
  /** 0 static, 1 global, 2 extern. */
  linkage: number;
}
export interface FuncProtoType extends Base<Kind.FuncProto> {
  returnType: number;
  /** A last parameter with name '' and type 0 means `...`. */
  params: { name: string; type: number }[];
}
export interface VarType extends Base<Kind.Var> {
  type: number;
  linkage: number;
}
export interface DatasecType extends Base<Kind.Datasec> {
  size: number;
  vars: { type: number; offset: number; size: number }[];
}
export interface FloatType extends Base<Kind.Float> {
  size: number;
}
export interface DeclTagType extends Base<Kind.DeclTag> {
  type: number;
  /** -1 when the tag applies to the type itself, else the member or parameter index. */
  componentIdx: number;
}
export type VoidType = Base<Kind.Unknown>;

export type BtfType =
  | VoidType | IntType | RefType | ArrayType | CompositeType | EnumType | FwdType | FuncType | FuncProtoType
  | VarType | DatasecType | FloatType | DeclTagType;
