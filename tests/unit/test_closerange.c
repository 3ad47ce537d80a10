/* test_closerange.c: exec_child_exec closes every fd above stderr, also
 * where close_range does not exist (kernels before 5.9) or refuses
 * CLOSE_RANGE_CLOEXEC (before 5.11). A seccomp filter in a child makes
 * close_range fail with ENOSYS, so the fallback (close_from) is the path
 * taken; /usr/bin/test then says whether an inheritable fd survived the
 * exec. Each case is checked both ways round: without the filter, and
 * with it, with a control that the filter really answers ENOSYS. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "exec.h"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define LEFT_OPEN 37 /* an inheritable fd the child must not keep */

/* close_range answers ENOSYS; every other call is allowed. */
static int deny_close_range(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close_range, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* The exit status of `test -e /proc/self/fd/LEFT_OPEN` run through
 * exec_child_exec with LEFT_OPEN inheritable: 1 when it was closed. 100+:
 * the child could not set up. */
static int run_child(bool deny)
{
	char *const argv[] = {(char *)"test", (char *)"-e", (char *)"/proc/self/fd/37", NULL};
	int st, status[2];
	pid_t pid;

	assert_int_equal(pipe2(status, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (dup2(STDIN_FILENO, LEFT_OPEN) != LEFT_OPEN)
			_exit(100);
		if (deny) {
			if (deny_close_range() < 0)
				_exit(101);
			/* The control: the fallback is the path taken. */
			if (syscall(SYS_close_range, LEFT_OPEN + 1, LEFT_OPEN + 1, 0) == 0 ||
			    errno != ENOSYS)
				_exit(102);
		}
		exec_child_exec("/usr/bin/test", argv, NULL, status[1]);
	}
	close(status[1]);
	close(status[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_close_range(void **state)
{
	(void)state;
	assert_int_equal(run_child(false), 1);
}

static void test_fallback_without_close_range(void **state)
{
	(void)state;
	assert_int_equal(run_child(true), 1);
}

/* The probe itself can fail: an fd kept open is seen as open. */
static void test_probe_sees_an_open_fd(void **state)
{
	int st;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (dup2(STDIN_FILENO, LEFT_OPEN) != LEFT_OPEN)
			_exit(100);
		execl("/usr/bin/test", "test", "-e", "/proc/self/fd/37", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_sees_an_open_fd),
		cmocka_unit_test(test_close_range),
		cmocka_unit_test(test_fallback_without_close_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
