/* fuzz_mountinfo.c: libFuzzer target for the mountinfo path: libmount's
 * parser as isolab drives it, then host paths and classification of the
 * table against itself (every lookup and join on hostile strings). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "mounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mount_table t;
	struct err e = {0};
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (mounts_parse_stream(f, "fuzz", &t, &e) == 0) {
		mounts_classify(&t, &t);
		for (size_t i = 0; i < t.n; i++)
			for (size_t j = 0; j < t.n; j++)
				(void)mounts_same(&t.v[i], &t.v[j]);
		mounts_free(&t);
	}
	fclose(f);
	return 0;
}
