// ebpf-verify: loads a BPF object into the kernel the way libbpf users do (the whole object: maps shared,
// tail-call slots filled), reports what the verifier said about every program as JSON, and unloads it.
// Node cannot call bpf(2), so the extension builds this with gcc and libbpf on the user's machine.
// Nothing is pinned or attached; everything lives in file descriptors, so even a timeout (alarm) or a
// signal that ends the process leaves nothing loaded.
//
// When the whole object fails, libbpf stops at the first program that fails and names it in its
// messages. That program is rejected; the others are loaded again from a copy of the object whose
// `.rel.maps` section is renamed (libbpf then fills no prog-array slot, so a rejected tail-call target
// cannot fail the others), without the rejected programs, until the rest loads.
//
// usage: ebpf-verify [--log-level N] [--btf KERNEL.btf] [--timeout SECONDS] [--log-dir DIR] OBJECT
//        ebpf-verify --attach [--timeout SECONDS] OBJECT
// --log-dir writes each program's log to DIR/N.log (N its index) and names the file in the JSON ("logFile")
// instead of embedding the log ("log"): a level-2 log can be hundreds of megabytes.
// --attach loads the whole object, attaches every program that can attach itself (tracepoints...), prints
// one JSON line per program, then waits for SIGINT/SIGTERM (or the timeout) and detaches and unloads.
#include <bpf/libbpf.h>
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_START (16u << 20)
#define LOG_MAX (128u << 20) /* beyond this, keep what the kernel kept: the end of the log (kernels 6.4+) */
#define MAX_PROGS 1024
#define MSGS_SIZE 65536

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

/* libbpf's warnings and infos of the current attempt; the verifier's log goes to the programs' buffers. */
static char libbpf_msgs[MSGS_SIZE];
static size_t libbpf_len;

static int collect(enum libbpf_print_level level, const char *fmt, va_list ap) {
	if (level == LIBBPF_DEBUG) return 0;
	if (libbpf_len < sizeof(libbpf_msgs) - 1) {
		int n = vsnprintf(libbpf_msgs + libbpf_len, sizeof(libbpf_msgs) - libbpf_len, fmt, ap);
		if (n > 0) libbpf_len += (size_t)n < sizeof(libbpf_msgs) - libbpf_len ? (size_t)n : sizeof(libbpf_msgs) - libbpf_len - 1;
	}
	return 0;
}

static void reset_msgs(void) {
	libbpf_len = 0;
	libbpf_msgs[0] = 0;
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

/* What is known about one program of the object. */
struct verdict {
	char *name;
	char *section;
	int decided; /* 1 once rejected (or accepted by the final load) */
	int accepted;
	int err;
	int truncated; /* the log did not fit even in the largest buffer */
	char *log;
	unsigned log_size;
	char *msgs;
	const char *mode; /* "object": the whole object loaded; "isolated": reloaded without the rejected ones */
};

static struct verdict progs[MAX_PROGS];
static int nprogs;
static const char *log_dir;
static volatile sig_atomic_t printing;
static void print_verdicts(void);

/* The timeout: report what is known, the program being verified as timed out, and leave. */
static void on_timeout(int sig) {
	(void)sig;
	if (!printing) {
		for (int i = 0; i < nprogs; i++)
			if (!progs[i].decided) progs[i].err = -ETIME;
		print_verdicts();
	}
	_exit(0);
}

static char *read_file(const char *path, size_t *size) {
	FILE *f = fopen(path, "rb");
	if (!f) return NULL;
	char *buf = NULL;
	size_t cap = 0, len = 0, n;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			char *nb = realloc(buf, cap);
			if (!nb) { free(buf); fclose(f); return NULL; }
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	*size = len;
	return buf;
}

/* Renames `.rel.maps` to `.reL.maps` in a copy of the ELF image, so libbpf sees no slot initialisation. */
static void drop_slot_init(char *elf, size_t size) {
	if (size < sizeof(Elf64_Ehdr) || memcmp(elf, ELFMAG, SELFMAG) || elf[EI_CLASS] != ELFCLASS64) return;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)elf;
	if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shstrndx >= eh->e_shnum) return;
	if (eh->e_shoff > size || (size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum) return;
	Elf64_Shdr *sh = (Elf64_Shdr *)(elf + eh->e_shoff);
	Elf64_Shdr *strs = &sh[eh->e_shstrndx];
	if (strs->sh_offset > size || strs->sh_size > size - strs->sh_offset) return;
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_REL || sh[i].sh_name + sizeof(".rel.maps") > strs->sh_size) continue;
		char *name = elf + strs->sh_offset + sh[i].sh_name;
		if (!strcmp(name, ".rel.maps")) name[3] = 'L';
	}
}

