// ebpf-verify: loads each BPF program of an object into the kernel on its own, reports what the verifier
// said as JSON, and unloads it. Node cannot call bpf(2), so the extension builds this with gcc and
// libbpf on the user's machine. Nothing is pinned or attached; everything lives in file descriptors,
// so even a timeout (alarm) or a signal that ends the process leaves nothing loaded.
//
// usage: ebpf-verify [--log-level N] [--btf KERNEL.btf] [--timeout SECONDS] OBJECT
//        ebpf-verify --attach [--timeout SECONDS] OBJECT
// --attach loads the whole object, attaches every program that can attach itself (tracepoints...), prints
// one JSON line per program, then waits for SIGINT/SIGTERM (or the timeout) and detaches and unloads.
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_SIZE (16u << 20)

static void json_string(const char *s) {
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') printf("\\%c", c);
		else if (c == '\n') fputs("\\n", stdout);
		else if (c == '\t') fputs("\\t", stdout);
		else if (c < 0x20) printf("\\u%04x", c);
		else putchar(c);
	}
	putchar('"');
}

static char libbpf_msgs[65536];
static size_t libbpf_len;

static int collect(enum libbpf_print_level level, const char *fmt, va_list ap) {
	if (level == LIBBPF_DEBUG) return 0;
	if (libbpf_len < sizeof(libbpf_msgs) - 1) {
		int n = vsnprintf(libbpf_msgs + libbpf_len, sizeof(libbpf_msgs) - libbpf_len, fmt, ap);
		if (n > 0) libbpf_len += (size_t)n < sizeof(libbpf_msgs) - libbpf_len ? (size_t)n : sizeof(libbpf_msgs) - libbpf_len - 1;
	}
	return 0;
}

static struct bpf_object *open_object(const char *path, const char *btf) {
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf);
	return bpf_object__open_file(path, &opts);
}

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

/* Load and attach everything, report, and hold until told to stop; links and fds die with the object. */
static int run_attached(const char *path, int timeout) {
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		return 2;
	}
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) bpf_map__set_pin_path(m, NULL); /* never pin */
	if (bpf_object__load(obj)) {
		fprintf(stderr, "cannot load %s: %s\n%s", path, strerror(errno), libbpf_msgs);
		bpf_object__close(obj);
		return 1;
	}
	struct bpf_program *p;
	struct bpf_link *links[256];
	int n = 0;
	bpf_object__for_each_program(p, obj) {
		struct bpf_link *l = bpf_program__attach(p);
		int e = l ? 0 : errno;
		printf("{\"name\":");
		json_string(bpf_program__name(p));
		printf(",\"section\":");
		json_string(bpf_program__section_name(p));
		printf(",\"attached\":%s,\"errno\":%d}\n", l ? "true" : "false", e);
		fflush(stdout);
		if (l && n < 256) links[n++] = l;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGALRM, on_signal);
	alarm(timeout);
	while (!stop) pause();
	for (int i = 0; i < n; i++) bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv) {
	int level = 1, timeout = 60, attach = 0;
	const char *btf = NULL, *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--log-level") && i + 1 < argc) level = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--btf") && i + 1 < argc) btf = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) timeout = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--attach")) attach = 1;
		else path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: ebpf-verify [--log-level N] [--btf KERNEL.btf] [--timeout S] OBJECT\n");
		return 2;
	}
	libbpf_set_print(collect);
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	if (attach) return run_attached(path, timeout);
	alarm(timeout);

	struct bpf_object *probe = open_object(path, btf);
	if (!probe) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		return 2;
	}
	char *log = malloc(LOG_SIZE);
	if (!log) return 2;
	struct bpf_program *p;
	int n = 0, first = 1;
	bpf_object__for_each_program(p, probe) n++;
	printf("[");
	for (int idx = 0; idx < n; idx++) {
		/* A fresh object per program: one rejected program must not hide the others' verdicts. */
		struct bpf_object *obj = open_object(path, btf);
		if (!obj) break;
		struct bpf_program *target = NULL;
		int k = 0;
		bpf_object__for_each_program(p, obj) {
			bool mine = k++ == idx;
			bpf_program__set_autoload(p, mine);
			if (mine) target = p;
		}
		struct bpf_map *m;
		bpf_object__for_each_map(m, obj) bpf_map__set_pin_path(m, NULL); /* never pin */
		log[0] = 0;
		bpf_program__set_log_buf(target, log, LOG_SIZE);
		bpf_program__set_log_level(target, level);
		libbpf_len = 0;
		libbpf_msgs[0] = 0;
		int err = bpf_object__load(obj);
		int e = err ? errno : 0;
		printf("%s{\"name\":", first ? "" : ",");
		first = 0;
		json_string(bpf_program__name(target));
		printf(",\"section\":");
		json_string(bpf_program__section_name(target));
		printf(",\"accepted\":%s,\"errno\":%d,\"euid\":%d,\"log\":", err ? "false" : "true", e < 0 ? -e : e, (int)geteuid());
		json_string(log);
		printf(",\"libbpf\":");
		json_string(libbpf_msgs);
		printf("}");
		fflush(stdout);
		bpf_object__close(obj); /* unloads the program and frees the maps */
	}
	printf("]\n");
	bpf_object__close(probe);
	free(log);
	return 0;
}
