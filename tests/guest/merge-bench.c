// SPDX-License-Identifier: GPL-2.0
/*
 * What merging isolation groups saves: K groups (K = 1, 2, 4, 8 and so on
 * up to the number given), each one device bound to vfio-pci, with SIZE
 * MiB of memory mapped for DMA through VFIO's type1 IOMMU in two ways, in
 * one run:
 *   separate  each group in a container of its own, the memory mapped in
 *             each container (K IOMMU domains, K sets of page tables);
 *   merged    every group in one container, the memory mapped once (one
 *             domain: the groups merged, sharing one IOMMU context).
 * For each it prints the growth of SecPageTables in /proc/meminfo (the
 * IOMMU's page tables) and the time of the mappings, and the ratios of
 * merged K groups to one group and of separate to merged.  It checks what
 * the figures rest on: in "merged" every group shows the same context, in
 * "separate" each its own, and the groups are locked while VFIO holds them.
 * It never checks a time or a size against a bound.
 *
 *   merge-bench SIZE-MIB K-MAX ISO:IOMMU...
 * ISO:IOMMU: for each device, its isolation group and its iommu group (the
 * VFIO group), each the device's alone.  Output lines begin
 * "ISOTEST-BENCH:"; a failed check prints "ISOTEST: not ok - merge-bench:"
 * and makes the exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#define MAX_GROUPS 64
#define IOVA_BASE 0x100000000ULL

static int nr_failed;

static void fail(const char *fmt, const char *arg, int err)
{
	printf("ISOTEST: not ok - merge-bench: ");
	printf(fmt, arg);
	printf("%s%s\n", err ? ": " : "", err ? strerror(err) : "");
	nr_failed++;
}

/*
 * SecPageTables of /proc/meminfo, in KiB, or -1, after folding the CPUs'
 * pending counts into it (vm.stat_refresh), which could hide a few dozen
 * pages.
 */
static long sec_page_tables(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/sys/vm/stat_refresh", "w");

	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SecPageTables: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* The first line of an isolation group's attribute, or "" */
static const char *group_attr(int id, const char *attr)
{
	static char buf[64];
	char path[96];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/isolation_groups/%d/%s", id, attr);
	buf[0] = 0;
	f = fopen(path, "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

static int vfio_ids[MAX_GROUPS];

static int open_group(int id)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	fd = open(path, O_RDWR);
	if (fd < 0)
		fail("open %s", path, errno);
	return fd;
}

static int new_container(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR);

	if (fd < 0)
		fail("open %s", "/dev/vfio/vfio", errno);
	return fd;
}

static bool add_to(int container, int group, bool first)
{
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container)) {
		fail("%s", "VFIO_GROUP_SET_CONTAINER", errno);
		return false;
	}
	if (first && ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		fail("%s", "VFIO_SET_IOMMU", errno);
		return false;
	}
	return true;
}

static bool map(int container, void *buf, size_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (unsigned long)buf,
		.iova = IOVA_BASE,
		.size = size,
	};

	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &m)) {
		fail("%s", "VFIO_IOMMU_MAP_DMA", errno);
		return false;
	}
	return true;
}

struct figures {
	long kib;	/* growth of SecPageTables */
	long long us;	/* time of the mappings */
};

/*
 * K groups of @ids, @merged in one container or each in its own; @buf of
 * @size mapped in each container.
 */
static bool run(const int *ids, int k, bool merged, void *buf, size_t size,
		struct figures *fig)
{
	int groups[MAX_GROUPS], containers[MAX_GROUPS];
	int i, nc = merged ? 1 : k;
	long before;
	long long start;
	bool ok = true;
	char ctx0[64];

	for (i = 0; i < k; i++)
		groups[i] = -1;
	for (i = 0; i < nc; i++)
		containers[i] = -1;
	before = sec_page_tables();
	for (i = 0; i < k && ok; i++) {
		groups[i] = open_group(vfio_ids[i]);
		ok = groups[i] >= 0;
		if (ok && (!merged || !i)) {
			containers[merged ? 0 : i] = new_container();
			ok = containers[merged ? 0 : i] >= 0;
		}
		if (ok)
			ok = add_to(containers[merged ? 0 : i], groups[i],
				    !merged || !i);
	}
	start = now_us();
	for (i = 0; i < nc && ok; i++)
		ok = map(containers[i], buf, size);
	fig->us = now_us() - start;
	fig->kib = sec_page_tables() - before;

