/* util.h: cleanup attributes, ownership hand-off, checked allocation and a
 * growable string buffer; the small vocabulary every other file speaks. */
#ifndef ISOLAB_UTIL_H
#define ISOLAB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define ISOLAB_VERSION "0.1.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void util_free_p(void *p);
void util_close_p(int *fd);
void util_fclose_p(FILE **f);
void util_kill_pid_p(pid_t *pid);

/* Scope-bound ownership, as in bubblewrap and crun. */
#define cleanup_free __attribute__((cleanup(util_free_p)))
#define cleanup_close __attribute__((cleanup(util_close_p)))
#define cleanup_file __attribute__((cleanup(util_fclose_p)))
#define cleanup_pid __attribute__((cleanup(util_kill_pid_p)))

static inline void *util_steal_pointer(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) ((__typeof__(*(pp)))util_steal_pointer(pp))

static inline int util_steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

/* Allocation failure is not an error isolab can report usefully: abort. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable, always NUL-terminated byte buffer. */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};
#define STRBUF_INIT {NULL, 0, 0}
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void strbuf_addc(struct strbuf *sb, char c);
char *strbuf_detach(struct strbuf *sb);
/* Read fd to its end into *out (NUL-terminated, "" when empty; *len when
 * len is not NULL). -1 with errno on a read error, *out untouched. */
int util_read_fd(int fd, char **out, size_t *len);
/* The same for a file by path (opened O_CLOEXEC). */
int util_read_path(const char *path, char **out, size_t *len);
/* openat2(2): path resolved under dirfd as resolve (RESOLVE_IN_ROOT,
 * RESOLVE_BENEATH, RESOLVE_NO_SYMLINKS...) says; -1 with errno. */
int util_openat2(int dirfd, const char *path, int flags, unsigned long long resolve);
void strbuf_release(struct strbuf *sb);
/* Empty it, keeping its memory. */
void strbuf_reset(struct strbuf *sb);
const char *strbuf_str(const struct strbuf *sb);

/* Shell-quote one word so that a POSIX shell reads it back unchanged; the
 * argv a learner sees is the argv isolab runs. */
void util_shell_quote(struct strbuf *sb, const char *word);
char *util_argv_to_shell(char *const *argv);

bool util_str_has_prefix(const char *s, const char *prefix);
/* True when path equals dir or lies below it, on a component boundary. */
bool util_path_within(const char *path, const char *dir);

/* A NULL-terminated argv that owns its strings. */
struct argv {
	char **v;
	size_t n;
	size_t cap;
};
#define ARGV_INIT {NULL, 0, 0}
void argv_push(struct argv *a, const char *s);
void argv_pushf(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void argv_push_all(struct argv *a, char *const *v);
void argv_free(struct argv *a);
/* The words of a, with sep between them; a new string ("" for none). */
char *argv_join(const struct argv *a, const char *sep);

/* Monotonic milliseconds. */
long long util_now_ms(void);

#endif
