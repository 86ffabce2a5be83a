// Helpers whose result the verifier types "or NULL" (their prototypes return RET_PTR_TO_*_OR_NULL or
// carry PTR_MAYBE_NULL in the kernel's helper definitions): the program must compare it with NULL before
// reading through it, or the verifier refuses the load ("invalid mem access '..._or_null'").
export const MAYBE_NULL_HELPERS: ReadonlySet<string> = new Set([
  'map_lookup_elem', 'map_lookup_percpu_elem', 'ringbuf_reserve',
  'sk_storage_get', 'inode_storage_get', 'task_storage_get', 'cgrp_storage_get',
  'sk_lookup_tcp', 'sk_lookup_udp', 'skc_lookup_tcp', 'sk_fullsock', 'tcp_sock', 'get_listener_sock',
  'skc_to_tcp_sock', 'skc_to_tcp6_sock', 'skc_to_udp6_sock', 'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock',
  'skc_to_unix_sock', 'skc_to_mptcp_sock', 'sock_from_file', 'per_cpu_ptr', 'dynptr_data',
]);
