// CO-RE relocation kinds (enum bpf_core_relo_kind in the kernel's uapi bpf.h), with libbpf's names
// (core_relo_kind_str) and the three families libbpf treats differently.
export type ReloFamily = 'field' | 'type' | 'enumval';

export interface ReloKind {
  value: number;
  name: string;
  family: ReloFamily;
}

/** enum bpf_core_relo_kind. */
export enum RelocationKind {
  FieldByteOffset = 0,
  FieldByteSize = 1,
  FieldExists = 2,
  FieldSigned = 3,
  FieldLshiftU64 = 4,
  FieldRshiftU64 = 5,
  TypeIdLocal = 6,
  TypeIdTarget = 7,
  TypeExists = 8,
  TypeSize = 9,
  EnumvalExists = 10,
  EnumvalValue = 11,
  TypeMatches = 12,
}

/** Indexed by kind value; the names are libbpf's, as bpftool's debug log prints them (tested). */
export const RELO_KINDS: readonly ReloKind[] = [
  { value: RelocationKind.FieldByteOffset, name: 'byte_off', family: 'field' },
  { value: RelocationKind.FieldByteSize, name: 'byte_sz', family: 'field' },
  { value: RelocationKind.FieldExists, name: 'field_exists', family: 'field' },
  { value: RelocationKind.FieldSigned, name: 'signed', family: 'field' },
  { value: RelocationKind.FieldLshiftU64, name: 'lshift_u64', family: 'field' },
  { value: RelocationKind.FieldRshiftU64, name: 'rshift_u64', family: 'field' },
  { value: RelocationKind.TypeIdLocal, name: 'local_type_id', family: 'type' },
  { value: RelocationKind.TypeIdTarget, name: 'target_type_id', family: 'type' },
  { value: RelocationKind.TypeExists, name: 'type_exists', family: 'type' },
  { value: RelocationKind.TypeSize, name: 'type_size', family: 'type' },
  { value: RelocationKind.EnumvalExists, name: 'enumval_exists', family: 'enumval' },
  { value: RelocationKind.EnumvalValue, name: 'enumval_value', family: 'enumval' },
  { value: RelocationKind.TypeMatches, name: 'type_matches', family: 'type' },
];

/** Kinds whose value only tells whether something exists: an unresolved one is an answer, not a failure. */
export function isExistenceKind(kind: number): boolean {
  return (
    kind === RelocationKind.FieldExists ||
    kind === RelocationKind.TypeExists ||
    kind === RelocationKind.TypeMatches ||
    kind === RelocationKind.EnumvalExists
  );
}
