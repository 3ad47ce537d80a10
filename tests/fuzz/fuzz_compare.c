/* fuzz_compare.c: libFuzzer target for the comparison model's codec. The
 * TUI reads a step's transcript from its child, and a transcript can come
 * from another version of isolab (a replayed or recorded file): any bytes
 * that are JSON go through cmp_step_decode(), and what decodes is summed
 * up as the TUI does (cmp_step_summary) and freed. Starts from the
 * recorded transcripts (tests/fixtures/tui, tests/fixtures/compare). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, 0, NULL);
	struct cmp_opts o = {.bounding = size % 2 == 0};
	struct cmp_step s;
	struct err e = {0};

	if (!j)
		return 0;
	if (cmp_step_decode(j, &o, &s, &e) == 0) {
		free(cmp_step_summary(&s));
		for (size_t i = 0; i < s.n_containers; i++)
			(void)cmp_caps_only_not_root(&s.containers[i]);
	}
	cmp_step_free(&s);
	json_decref(j);
	return 0;
}
