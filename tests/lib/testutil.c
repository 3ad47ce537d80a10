/* testutil.c: helpers shared by the test programs. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "snapshot.h"
#include "util.h"

char *tu_read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb);
}

int tu_run(char *const argv[], char **out, char **err)
{
	int po[2], pe[2];
	struct strbuf so = STRBUF_INIT, se = STRBUF_INIT;
	pid_t pid;
	int status;

	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	int open_fds = 2;
	while (open_fds > 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			char buf[4096];
			ssize_t n;
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(fds[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			strbuf_add(i == 0 ? &so : &se, buf, (size_t)n);
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out)
		*out = strbuf_detach(&so);
	else
		strbuf_release(&so);
	if (err)
		*err = strbuf_detach(&se);
	else
		strbuf_release(&se);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool tu_contains(const char *haystack, const char *needle)
{
	return haystack && strstr(haystack, needle) != NULL;
}

int tu_fixture_host(struct host_ref *host)
{
	struct err e = {0};

	if (host_ref_load_from(host, FIXTURE_PROC, 1, &e) < 0) {
		fprintf(stderr, "the fixture host: %s\n", e.msg);
		return -1;
	}
	return 0;
}

void tu_fixture_snapshot(const struct host_ref *host, const char *root, int pid, const char *target,
			 struct snapshot *s)
{
	struct err e = {0};
	struct proc p;

	if (proc_open(&p, root, pid, &e) < 0)
		fail_msg("%s/%d: %s", root, pid, e.msg);
	if (snapshot_take(s, &p, host, target, &e) < 0) {
		proc_close(&p);
		fail_msg("%s/%d: %s", root, pid, e.msg);
	}
	proc_close(&p);
}

json_t *tu_fixture_json(const char *name)
{
	cleanup_free char *path = xasprintf(FIXTURES "/%s", name);
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);

	if (!j)
		fail_msg("%s: %s", path, je.text);
	return j;
}

void tu_fixture_inspect(const char *name, struct engine_containers *cs)
{
	char path[256];
	struct err e = {0};

	snprintf(path, sizeof(path), FIXTURES "/engine/inspect/%s", name);
	char *json = tu_read_file(path);
	assert_non_null(json);
	memset(cs, 0, sizeof(*cs));
	assert_int_equal(engine_inspect_parse(json, cs, &e), 0);
	free(json);
}
