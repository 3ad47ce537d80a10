/* image.c: the lab image: its reference, its sources, and an offline build
 * from a private temporary context. */
#include "image.h"

#include <elf.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#ifndef ISOLAB_DATADIR
#define ISOLAB_DATADIR "/usr/local/share/isolab"
#endif

#define IMAGE_DEFAULT_REF "isolab-lab:" ISOLAB_VERSION
#define RUN_MAKE "run make in isolab's source tree (it builds image/probe), or make install"

const char *image_ref(void)
{
	const char *t = getenv("ISOLAB_IMAGE_TAG");
	return t && *t ? t : IMAGE_DEFAULT_REF;
}

/* --- sources ------------------------------------------------------------- */

static bool is_file(const char *dir, const char *name)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, name);
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

enum found {
	FOUND_NONE,
	FOUND_DOCKERFILE, /* the Dockerfile without the probe: make was not run */
	FOUND_ALL,
};

static enum found look(const char *dir)
{
	if (!is_file(dir, "Dockerfile"))
		return FOUND_NONE;
	return is_file(dir, "probe") ? FOUND_ALL : FOUND_DOCKERFILE;
}

/* image/ beside the binary and one level up. */
static void exe_candidates(struct argv *out)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return;
	buf[n] = '\0';
	char *dir = dirname(buf); /* points into buf */
	argv_pushf(out, "%s/image", dir);
	if (strcmp(dir, "/") != 0) {
		cleanup_free char *copy = xstrdup(dir);
		argv_pushf(out, "%s/image", dirname(copy));
	}
}

int image_dir(char **dir, struct err *e)
{
	const char *env = getenv("ISOLAB_IMAGE_DIR");
	struct argv cand = ARGV_INIT;
	const char *partial = NULL;
	int rc = -1;

	*dir = NULL;
	if (env && *env) {
		switch (look(env)) {
		case FOUND_ALL:
			*dir = xstrdup(env);
			return 0;
		case FOUND_DOCKERFILE:
			return err_set(e, ERR_SYSTEM, 0,
				       "%s/probe is missing (ISOLAB_IMAGE_DIR): " RUN_MAKE, env);
		default:
			return err_set(e, ERR_SYSTEM, 0,
				       "ISOLAB_IMAGE_DIR=%s holds no Dockerfile: point it at isolab's "
				       "image/ directory",
				       env);
		}
	}
	exe_candidates(&cand);
	argv_push(&cand, ISOLAB_DATADIR "/image");
	for (size_t i = 0; i < cand.n; i++) {
		enum found f = look(cand.v[i]);
		if (f == FOUND_ALL) {
			*dir = xstrdup(cand.v[i]);
			rc = 0;
			break;
		}
		if (f == FOUND_DOCKERFILE && !partial)
			partial = cand.v[i];
	}
	if (rc < 0 && partial)
		err_set(e, ERR_SYSTEM, 0, "%s/probe is missing: " RUN_MAKE, partial);
	else if (rc < 0)
		err_set(e, ERR_SYSTEM, 0,
			"the lab image's sources (Dockerfile and probe) are neither in image/ next "
			"to isolab nor in " ISOLAB_DATADIR "/image: " RUN_MAKE
			" (or set ISOLAB_IMAGE_DIR)");
	argv_free(&cand);
	return rc;
}

/* --- static executables ------------------------------------------------------- */

/* This machine's ELF class and byte order only: the probe and busybox run in
 * containers on this host, so a binary built for another is of no use. */
static int elf_has_interp(int fd, const unsigned char *ident, bool *interp)
{
	ElfW(Ehdr) eh;

	*interp = false;
	if (ident[EI_CLASS] != (__ELF_NATIVE_CLASS == 64 ? ELFCLASS64 : ELFCLASS32))
		return -1;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
		return -1;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return -1;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		ElfW(Phdr) ph;
		off_t at = (off_t)eh.e_phoff + (off_t)i * eh.e_phentsize;
		if (eh.e_phentsize < sizeof(ph) || pread(fd, &ph, sizeof(ph), at) != (ssize_t)sizeof(ph))
			return -1;
		if (ph.p_type == PT_INTERP)
			*interp = true;
	}
	return 0;
}