/* An undecided program named in a `prog 'NAME': <what>` warning of this attempt, or -1. */
static int named_program(const char *what) {
	for (const char *s = libbpf_msgs; (s = strstr(s, "prog '")) != NULL; s++) {
		const char *name = s + 6, *end = strstr(name, "': ");
		const char *eol = strchr(name, '\n');
		if (!end || (eol && eol < end) || (what && strncmp(end + 3, what, strlen(what)))) continue;
		for (int i = 0; i < nprogs; i++)
			if (!progs[i].decided && strlen(progs[i].name) == (size_t)(end - name) && !strncmp(progs[i].name, name, end - name)) return i;
	}
	return -1;
}

/* The program the load failed at: libbpf says `prog 'NAME': failed to load: -N` for it; else the one it names. */
static int blamed_program(void) {
	int i = named_program("failed to load: ");
	return i >= 0 ? i : named_program(NULL);
}

static struct bpf_object *open_object(const char *path, const char *btf, const char *mem, size_t size) {
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf, .object_name = path);
	return mem ? bpf_object__open_mem(mem, size, &opts) : bpf_object__open_file(path, &opts);
}

/*
 * One load of the object without the programs already decided. Returns 0 when it loaded, else the
 * negative error; *blamed is the program libbpf named (-1 when none). A program whose log did not fit
 * gets a bigger buffer and the load is repeated, as the kernel's ENOSPC asks.
 */
static int load_once(const char *path, const char *btf, const char *mem, size_t size, int level, int *blamed) {
	for (;;) {
		struct bpf_object *obj = open_object(path, btf, mem, size);
		if (!obj) return -errno;
		struct bpf_map *m;
		bpf_object__for_each_map(m, obj) bpf_map__set_pin_path(m, NULL); /* never pin */
		struct bpf_program *p;
		int i = 0;
		bpf_object__for_each_program(p, obj) {
			struct verdict *v = &progs[i++];
			bpf_program__set_autoload(p, !v->decided);
			if (v->decided) continue;
			v->log[0] = 0;
			bpf_program__set_log_buf(p, v->log, v->log_size);
			bpf_program__set_log_level(p, level);
		}
		reset_msgs();
		int err = bpf_object__load(obj) ? -errno : 0;
		int grew = 0;
		*blamed = err ? blamed_program() : -1;
		if (err == -ENOSPC && *blamed >= 0 && progs[*blamed].log_size < LOG_MAX) {
			struct verdict *v = &progs[*blamed];
			unsigned next = LOG_MAX; /* libbpf 1.1 cannot ask the kernel for the size it needs (log_true_size) */
			char *bigger = realloc(v->log, next);
			if (bigger) {
				v->log = bigger;
				v->log_size = next;
				grew = 1;
			}
		} else if (err == -ENOSPC && *blamed >= 0) {
			progs[*blamed].truncated = 1;
		}
		if (!err) {
			i = 0;
			bpf_object__for_each_program(p, obj) {
				struct verdict *v = &progs[i++];
				if (v->decided) continue;
				v->decided = v->accepted = 1;
				v->msgs = strdup(libbpf_msgs);
			}
		}
		bpf_object__close(obj); /* unloads the programs and frees the maps */
		if (!grew) return err;
	}
}

