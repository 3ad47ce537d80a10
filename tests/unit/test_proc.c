/* test_proc.c: the /proc/PID/stat parser, and the process handle on a kernel
 * without pidfd_open (older than 5.3, or valgrind), made here by a seccomp
 * filter that answers ENOSYS. */
#include "testutil.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

static void stat_parse(void **state)
{
	struct proc_stat st;

	(void)state;
	/* comm holds ") (" and spaces: fields count from the last ')'. */
	assert_true(proc_stat_parse("4242 (a) (b c) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 "
				    "20 0 1 0 987654321 1000 100\n",
				    &st));
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 17);
	assert_int_equal(st.start, 987654321ULL);
	assert_false(proc_stat_parse("4242 (a) S 1 2 3\n", &st));
	assert_false(proc_stat_parse("4242 (a)", &st));
	assert_false(proc_stat_parse("no parenthesis at all", &st));
	assert_false(proc_stat_parse("1 (a) S x 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n",
				     &st));
}

/* Everything but pidfd_open as before; pidfd_open fails with ENOSYS. */
static int deny_pidfd_open(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_open, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = ARRAY_SIZE(f), .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static bool is_zombie(pid_t pid)
{
	struct proc_stat st;

	return proc_stat_read(NULL, pid, &st, NULL) == 0 && st.state == 'Z';
}

/* In a child (the filter cannot be taken back): 0 when every check held,
 * else the number of the first that did not. */
static int without_pidfd(void)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	struct proc p;
	struct err e;
	pid_t kid;

	if (deny_pidfd_open() < 0)
		return 10;
	if (syscall(SYS_pidfd_open, getpid(), 0) >= 0 || errno != ENOSYS)
		return 11;
	kid = fork();
	if (kid < 0)
		return 12;
	if (kid == 0) {
		/* Gone with its parent when a check fails early: it must not
		 * hold the test's output open. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pause();
		_exit(0);
	}
	if (proc_open(&p, NULL, kid, &e) < 0)
		return 1;
	if (p.pidfd >= 0 || p.start == 0)
		return 2;
	if (proc_check_alive(&p, &e) < 0)
		return 3;
	kill(kid, SIGKILL);
	/* A zombie has exited, as it does with a pidfd. */
	for (int i = 0; i < 500 && !is_zombie(kid); i++)
		nanosleep(&tick, NULL);
	if (proc_check_alive(&p, &e) == 0 || e.kind != ERR_EXITED)
		return 4;
	waitpid(kid, NULL, 0);
	/* Reaped: reads through the old directory fail, the pid may be reused. */
	if (proc_check_alive(&p, &e) == 0 || e.kind != ERR_EXITED)
		return 5;
	proc_close(&p);
	if (proc_open(&p, NULL, kid, &e) == 0 || e.kind != ERR_INPUT)
		return 6;
	return 0;
}

static void open_without_pidfd(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(without_pidfd());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_parse),
		cmocka_unit_test(open_without_pidfd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