int image_elf_is_static(const char *path, bool *is_static, struct err *e)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char ident[EI_NIDENT];
	bool interp;
	const unsigned char native = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB
									       : ELFDATA2MSB;

	*is_static = false;
	if (fd < 0)
		return err_sys(e, "cannot open %s", path);
	if (pread(fd, ident, sizeof(ident), 0) != (ssize_t)sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG) != 0)
		return err_set(e, ERR_SYSTEM, 0, "%s is not an ELF executable", path);
	if (ident[EI_DATA] != native || elf_has_interp(fd, ident, &interp) < 0)
		return err_set(e, ERR_SYSTEM, 0, "%s is not an executable for this machine", path);
	*is_static = !interp;
	return 0;
}

int image_sources_check(char **dir, struct err *e)
{
	cleanup_free char *d = NULL;
	cleanup_free char *probe = NULL;
	struct stat st;
	bool is_static;

	if (dir)
		*dir = NULL;
	if (image_dir(&d, e) < 0)
		return -1;
	probe = xasprintf("%s/probe", d);
	if (image_elf_is_static(probe, &is_static, e) < 0)
		return err_wrap(e, "the probe");
	if (!is_static)
		return err_set(e, ERR_SYSTEM, 0,
			       "%s is dynamically linked, so it cannot run in the FROM scratch lab "
			       "image: rebuild it with make (apt-get install musl-tools first)",
			       probe);
	if (stat(IMAGE_BUSYBOX, &st) < 0)
		return err_set(e, ERR_SYSTEM, 0,
			       IMAGE_BUSYBOX " is missing: apt-get install busybox-static (the lab "
					     "image needs a static busybox)");
	if (image_elf_is_static(IMAGE_BUSYBOX, &is_static, e) < 0)
		return err_wrap(e, "apt-get install busybox-static");
	if (!is_static)
		return err_set(e, ERR_SYSTEM, 0,
			       IMAGE_BUSYBOX " is dynamically linked (Debian's busybox package), so "
					     "it cannot run in the FROM scratch lab image: apt-get "
					     "install busybox-static");
	if (dir)
		*dir = steal_pointer(&d);
	return 0;
}

/* --- the build context ------------------------------------------------------- */

static int copy_into(int dirfd, const char *name, const char *src, mode_t mode, struct err *e)
{
	cleanup_close int in = open(src, O_RDONLY | O_CLOEXEC);
	cleanup_close int out = -1;
	char buf[65536];

	if (in < 0)
		return err_sys(e, "cannot open %s", src);
	out = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0)
		return err_sys(e, "cannot create %s in the build context", name);
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(e, "cannot read %s", src);
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return err_sys(e, "cannot write %s in the build context", name);
			off += w;
		}
	}
	/* The umask may have taken bits off; COPY keeps the mode it finds. */
	if (fchmod(out, mode) < 0)
		return err_sys(e, "cannot chmod %s in the build context", name);
	return 0;
}

static const char *const context_files[] = {"Dockerfile", "probe", "busybox"};

static void remove_context(const char *ctx)
{
	cleanup_close int fd = open(ctx, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		for (size_t i = 0; i < ARRAY_SIZE(context_files); i++)
			unlinkat(fd, context_files[i], 0);
	rmdir(ctx);
}

/* A private directory (mkdtemp makes it 0700) with exactly what the
 * Dockerfile copies. */
#define SOURCES_LABEL "org.isolab.sources"

/* FNV-1a over the build's inputs: a fingerprint to notice a probe or
 * Dockerfile that changed under the same version tag, not a security
 * measure. */
static int fingerprint_file(const char *path, uint64_t *h, struct err *e)
{
	unsigned char buf[65536];
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return err_sys(e, "cannot open %s", path);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			*h ^= buf[i];
			*h *= UINT64_C(0x100000001b3);
		}
	return n < 0 ? err_sys(e, "cannot read %s", path) : 0;
}

static int sources_fingerprint(const char *src, char out[17], struct err *e)
{
	cleanup_free char *dockerfile = xasprintf("%s/Dockerfile", src);
	cleanup_free char *probe = xasprintf("%s/probe", src);
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	if (fingerprint_file(dockerfile, &h, e) < 0 || fingerprint_file(probe, &h, e) < 0 ||
	    fingerprint_file(IMAGE_BUSYBOX, &h, e) < 0)
		return -1;
	snprintf(out, 17, "%016llx", (unsigned long long)h);
	return 0;
}

