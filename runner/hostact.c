/* hostact.c: a host action's argv made safe to run (hostact.h). openat2's
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS does the walk: a container that
 * can write under {scratch} (a bind of it) can plant a link, and a path
 * handed to cat would follow it out as host root. */
#include "hostact.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HOSTACT_MAX_READ (1u << 20)

static const char *const trusted_dirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin"};

int hostact_find_binary(const char *name, char **path, struct err *e)
{
	for (size_t i = 0; i < ARRAY_SIZE(trusted_dirs); i++) {
		cleanup_free char *p = xasprintf("%s/%s", trusted_dirs[i], name);
		struct stat st;
		if (stat(p, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
		    (st.st_mode & 022) || !(st.st_mode & 0100))
			continue;
		*path = steal_pointer(&p);
		return 0;
	}
	return err_set(e, ERR_SYSTEM, ENOENT,
		       "host action: no root-owned %s in /usr/bin, /bin, /usr/sbin or /sbin", name);
}

static int open_beneath(int dirfd, const char *rel, int flags)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC | O_NOFOLLOW),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
}

/* The part of path below scratch ("." for scratch itself), or NULL. */
static const char *below(const char *path, const char *scratch)
{
	size_t n = strlen(scratch);

	if (strncmp(path, scratch, n) != 0 || (path[n] != '\0' && path[n] != '/'))
		return NULL;
	path += n;
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

static int refuse_path(struct err *e, const char *path, int errnum)
{
	if (errnum == ELOOP || errnum == EXDEV)
		return err_input(e, "host action: %s goes through a link or leaves the scratch dir: "
				    "not read",
				 path);
	return err_set(e, ERR_INPUT, errnum, "host action: cannot open %s", path);
}

/* cat, head: the file's contents, read by isolab, become stdin. */
static int read_into(struct hostact *h, int sfd, const char *path, const char *rel, struct err *e)
{
	cleanup_close int fd = open_beneath(sfd, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	char *data = NULL;
	size_t len = 0;

	if (fd < 0)
		return refuse_path(e, path, errno);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return err_input(e, "host action: %s is not a regular file: not read", path);
	if ((size_t)st.st_size > HOSTACT_MAX_READ)
		return err_input(e, "host action: %s is larger than 1 MiB", path);
	if (util_read_fd(fd, &data, &len) < 0)
		return err_set(e, ERR_SYSTEM, errno, "host action: reading %s", path);
	h->input = xrealloc(h->input, h->input_len + len + 1);
	memcpy(h->input + h->input_len, data, len);
	h->input_len += len;
	h->input[h->input_len] = '\0';
	free(data);
	return 0;
}

/* stat, ls: the working directory is the opened dir (or the file's
 * parent), the operand "." or the last name; neither follows it. */
static int chdir_into(struct hostact *h, int sfd, const char *path, const char *rel, struct err *e)
{
	int fd = open_beneath(sfd, rel, O_PATH | O_DIRECTORY);

	if (fd >= 0 && strcmp(h->argv.v[0], "ls") == 0) {
		h->cwd_fd = fd;
		argv_push(&h->argv, ".");
		return 0;
	}
	if (fd >= 0)
		close(fd);
	const char *slash = strrchr(rel, '/');
	cleanup_free char *parent = slash ? xstrndup(rel, (size_t)(slash - rel)) : xstrdup(".");
	const char *last = slash ? slash + 1 : rel;
	if (strcmp(rel, ".") == 0)
		last = ".";
	if ((fd = open_beneath(sfd, parent, O_PATH | O_DIRECTORY)) < 0)
		return refuse_path(e, path, errno);
	h->cwd_fd = fd;
	if (strcmp(h->argv.v[0], "ls") == 0)
		argv_push(&h->argv, "-d");
	argv_push(&h->argv, last);
	return 0;
}

static bool takes_value(const char *cmd, const char *a)
{
	return a[0] == '-' && a[1] && a[2] == '\0' &&
	       ((strcmp(cmd, "stat") == 0 && a[1] == 'c') ||
		(strcmp(cmd, "head") == 0 && (a[1] == 'c' || a[1] == 'n')));
}

static int prepare_read(char *const *words, const char *scratch, struct hostact *h, struct err *e)
{
	const char *cmd = words[0];
	bool reads = strcmp(cmd, "cat") == 0 || strcmp(cmd, "head") == 0;
	size_t paths = 0;
	cleanup_close int sfd = open(scratch, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (sfd < 0)
		return err_set(e, ERR_SYSTEM, errno, "host action: opening %s", scratch);
	argv_push(&h->argv, cmd);
	for (size_t i = 1; words[i]; i++) {
		const char *a = words[i], *rel;
		if (strcmp(a, "--") == 0)
			continue;
		if (a[0] == '-' && a[1]) {
			argv_push(&h->argv, a);
			if (takes_value(cmd, a) && words[i + 1])
				argv_push(&h->argv, words[++i]);
			continue;
		}
		if (!(rel = below(a, scratch)))
			return err_input(e, "host action: %s is not under the scratch dir", a);
		if (++paths > 1 && !(reads && strcmp(cmd, "cat") == 0))
			return err_input(e, "host action: %s reads one path", cmd);
		if ((reads ? read_into(h, sfd, a, rel, e) : chdir_into(h, sfd, a, rel, e)) < 0)
			return -1;
	}
	return 0;
}

/* nsenter: the command after the options is the host's, by absolute path
 * (no -m into a container: lab.c), so PATH plays no part. */
static int prepare_nsenter(char *const *words, struct hostact *h, struct err *e)
{
	size_t i = 1;

	for (; words[i]; i++) {
		const char *a = words[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-t") == 0 || strcmp(a, "--target") == 0) {
			i++;
			continue;
		}
		if (a[0] != '-')
			break;
	}
	if (!words[i])
		return err_input(e, "host action: nsenter without a command");
	char *cmd;
	if (hostact_find_binary(words[i], &cmd, e) < 0)
		return -1;
	argv_push_all(&h->argv, words);
	free(h->argv.v[i]);
	h->argv.v[i] = cmd;
	return 0;
}

int hostact_prepare(char *const *words, const char *scratch, struct hostact *out, struct err *e)
{
	*out = (struct hostact){.argv = ARGV_INIT};
	if (!words[0])
		return err_input(e, "host action: empty");
	if (hostact_find_binary(words[0], &out->path, e) < 0)
		return -1;
	if (strcmp(words[0], "nsenter") == 0)
		return prepare_nsenter(words, out, e);
	if (!scratch)
		return err_input(e, "host action: the session has no scratch dir");
	return prepare_read(words, scratch, out, e);
}

void hostact_free(struct hostact *h)
{
	free(h->path);
	argv_free(&h->argv);
	free(h->input);
	if (h->cwd_fd > 0)
		close(h->cwd_fd);
	*h = (struct hostact){.argv = ARGV_INIT};
}
