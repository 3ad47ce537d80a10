/* test_session.c: the parts of a session that need no docker: ids and
 * nonces, labels and container names, whether an owner is alive, and the
 * scratch removal that never leaves its base nor follows a symlink out. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "session.h"

static bool all_lower_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static void ids_and_nonces(void **state)
{
	char ids[64][SESSION_ID_LEN + 1];
	char n1[SESSION_NONCE_LEN + 1], n2[SESSION_NONCE_LEN + 1];
	struct err e;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		assert_int_equal(session_new_id(ids[i], &e), 0);
		assert_int_equal(strlen(ids[i]), SESSION_ID_LEN);
		assert_true(all_lower_hex(ids[i]));
		assert_true(session_id_valid(ids[i]));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(ids[i], ids[j]);
	}
	assert_int_equal(session_new_nonce(n1, &e), 0);
	assert_int_equal(session_new_nonce(n2, &e), 0);
	assert_int_equal(strlen(n1), SESSION_NONCE_LEN);
	assert_true(all_lower_hex(n1));
	assert_string_not_equal(n1, n2);

	assert_false(session_id_valid(""));
	assert_false(session_id_valid("0123456789a"));
	assert_false(session_id_valid("0123456789abc"));
	assert_false(session_id_valid("0123456789AB"));
	assert_false(session_id_valid("../456789abc"));
	assert_false(session_id_valid("dockerd.log"));
	assert_true(session_id_valid("0123456789ab"));
}

static void fake_session(struct session *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->id, "0123456789ab");
	strcpy(s->owner, "4242:123456");
}

static void labels_and_names(void **state)
{
	struct argv l = ARGV_INIT;
	struct session s;
	char *name;

	(void)state;
	fake_session(&s);
	session_labels(&s, "host-mounts", "etc-ro", &l);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0], "isolab.session=0123456789ab");
	assert_string_equal(l.v[1], "isolab.lab=host-mounts");
	assert_string_equal(l.v[2], "isolab.step=etc-ro");
	assert_string_equal(l.v[3], "isolab.owner=4242:123456");
	assert_null(l.v[4]);
	argv_free(&l);

	name = session_container_name(&s, "etc-ro", "reference");
	assert_string_equal(name, "isolab-0123456789ab-etc-ro-reference");
	free(name);
	/* What Docker refuses in a name becomes '-'; '_' and '.' stay. */
	name = session_container_name(&s, "step 1/ü", "a_b.c:d");
	assert_string_equal(name, "isolab-0123456789ab-step-1----a_b.c-d");
	free(name);
	name = session_container_name(&s, "", NULL);
	assert_string_equal(name, "isolab-0123456789ab-x-x");
	free(name);
	/* Long parts are cut: names stay readable in docker ps. */
	name = session_container_name(&s, "0123456789012345678901234567890123456789EXTRA", "n");
	assert_string_equal(name, "isolab-0123456789ab-0123456789012345678901234567890123456789-n");
	free(name);
}

static char *owner_of(pid_t pid, unsigned long long start)
{
	return xasprintf("%d:%llu", (int)pid, start);
}

