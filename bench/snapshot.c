/* snapshot.c (bench): the cost of one in-process snapshot of a process,
 * host reference taken once, as isolab inspect does. Prints the median of
 * N snapshots in microseconds. Not a test: nothing is asserted. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "snapshot.h"

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 200;
	struct host_ref host;
	struct err e = {0};
	long long *t;

	if (argc < 2 || n <= 0) {
		fprintf(stderr, "usage: %s PID [N]\n", argv[0]);
		return 2;
	}
	if (host_ref_load(&host, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	t = calloc((size_t)n, sizeof(*t));
	size_t mounts = 0;
	for (int i = 0; i < n; i++) {
		struct proc p;
		struct snapshot s;
		long long t0 = now_ns();
		if (proc_open(&p, NULL, atoi(argv[1]), &e) < 0 || snapshot_take(&s, &p, &host, "bench", &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		proc_close(&p);
		t[i] = now_ns() - t0;
		mounts = s.mounts.n;
		snapshot_free(&s);
	}
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("snapshot of pid %s (%zu mounts): median %.1f us over %d runs (min %.1f, max %.1f)\n",
	       argv[1], mounts, t[n / 2] / 1000.0, n, t[0] / 1000.0, t[n - 1] / 1000.0);
	free(t);
	host_ref_free(&host);
	return 0;
}
