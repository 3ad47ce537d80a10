/* fuzz_status.c: libFuzzer target for the status parser: capability
 * masks, field lookup, and naming every bit of whatever was parsed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "proc.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"Name", "NoNewPrivs", "Seccomp", "Seccomp_filters", "CapEff", "NSpid"};
	char *text = xmalloc(size + 1);
	struct caps c;
	struct err e = {0};

	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		size_t len;
		const char *v = proc_status_field(text, keys[i], &len);
		if (v && len > size)
			abort(); /* a field cannot be longer than the text */
	}
	if (caps_parse_status(text, &c, &e) == 0) {
		for (int s = 0; s < CAPS_NSETS; s++) {
			char *j = caps_join(c.set[s], ",");
			free(j);
		}
	}
	free(text);
	return 0;
}