static void owner_alive(void **state)
{
	unsigned long long start;
	char st = 0;
	struct err e;
	char *o;
	pid_t child;

	(void)state;
	assert_int_equal(session_proc_starttime(NULL, getpid(), &start, &st, &e), 0);
	assert_true(st == 'R' || st == 'S');

	/* Live, same start time. */
	o = owner_of(getpid(), start);
	assert_int_equal(session_owner_state(NULL, o), SESSION_OWNER_ALIVE);
	free(o);
	/* Live pid, another start time: the pid was reused. */
	o = owner_of(getpid(), start + 1);
	assert_int_equal(session_owner_state(NULL, o), SESSION_OWNER_GONE);
	free(o);
	/* A dead pid: a child, exited and reaped. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	o = owner_of(child, 1);
	assert_int_equal(session_owner_state(NULL, o), SESSION_OWNER_GONE);
	free(o);
	assert_int_equal(session_proc_starttime(NULL, child, &start, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_EXITED);
	/* A zombie does not clean up either. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	for (int i = 0; i < 500; i++) {
		st = 0;
		if (session_proc_starttime(NULL, child, &start, &st, &e) == 0 && st == 'Z')
			break;
		usleep(2000);
	}
	assert_int_equal(st, 'Z');
	o = owner_of(child, start);
	assert_int_equal(session_owner_state(NULL, o), SESSION_OWNER_GONE);
	free(o);
	waitpid(child, NULL, 0);

	/* Not an owner at all: left alone by a sweep. */
	assert_int_equal(session_owner_state(NULL, NULL), SESSION_OWNER_UNKNOWN);
	assert_int_equal(session_owner_state(NULL, ""), SESSION_OWNER_UNKNOWN);
	assert_int_equal(session_owner_state(NULL, "42"), SESSION_OWNER_UNKNOWN);
	assert_int_equal(session_owner_state(NULL, "0:5"), SESSION_OWNER_UNKNOWN);
	assert_int_equal(session_owner_state(NULL, "x:5"), SESSION_OWNER_UNKNOWN);
	assert_int_equal(session_owner_state(NULL, "42:5x"), SESSION_OWNER_UNKNOWN);
	assert_int_equal(session_owner_state(NULL, "-1:5"), SESSION_OWNER_UNKNOWN);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A stat line whose command name holds ") (" and spaces: fields are
 * counted from the last ')'. */
static void starttime_parse(void **state)
{
	char root[] = "/tmp/isolab-test-proc-XXXXXX";
	unsigned long long start = 0;
	char st = 0;
	struct err e;
	char *p;

	(void)state;
	assert_non_null(mkdtemp(root));
	p = xasprintf("%s/4242", root);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	p = xasprintf("%s/4242/stat", root);
	write_text(p, "4242 (a) (b c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
		      "987654321 1000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n");
	assert_int_equal(session_proc_starttime(root, 4242, &start, &st, &e), 0);
	assert_int_equal(start, 987654321ULL);
	assert_int_equal(st, 'S');
	assert_int_equal(session_owner_state(root, "4242:987654321"), SESSION_OWNER_ALIVE);
	assert_int_equal(session_owner_state(root, "4242:987654320"), SESSION_OWNER_GONE);
	assert_int_equal(session_owner_state(root, "4243:987654321"), SESSION_OWNER_GONE);
	/* Truncated: an error, never a guess. */
	write_text(p, "4242 (a) S 1 2 3\n");
	assert_int_equal(session_proc_starttime(root, 4242, &start, NULL, &e), -1);
	assert_int_equal(session_owner_state(root, "4242:987654321"), SESSION_OWNER_UNKNOWN);
	unlink(p);
	free(p);
	p = xasprintf("%s/4242", root);
	rmdir(p);
	free(p);
	rmdir(root);
}

static void report_empty(void **state)
{
	struct cleanup_report r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_true(session_report_empty(&r));
	argv_push(&r.dirs, "/run/isolab/0123456789ab");
	assert_false(session_report_empty(&r));
	session_report_free(&r);
	assert_true(session_report_empty(&r));
	session_report_free(&r);
}

static char *path2(const char *a, const char *b)
{
	return xasprintf("%s/%s", a, b);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static void scratch_removal(void **state)
{
	char base[] = "/tmp/isolab-test-base-XXXXXX";
	char outside[] = "/tmp/isolab-test-outside-XXXXXX";
	cleanup_free char *sess = NULL, *sub = NULL, *deep = NULL, *secret = NULL, *f = NULL;
	cleanup_free char *link_dir = NULL, *link_file = NULL, *other = NULL, *sess2 = NULL;
	struct err e;

	(void)state;
	assert_non_null(mkdtemp(base));
	assert_non_null(mkdtemp(outside));
	secret = path2(outside, "secret");
	write_text(secret, "keep me\n");

	/* <base>/0123456789ab with files, a subdir, and two symlinks out. */
	sess = path2(base, "0123456789ab");
	assert_int_equal(mkdir(sess, 0700), 0);
	f = path2(sess, "canary");
	write_text(f, "nonce\n");
	sub = path2(sess, "sub");
	assert_int_equal(mkdir(sub, 0755), 0);
	deep = path2(sub, "file");
	write_text(deep, "x\n");
	link_dir = path2(sess, "escape");
	assert_int_equal(symlink(outside, link_dir), 0);
	link_file = path2(sub, "secret-link");
	assert_int_equal(symlink(secret, link_file), 0);

	/* Names that would leave the base are refused before anything. */
	assert_int_equal(session_remove_scratch(base, "..", &e), -1);
	assert_int_equal(e.kind, ERR_INPUT);
	assert_int_equal(session_remove_scratch(base, ".", &e), -1);
	assert_int_equal(session_remove_scratch(base, "", &e), -1);
	assert_int_equal(session_remove_scratch(base, "../isolab-test-outside", &e), -1);
	assert_int_equal(session_remove_scratch(base, "0123456789ab/sub", &e), -1);
	assert_true(exists(deep));

	assert_int_equal(session_remove_scratch(base, "0123456789ab", &e), 0);
	assert_false(exists(sess));
	assert_true(exists(base));
	assert_true(exists(outside));
	assert_true(exists(secret));
	{
		cleanup_free char *text = tu_read_file(secret);
		assert_string_equal(text, "keep me\n");
	}
	/* Already gone: nothing to do, no error. */
	assert_int_equal(session_remove_scratch(base, "0123456789ab", &e), 0);

	/* The session entry itself a symlink out: the link goes, the
	 * target stays. */
	sess2 = path2(base, "ba9876543210");
	assert_int_equal(symlink(outside, sess2), 0);
	assert_int_equal(session_remove_scratch(base, "ba9876543210", &e), 0);
	assert_false(exists(sess2));
	assert_true(exists(secret));

	/* A base that is a symlink is not followed either. */
	other = xasprintf("%s-link", base);
	assert_int_equal(symlink(outside, other), 0);
	assert_int_equal(session_remove_scratch(other, "secret", &e), -1);
	assert_true(exists(secret));
	unlink(other);

	unlink(secret);
	assert_int_equal(rmdir(outside), 0);
	assert_int_equal(rmdir(base), 0);
}

static bool readable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

static bool handler_is(int sig, void (*h)(int))
{
	struct sigaction sa;
	sigaction(sig, NULL, &sa);
	return sa.sa_handler == h;
}

/* A whole session without docker (no engine): the witness is this test
 * program itself, exec'd as "isolab __witness" (see main). */
static void open_and_close(void **state)
{
	char base[] = "/tmp/isolab-test-sess-XXXXXX";
	struct session_opts o = {.scratch_base = base};
	struct session s, s2;
	struct stat st;
	struct err e;
	char path[128];
	cleanup_free char *canary = NULL, *comm = NULL, *env = NULL;
	pid_t w;
	int signo = 0;

	(void)state;
	assert_non_null(mkdtemp(base));
	signal(SIGHUP, SIG_IGN);
	if (session_open(&s, NULL, &o, &e) < 0)
		fail_msg("session_open: %s", e.msg);
	assert_true(session_id_valid(s.id));
	snprintf(path, sizeof(path), "%s/%s", base, s.id);
	assert_string_equal(s.scratch, path);
	assert_int_equal(stat(s.scratch, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/canary", s.scratch);
	canary = tu_read_file(path);
	assert_non_null(canary);
	assert_int_equal(strlen(canary), SESSION_NONCE_LEN + 1);
	assert_memory_equal(canary, s.nonce, SESSION_NONCE_LEN);
	assert_int_equal(canary[SESSION_NONCE_LEN], '\n');
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);

	w = s.witness;
	assert_true(w > 1);
	assert_int_equal(getpgid(w), w);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)w);
	comm = tu_read_file(path);
	assert_string_equal(comm, SESSION_WITNESS_COMM "\n");
	{
		char want[256];
		int fd, n;

		snprintf(path, sizeof(path), "/proc/%d/environ", (int)w);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		n = snprintf(want, sizeof(want),
			     "ISOLAB_NONCE=%s%cISOLAB_SESSION=%s%cPATH=", s.nonce, 0, s.id, 0);
		env = xcalloc(1, 4096);
		assert_true(read(fd, env, 4095) > n);
		close(fd);
		assert_memory_equal(env, want, (size_t)n);
	}

	/* One session at a time. */
	assert_int_equal(session_open(&s2, NULL, &o, &e), -1);
	assert_int_equal(session_close(&s2, &e), 0);

	/* A signal: recorded, and the cancel fd turns readable. */
	assert_true(handler_is(SIGHUP, SIG_IGN));
	assert_false(handler_is(SIGTERM, SIG_DFL));
	assert_true(handler_is(SIGPIPE, SIG_IGN));
	assert_true(session_cancel_fd(&s) > 2);
	assert_false(readable(session_cancel_fd(&s)));
	assert_false(session_interrupted(&s, &signo));
	raise(SIGTERM);
	assert_true(session_interrupted(&s, &signo));
	assert_int_equal(signo, SIGTERM);
	assert_true(readable(session_cancel_fd(&s)));

	if (session_close(&s, &e) < 0)
		fail_msg("session_close: %s", e.msg);
	snprintf(path, sizeof(path), "%s/%s", base, s.id);
	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(kill(w, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_true(handler_is(SIGTERM, SIG_DFL));
	assert_true(handler_is(SIGHUP, SIG_IGN));
	assert_true(handler_is(SIGPIPE, SIG_DFL));
	assert_int_equal(session_cancel_fd(&s), -1);
	signo = 0;
	assert_true(session_interrupted(&s, &signo));
	assert_int_equal(signo, SIGTERM);
	/* Twice is fine. */
	assert_int_equal(session_close(&s, &e), 0);
	signal(SIGHUP, SIG_DFL);
	assert_int_equal(rmdir(base), 0);
}

static void make_session_dir(const char *base, const char *id, const char *owner, int age_s)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", base, id);
	assert_int_equal(mkdir(path, 0700), 0);
	if (owner) {
		char f[300];
		snprintf(f, sizeof(f), "%s/owner", path);
		write_text(f, owner);
	}
	if (age_s) {
		struct timespec ts[2];
		clock_gettime(CLOCK_REALTIME, &ts[0]);
		ts[0].tv_sec -= age_s;
		ts[1] = ts[0];
		assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	}
}

/* The sweep at session start takes only dirs whose owner is gone. */
static void sweep_orphan_dirs(void **state)
{
	char base[] = "/tmp/isolab-test-sweep-XXXXXX";
	struct session_opts o = {.scratch_base = base};
	struct cleanup_report r;
	unsigned long long start;
	char alive[64], dead[64], path[256];
	struct err e;
	pid_t child;

	(void)state;
	assert_non_null(mkdtemp(base));
	assert_int_equal(session_proc_starttime(NULL, getpid(), &start, NULL, &e), 0);
	snprintf(alive, sizeof(alive), "%d:%llu\n", (int)getpid(), start);
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	snprintf(dead, sizeof(dead), "%d:%llu\n", (int)child, start);

	make_session_dir(base, "aaaaaaaaaaa1", alive, 0);     /* live owner: kept */
	make_session_dir(base, "aaaaaaaaaaa2", dead, 0);      /* owner gone */
	make_session_dir(base, "aaaaaaaaaaa3", NULL, 0);      /* being born: kept */
	make_session_dir(base, "aaaaaaaaaaa4", NULL, 7200);   /* never owned: gone */
	make_session_dir(base, "not-a-session", NULL, 7200);  /* not ours */
	snprintf(path, sizeof(path), "%s/dockerd.log", base);
	write_text(path, "log\n");

	assert_int_equal(session_sweep_orphans(NULL, &o, &r, &e), 0);
	assert_false(r.engine_checked);
	assert_int_equal(r.n_containers, 0);
	assert_int_equal(r.dirs.n, 2);
	snprintf(path, sizeof(path), "%s/aaaaaaaaaaa2", base);
	assert_true(r.dirs.v[0] && (strcmp(r.dirs.v[0], path) == 0 || strcmp(r.dirs.v[1], path) == 0));
	assert_false(exists(path));
	snprintf(path, sizeof(path), "%s/aaaaaaaaaaa4", base);
	assert_true(strcmp(r.dirs.v[0], path) == 0 || strcmp(r.dirs.v[1], path) == 0);
	assert_false(exists(path));
	assert_int_equal(r.failures.n, 0);
	session_report_free(&r);
	for (const char *const *n = (const char *const[]){"aaaaaaaaaaa1", "aaaaaaaaaaa3",
							  "not-a-session", "dockerd.log", NULL};
	     *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", base, *n);
		assert_true(exists(path));
	}

	/* Nothing more to do the second time. */
	assert_int_equal(session_sweep_orphans(NULL, &o, &r, &e), 0);
	assert_true(session_report_empty(&r));
	session_report_free(&r);

	for (const char *const *n = (const char *const[]){"aaaaaaaaaaa1", "aaaaaaaaaaa3",
							  "not-a-session", "dockerd.log", NULL};
	     *n; n++)
		assert_int_equal(session_remove_scratch(base, *n, &e), 0);
	assert_int_equal(rmdir(base), 0);
}

/* `isolab cleanup` (issue 11, 3): a live session's dir is never touched,
 * and is named; --force takes it too. */
static void cleanup_keeps_live(void **state)
{
	char base[] = "/tmp/isolab-test-live-XXXXXX", disk[] = "/tmp/isolab-test-livd-XXXXXX";
	struct session_opts o = {.scratch_base = base, .disk_base = disk};
	struct cleanup_report r;
	unsigned long long start;
	char alive[64], path[256];
	struct err e;

	(void)state;
	assert_non_null(mkdtemp(base));
	assert_non_null(mkdtemp(disk));
	assert_int_equal(session_proc_starttime(NULL, getpid(), &start, NULL, &e), 0);
	snprintf(alive, sizeof(alive), "%d:%llu\n", (int)getpid(), start);
	make_session_dir(base, "bbbbbbbbbbb1", alive, 7200);
	make_session_dir(disk, "bbbbbbbbbbb1", alive, 7200);

	assert_int_equal(session_cleanup(NULL, &o, false, &r, &e), 0);
	assert_int_equal(r.dirs.n, 0);
	assert_int_equal(r.kept.n, 1);
	assert_non_null(strstr(r.kept.v[0], "bbbbbbbbbbb1"));
	session_report_free(&r);
	snprintf(path, sizeof(path), "%s/bbbbbbbbbbb1/owner", base);
	assert_true(exists(path));
	snprintf(path, sizeof(path), "%s/bbbbbbbbbbb1/owner", disk);
	assert_true(exists(path));

	assert_int_equal(session_cleanup(NULL, &o, true, &r, &e), 0);
	assert_int_equal(r.dirs.n, 2);
	session_report_free(&r);
	assert_int_equal(rmdir(base), 0);
	assert_int_equal(rmdir(disk), 0);
}

static void age(const char *path, int age_s)
{
	struct timespec ts[2];

	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= age_s;
	ts[1] = ts[0];
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void on_alarm(int signo)
{
	(void)signo;
	fail_msg("the sweep hung");
}

/* A FIFO named owner (issue 11, 4): the sweep neither hangs on it nor
 * takes it for an owner; the old dir goes. */
static void sweep_fifo_owner(void **state)
{
	char base[] = "/tmp/isolab-test-fifo-XXXXXX", disk[] = "/tmp/isolab-test-fifd-XXXXXX";
	struct session_opts o = {.scratch_base = base, .disk_base = disk};
	struct cleanup_report r;
	char path[256];
	struct err e;

	(void)state;
	assert_non_null(mkdtemp(base));
	assert_non_null(mkdtemp(disk));
	snprintf(path, sizeof(path), "%s/ccccccccccc1", base);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/ccccccccccc1/owner", base);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/ccccccccccc1", base);
	age(path, 7200);
	signal(SIGALRM, on_alarm);
	alarm(10);
	assert_int_equal(session_sweep_orphans(NULL, &o, &r, &e), 0);
	alarm(0);
	assert_int_equal(r.dirs.n, 1);
	assert_false(exists(path));
	session_report_free(&r);
	assert_int_equal(rmdir(base), 0);
	assert_int_equal(rmdir(disk), 0);
}

/* A dead session's dir that cannot be removed (too deep) is a warning in
 * failures, not an error: a session still opens after it. */
static void sweep_unremovable_warns(void **state)
{
	char base[] = "/tmp/isolab-test-deep-XXXXXX", disk[] = "/tmp/isolab-test-deed-XXXXXX";
	struct session_opts o = {.scratch_base = base, .disk_base = disk};
	struct cleanup_report r;
	char path[256];
	struct err e;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(base));
	assert_non_null(mkdtemp(disk));
	make_session_dir(base, "ddddddddddd1", "999999999:1\n", 0);
	snprintf(path, sizeof(path), "%s/ddddddddddd1", base);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	for (int i = 0; i < 300; i++) {
		int sub;
		assert_int_equal(mkdirat(fd, "d", 0700), 0);
		sub = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		assert_true(sub >= 0);
		close(fd);
		fd = sub;
	}
	close(fd);
	assert_int_equal(session_sweep_orphans(NULL, &o, &r, &e), 0);
	assert_int_equal(r.failures.n, 1);
	assert_non_null(strstr(r.failures.v[0], "too deeply nested"));
	session_report_free(&r);
	/* The test's own removal: rm -r would do; a loop is enough. */
	for (int depth = 300; depth >= 0; depth--) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s/ddddddddddd1", base);
		for (int i = 0; i < depth; i++)
			strbuf_adds(&sb, "/d");
		if (depth == 0) {
			strbuf_adds(&sb, "/owner");
			unlink(sb.buf);
			sb.len -= 6;
			sb.buf[sb.len] = '\0';
		}
		assert_int_equal(rmdir(sb.buf), 0);
		strbuf_release(&sb);
	}
	assert_int_equal(rmdir(base), 0);
	assert_int_equal(rmdir(disk), 0);
}

int main(int argc, char **argv)
{
	/* The witness of open_and_close: this very program, exec'd again. */
	if (argc == 2 && strcmp(argv[1], SESSION_WITNESS_CMD) == 0) {
		prctl(PR_SET_NAME, SESSION_WITNESS_COMM, 0, 0, 0);
		for (;;)
			pause();
	}

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_and_nonces),
		cmocka_unit_test(labels_and_names),
		cmocka_unit_test(owner_alive),
		cmocka_unit_test(starttime_parse),
		cmocka_unit_test(report_empty),
		cmocka_unit_test(scratch_removal),
		cmocka_unit_test(open_and_close),
		cmocka_unit_test(sweep_orphan_dirs),
		cmocka_unit_test(cleanup_keeps_live),
		cmocka_unit_test(sweep_fifo_owner),
		cmocka_unit_test(sweep_unremovable_warns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