	/* What the figures rest on: the groups' states and contexts. */
	snprintf(ctx0, sizeof(ctx0), "%s", group_attr(ids[0], "context"));
	for (i = 0; i < k && ok; i++) {
		char own[16];

		snprintf(own, sizeof(own), "%d", ids[i]);
		if (strcmp(group_attr(ids[i], "state"), "locked")) {
			fail("group %s is not locked while VFIO holds it", own, 0);
			ok = false;
		}
		if (merged && strcmp(group_attr(ids[i], "context"), ctx0)) {
			fail("merged group %s has a context of its own", own, 0);
			ok = false;
		}
		if (!merged && strcmp(group_attr(ids[i], "context"), own)) {
			fail("separate group %s shares a context", own, 0);
			ok = false;
		}
	}

	for (i = 0; i < k; i++)
		if (groups[i] >= 0)
			close(groups[i]);
	for (i = 0; i < nc; i++)
		if (containers[i] >= 0)
			close(containers[i]);
	return ok;
}

static void ratio(char *buf, size_t len, double num, double den)
{
	if (den > 0)
		snprintf(buf, len, "%.2f", num / den);
	else
		snprintf(buf, len, "-");
}

int main(int argc, char **argv)
{
	struct figures one = { 0 }, sep, mrg;
	int ids[MAX_GROUPS], n, k, kmax, i;
	size_t size;
	void *buf;

	if (argc < 4) {
		fprintf(stderr, "usage: %s SIZE-MIB K-MAX ISO:IOMMU...\n", argv[0]);
		return 2;
	}
	size = strtoul(argv[1], NULL, 0) << 20;
	kmax = atoi(argv[2]);
	n = argc - 3;
	if (n > MAX_GROUPS || kmax > n || kmax < 1 || !size) {
		fprintf(stderr, "%s: bad arguments\n", argv[0]);
		return 2;
	}
	for (i = 0; i < n; i++)
		if (sscanf(argv[3 + i], "%d:%d", &ids[i], &vfio_ids[i]) != 2) {
			fprintf(stderr, "%s: not ISO:IOMMU: %s\n", argv[0], argv[3 + i]);
			return 2;
		}
	if (sec_page_tables() < 0) {
		fail("%s", "no SecPageTables in /proc/meminfo", 0);
		return 1;
	}
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		fail("%s", "mmap", errno);
		return 1;
	}
	memset(buf, 0x5a, size);

	printf("ISOTEST-BENCH: %zu MiB mapped; SecPageTables growth in KiB, map time in ms\n",
	       size >> 20);
	printf("ISOTEST-BENCH: K  separate KiB  ms  merged KiB  ms  merged/one-group KiB  ms  separate/merged KiB  ms\n");
	for (k = 1; k <= kmax; k *= 2) {
		char r1[16], r2[16], r3[16], r4[16];

		if (!run(ids, k, false, buf, size, &sep) ||
		    !run(ids, k, true, buf, size, &mrg))
			break;
		if (k == 1)
			one = mrg;
		ratio(r1, sizeof(r1), mrg.kib, one.kib);
		ratio(r2, sizeof(r2), mrg.us, one.us);
		ratio(r3, sizeof(r3), sep.kib, mrg.kib);
		ratio(r4, sizeof(r4), sep.us, mrg.us);
		printf("ISOTEST-BENCH: %d  %ld  %lld  %ld  %lld  %s  %s  %s  %s\n",
		       k, sep.kib, sep.us / 1000, mrg.kib, mrg.us / 1000,
		       r1, r2, r3, r4);
		fflush(stdout);
	}
	munmap(buf, size);
	return nr_failed ? 1 : 0;
}