/* DIR/N.log with the program's log; the JSON names it. */
static void write_log(int i, char *path, size_t size) {
	snprintf(path, size, "%s/%d.log", log_dir, i);
	FILE *f = fopen(path, "w");
	if (!f) {
		path[0] = 0;
		return;
	}
	fwrite(progs[i].log, 1, strnlen(progs[i].log, progs[i].log_size), f);
	fclose(f);
}

static void print_verdicts(void) {
	printing = 1;
	printf("[");
	for (int i = 0; i < nprogs; i++) {
		struct verdict *v = &progs[i];
		char path[4096];
		printf("%s{\"name\":", i ? "," : "");
		json_string(v->name);
		printf(",\"section\":");
		json_string(v->section);
		printf(",\"accepted\":%s,\"errno\":%d,\"euid\":%d,\"mode\":\"%s\",\"truncated\":%s,", v->accepted ? "true" : "false",
		       v->err < 0 ? -v->err : v->err, (int)geteuid(), v->mode, v->truncated ? "true" : "false");
		if (log_dir) {
			write_log(i, path, sizeof(path));
			printf("\"logFile\":");
			json_string(path);
		} else {
			printf("\"log\":");
			json_string(v->log);
		}
		printf(",\"libbpf\":");
		json_string(v->msgs ? v->msgs : "");
		printf("}");
	}
	printf("]\n");
	fflush(stdout);
}

static int verify(const char *path, const char *btf, int level) {
	struct bpf_object *probe = open_object(path, btf, NULL, 0);
	if (!probe) {
		fprintf(stderr, "cannot open %s: %s\n%s", path, strerror(errno), libbpf_msgs);
		return 2;
	}
	struct bpf_program *p;
	bpf_object__for_each_program(p, probe) {
		if (nprogs == MAX_PROGS) break;
		struct verdict *v = &progs[nprogs++];
		v->name = strdup(bpf_program__name(p));
		v->section = strdup(bpf_program__section_name(p));
		v->log_size = LOG_START;
		v->log = malloc(v->log_size);
		v->mode = "object";
		if (!v->log) return 2;
		v->log[0] = 0;
	}
	bpf_object__close(probe);

	size_t size = 0;
	char *copy = NULL;
	int blamed, err = load_once(path, btf, NULL, 0, level, &blamed);
	for (int round = 0; err && round <= nprogs; round++) {
		if (blamed >= 0) {
			progs[blamed].decided = 1;
			progs[blamed].err = err;
			progs[blamed].msgs = strdup(libbpf_msgs);
		}
		if (!copy) {
			copy = read_file(path, &size);
			if (!copy) break;
			drop_slot_init(copy, size);
		} else if (blamed < 0) {
			break; /* the copy fails and names no program: the object itself is the problem */
		}
		for (int i = 0; i < nprogs; i++)
			if (!progs[i].decided) progs[i].mode = "isolated";
		err = load_once(path, btf, copy, size, level, &blamed);
	}
	/* Programs still undecided share the object's failure, with libbpf's reason. */
	for (int i = 0; i < nprogs; i++) {
		struct verdict *v = &progs[i];
		if (v->decided) continue;
		v->err = err;
		v->msgs = strdup(libbpf_msgs);
	}
	print_verdicts();
	free(copy);
	return 0;
}

int main(int argc, char **argv) {
	int level = 1, timeout = 60, attach = 0;
	const char *btf = NULL, *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--log-level") && i + 1 < argc) level = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--btf") && i + 1 < argc) btf = argv[++i];
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) timeout = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--log-dir") && i + 1 < argc) log_dir = argv[++i];
		else if (!strcmp(argv[i], "--attach")) attach = 1;
		else path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "usage: ebpf-verify [--log-level N] [--btf KERNEL.btf] [--timeout S] [--log-dir DIR] OBJECT\n");
		return 2;
	}
	libbpf_set_print(collect);
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	if (attach) return run_attached(path, timeout);
	signal(SIGALRM, on_timeout);
	alarm(timeout);
	return verify(path, btf, level);
}