/* The fingerprint the image was built from, "" when it has none. */
static int image_fingerprint(struct engine *eng, const char *ref, char **out, struct err *e)
{
	char *const args[] = {(char *)"image", (char *)"inspect", (char *)"-f",
			      (char *)"{{index .Config.Labels \"" SOURCES_LABEL "\"}}", (char *)ref, NULL};
	struct exec_result res;
	int rc = engine_call(eng, args, eng->quick_timeout_ms, &res, e);

	if (rc == 0) {
		size_t n = strcspn(res.out.data, "\n");
		*out = xstrndup(res.out.data, n);
		if (strcmp(*out, "<no value>") == 0)
			(*out)[0] = '\0';
	}
	exec_result_free(&res);
	return rc == 0 ? 0 : -1; /* *out is set exactly when 0 */
}

static int make_context(const char *src, const char *fingerprint, char **ctx, struct err *e)
{
	const char *tmp = getenv("TMPDIR");
	cleanup_free char *dir = xasprintf("%s/isolab-image-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cleanup_free char *dockerfile = xasprintf("%s/Dockerfile", src);
	cleanup_free char *probe = xasprintf("%s/probe", src);
	cleanup_close int fd = -1;

	if (!mkdtemp(dir))
		return err_sys(e, "cannot make a temporary directory for the build context");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0700) < 0 ||
	    copy_into(fd, "Dockerfile", dockerfile, 0644, e) < 0 ||
	    copy_into(fd, "probe", probe, 0755, e) < 0 ||
	    copy_into(fd, "busybox", IMAGE_BUSYBOX, 0755, e) < 0) {
		if (fd < 0)
			err_sys(e, "cannot open %s", dir);
		remove_context(dir);
		return -1;
	}
	/* The fingerprint goes into the image, so a later run can tell an
	 * image built from other sources under the same tag. */
	cleanup_free char *label = xasprintf("LABEL " SOURCES_LABEL "=\"%s\"\n", fingerprint);
	cleanup_close int df = openat(fd, "Dockerfile", O_WRONLY | O_APPEND | O_CLOEXEC);
	if (df < 0 || write(df, label, strlen(label)) != (ssize_t)strlen(label)) {
		err_sys(e, "cannot write the build context's Dockerfile");
		remove_context(dir);
		return -1;
	}
	*ctx = steal_pointer(&dir);
	return 0;
}

int image_ensure(struct engine *eng, exec_line_fn progress, void *data, bool *built,
		 struct err *e)
{
	const char *ref = image_ref();
	cleanup_free char *src = NULL;
	cleanup_free char *ctx = NULL;
	exec_line_fn saved_fn = eng->on_progress;
	void *saved_data = eng->progress_data;
	bool present = false;
	int rc;

	if (built)
		*built = false;
	char want[17] = "";
	rc = engine_image_present(eng, ref, &present, e);
	if (rc < 0)
		return rc;
	if (present) {
		/* Without sources (a bare binary) the image there is the one to use;
		 * with them, it must have been built from them. */
		cleanup_free char *have = NULL;
		if (image_sources_check(&src, NULL) < 0 || sources_fingerprint(src, want, NULL) < 0)
			return 0;
		if (image_fingerprint(eng, ref, &have, e) < 0)
			return -1;
		if (strcmp(have, want) == 0)
			return 0;
		if (progress) {
			cleanup_free char *line = xasprintf("%s was built from other sources (a changed probe or Dockerfile): rebuilding it", ref);
			progress(data, 2, line, strlen(line));
		}
	} else {
		if (image_sources_check(&src, e) < 0)
			return err_wrap(e, "the lab image %s is not built and cannot be", ref);
		if (sources_fingerprint(src, want, e) < 0)
			return -1;
	}
	if (make_context(src, want, &ctx, e) < 0)
		return -1;

	eng->on_progress = progress;
	eng->progress_data = data;
	rc = engine_build(eng, ref, ctx, e);
	eng->on_progress = saved_fn;
	eng->progress_data = saved_data;
	remove_context(ctx);
	if (rc < 0) {
		err_wrap(e, "building the lab image %s", ref);
		return rc;
	}

	rc = engine_image_present(eng, ref, &present, e);
	if (rc < 0)
		return rc;
	if (!present)
		return err_set(e, ERR_ENGINE, 0,
			       "docker build finished but %s is not there: its output above says why",
			       ref);
	if (built)
		*built = true;
	return 0;
}
