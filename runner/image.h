/* image.h: the lab image (image/README.md): its reference, where its build
 * sources are, and building it offline when it is missing. The build
 * context is assembled in a private temporary directory from the
 * Dockerfile, the probe and the host's static busybox, and removed after. */
#ifndef ISOLAB_IMAGE_H
#define ISOLAB_IMAGE_H

#include <stdbool.h>

#include "engine.h"
#include "err.h"
#include "exec.h"

/* Where the static busybox comes from (Debian's busybox-static). */
#define IMAGE_BUSYBOX "/bin/busybox"

/* "isolab-lab:" ISOLAB_VERSION; $ISOLAB_IMAGE_TAG overrides it (tests build
 * into a tag of their own with it). */
const char *image_ref(void);

/* The directory holding Dockerfile and probe: $ISOLAB_IMAGE_DIR; else
 * image/ next to the running binary, or one level up (a source tree built
 * into a build directory: make B=build BIN=build/isolab); else
 * ISOLAB_DATADIR/image (make install). Fails with what to do: "run make"
 * when the Dockerfile is there without the probe. Free *dir. */
int image_dir(char **dir, struct err *e);

/* Whether path is an ELF executable without a program interpreter, one
 * that runs FROM scratch. */
int image_elf_is_static(const char *path, bool *is_static, struct err *e);

/* Everything a build needs is there: image_dir() and a static busybox.
 * *dir (may be NULL) gets the source directory; free it. */
int image_sources_check(char **dir, struct err *e);

/* Make sure image_ref() exists: when it is missing, build it (progress gets
 * docker build's output lines; may be NULL) and check it is there after.
 * *built (may be NULL) says whether a build ran. The temporary context is
 * removed whatever happens. Returns 0, or < 0: an enum engine_fail when
 * docker failed, -1 when the sources are not there (the message says what
 * to do). */
int image_ensure(struct engine *eng, exec_line_fn progress, void *data, bool *built,
		 struct err *e);

#endif
