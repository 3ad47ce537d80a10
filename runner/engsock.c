/* engsock.c: the unix socket of the engine isolab talks to. The
 * docker-socket step hands that socket to its container, and the mounts
 * classification must recognise it: on a machine where DOCKER_HOST or a
 * docker context names another daemon, /var/run/docker.sock is someone
 * else's engine (or none), and a sibling made through it would be created,
 * and left, where isolab never looks. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "mounts.h"

#define UNIX_SCHEME "unix://"
#define DEFAULT_SOCKET "/var/run/docker.sock"

/* A DOCKER_HOST-style address to a socket path, or NULL with e set. */
static char *unix_path(const char *addr, const char *where, struct err *e)
{
	if (!util_str_has_prefix(addr, UNIX_SCHEME)) {
		err_set(e, ERR_ENGINE, 0,
			"%s is %s, not a unix socket: the docker-socket step needs the engine's "
			"own socket file",
			where, addr);
		return NULL;
	}
	const char *p = addr + strlen(UNIX_SCHEME);
	if (p[0] != '/') {
		err_set(e, ERR_ENGINE, 0, "%s is %s: not an absolute socket path", where, addr);
		return NULL;
	}
	return xstrdup(p);
}

/* The engine's socket from DOCKER_HOST alone, no child: NULL when unset. */
static char *from_env(struct err *e, bool *set)
{
	const char *dh = getenv("DOCKER_HOST");

	*set = dh && *dh;
	return *set ? unix_path(dh, "DOCKER_HOST", e) : NULL;
}

void engine_note_socket(void)
{
	bool set;
	cleanup_free char *p = from_env(NULL, &set);

	if (p)
		mounts_set_engine_socket(p);
}

int engine_socket_path(struct engine *eng, char **path, struct err *e)
{
	char *const args[] = {(char *)"context", (char *)"inspect", (char *)"--format",
			      (char *)"{{.Endpoints.docker.Host}}", NULL};
	struct exec_result res = {0};
	bool set;

	*path = from_env(e, &set);
	if (set && !*path)
		return ENGINE_FAIL_OTHER;
	/* The current context (DOCKER_CONTEXT or the client's config); a
	 * client without contexts talks to the default socket. */
	if (!*path && engine_call(eng, args, 0, &res, NULL) == 0) {
		char *out = res.out.data;
		out[strcspn(out, "\r\n")] = '\0';
		if (*out && !(*path = unix_path(out, "the docker context's endpoint", e))) {
			exec_result_free(&res);
			return ENGINE_FAIL_OTHER;
		}
	}
	exec_result_free(&res);
	if (!*path)
		*path = xstrdup(DEFAULT_SOCKET);
	mounts_set_engine_socket(*path);
	return 0;
}

void engine_learn_socket(struct engine *eng)
{
	bool set;
	char *path = from_env(NULL, &set);

	free(path);
	path = NULL;
	/* DOCKER_HOST: engine_init registered it without a child. */
	if (set || !eng || !eng->bin)
		return;
	if (engine_socket_path(eng, &path, NULL) == 0)
		free(path);
}
