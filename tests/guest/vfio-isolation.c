// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest test of VFIO as the manager of isolation groups.  It drives the VFIO
 * UAPI the way QEMU does (group, container, SET_CONTAINER, SET_IOMMU,
 * MAP_DMA, device fd; and the iommufd device path, with an IOAS shared by
 * two devices) on the devices of topology_vfio in tests/topologies.sh, and
 * checks the sysfs state of the isolation groups at every step:
 *
 *   M: two e1000 functions of one multifunction slot on the root complex
 *      (no ACS between them)
 *   A, B: an e1000e alone behind a root port with ACS
 *   R: a multifunction root port without ACS (pcieport bound to both
 *      functions) with an e1000e, QEMU id "r0", below the first; an
 *      e1000e is hot-added below the second, then r0 is hot-removed
 *   S: a switch without ACS below a root port, an e1000e (S1, S2) below
 *      each of two downstream ports: one isolation group, two VFIO groups
 *      (iommu groups), which one container or iommufd context at a time
 *      may use
 *
 * It runs under VT-d, AMD-Vi and virtio-iommu ("isotest_iommu=" on the
 * kernel command line); under VT-d the merges are checked in the hardware
 * too, in the context entries that the VT-d debugfs shows.
 *
 * Each check prints "ISOTEST: ok - vfio-NAME" or "ISOTEST: not ok -
 * vfio-NAME: why".  Built static into the guest initramfs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "vfio-lib.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Under VT-d, whose debugfs shows the context entries. */
static bool vtd;

/* The devices under test, found from the topology. */
static char m1[16], m2[16], a[16], b[16], r[16], rport[16], s1[16], s2[16];
static int gm, ga, gb, gr, gs;

/* Finds the devices of topology_vfio by driver and grouping. */
static bool t_discover(void)
{
	struct dirent *de;
	DIR *d = opendir(PCI "/devices");

	if (!d)
		return fail("no " PCI "/devices");
	while ((de = readdir(d))) {
		const char *bdf = de->d_name;
		char members[PATH_MAX], drv[PATH_MAX];
		int n = 0;
		DIR *gd;

		if (bdf[0] == '.')
			continue;
		/* driver_of() and group_of() share a buffer: copy. */
		snprintf(drv, sizeof(drv), "%s", driver_of(bdf));
		snprintf(members, sizeof(members), ISO "/%d/devices",
			 group_of(bdf));
		gd = opendir(members);
		if (gd) {
			struct dirent *m;

			while ((m = readdir(gd)))
				n += m->d_name[0] != '.';
			closedir(gd);
		}
		if (!strcmp(drv, "e1000"))
			snprintf(*m1 ? m2 : m1, sizeof(m1), "%.15s", bdf);
		else if (!strcmp(drv, "e1000e") && n == 1)
			snprintf(*a ? b : a, sizeof(a), "%.15s", bdf);
		else if (!strcmp(drv, "e1000e") && n == 3)
			snprintf(r, sizeof(r), "%.15s", bdf);
		else if (!strcmp(drv, "pcieport") && n == 3)
			snprintf(rport, sizeof(rport), "%.15s", bdf);
		else if (!strcmp(drv, "e1000e") && n == 4)
			snprintf(*s1 ? s2 : s1, sizeof(s1), "%.15s", bdf);
	}
	closedir(d);
	if (!*m2 || !*b || !*r || !*rport || !*s2)
		return fail("topology not found: e1000 %s %s, e1000e %s %s %s %s %s, port %s",
			    m1, m2, a, b, r, s1, s2, rport);
	gm = group_of(m1);
	ga = group_of(a);
	gb = group_of(b);
	gr = group_of(r);
	gs = group_of(s1);
	printf("M=%d (%s %s) A=%d (%s) B=%d (%s) R=%d (%s %s) S=%d (%s %s)\n",
	       gm, m1, m2, ga, a, gb, b, gr, rport, r, gs, s1, s2);
	if (group_of(s2) != gs)
		return fail("S1 and S2 are not in one isolation group");
	if (iommu_group_of(s1) == iommu_group_of(s2))
		return fail("S1 and S2 share an iommu group: the test needs two");
	if (group_of(m2) != gm || group_of(rport) != gr)
		return fail("groups M and R are not as the topology says");
	return true;
}

/* Before VFIO: every group unmanaged, each its own context. */
static bool t_initial(void)
{
	int ids[] = { gm, ga, gb, gr };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (!expect_group(ids[i], "unmanaged", ""))
			return false;
		if (context_of(ids[i]) != ids[i])
			return fail("group %d has context %d", ids[i],
				    context_of(ids[i]));
	}
	return true;
}

static int fd_m = -1, fd_a = -1, fd_b = -1, fd_r = -1, container = -1;

/*
 * M with m1 on vfio-pci and m2 still on e1000: opening the group makes VFIO
 * its manager, but it is not locked (and not viable) while e1000 is bound.
 */
static bool t_open_managed(void)
{
	int ret = bind_to(m1, "vfio-pci");

	if (ret)
		return fail("binding %s to vfio-pci: %s", m1, strerror(-ret));
	if (!expect_driver(m1, "vfio-pci") || !expect_driver(m2, "e1000"))
		return false;
	if (!expect_group(gm, "unmanaged", ""))
		return false;
	fd_m = open_group(m1);
	if (fd_m < 0)
		return fail("open /dev/vfio/%d: %s", iommu_group_of(m1),
			    strerror(errno));
	return expect_group(gm, "managed", "vfio") &&
	       expect_viable_agrees(fd_m, gm);
}

/* The foreign driver leaving locks the group, and VFIO calls it viable. */
static bool t_locked(void)
{
	int ret = unbind(m2);

	if (ret)
		return fail("unbinding %s: %s", m2, strerror(-ret));
	return expect_group(gm, "locked", "vfio") &&
	       expect_viable_agrees(fd_m, gm);
}

/* After a refused bind: still unbound, locked, in the same group. */
static bool unchanged(const char *route)
{
	if (*driver_of(m2))
		return fail("%s bound %s to %s", route, m2, driver_of(m2));
	if (group_of(m2) != gm)
		return fail("%s: %s left group %d", route, m2, gm);
	if (!expect_group(gm, "locked", "vfio"))
		return fail("%s: %s", route, why);
	return expect_viable_agrees(fd_m, gm);
}

static bool t_route_bind(void)
{
	int ret = write_str(PCI "/drivers/e1000/bind", m2);

	if (ret != -ENODEV)
		return fail("drivers/e1000/bind gave %s, expected ENODEV",
			    strerror(-ret));
	return unchanged("drivers/e1000/bind");
}

static bool t_route_drivers_probe(void)
{
	write_str(PCI "/drivers_probe", m2);
	return unchanged("drivers_probe");
}

static bool t_route_driver_override(void)
{
	int ret = write_str(dev_attr_path(m2, "driver_override"), "e1000");

	if (ret)
		return fail("driver_override: %s", strerror(-ret));
	write_str(PCI "/drivers_probe", m2);
	ret = unchanged("driver_override");
	clear_override(m2);
	return ret;
}

/* e1000e is told to take the 82540EM of m2 through new_id. */
static bool t_route_new_id(void)
{
	char id[32], vendor[16], device[16];
	int ret;

	read_str(dev_attr_path(m2, "vendor"), vendor, sizeof(vendor));
	read_str(dev_attr_path(m2, "device"), device, sizeof(device));
	snprintf(id, sizeof(id), "%s %s", vendor + 2, device + 2);
	ret = write_str(PCI "/drivers/e1000e/new_id", id);
	if (ret)
		return fail("e1000e/new_id '%s': %s", id, strerror(-ret));
	ret = unchanged("new_id");
	write_str(PCI "/drivers/e1000e/remove_id", id);
	return ret;
}

/* Removed and found again by a rescan, m2 is back in M and unbound. */
static bool t_route_rescan(void)
{
	int ret = write_str(dev_attr_path(m2, "remove"), "1");

	if (ret)
		return fail("remove: %s", strerror(-ret));
	if (!wait_for(dev_absent, m2, 10))
		return fail("%s was not removed", m2);
	ret = write_str(PCI "/rescan", "1");
	if (ret)
		return fail("rescan: %s", strerror(-ret));
	if (!wait_for(dev_present, m2, 10))
		return fail("%s did not come back", m2);
	return unchanged("remove and rescan");
}

/*
 * pci-stub manages DMA ownership itself: VFIO accepts it in a viable group,
 * so the isolation group accepts it too and stays locked.
 */
static bool t_driver_managed_dma(void)
{
	int ret = bind_to(m2, "pci-stub");

	if (ret)
		return fail("binding %s to pci-stub: %s", m2, strerror(-ret));
	ret = expect_driver(m2, "pci-stub") &&
	      expect_group(gm, "locked", "vfio") &&
	      expect_viable_agrees(fd_m, gm);
	unbind(m2);
	clear_override(m2);
	return ret;
}

/* A and B on vfio-pci: open, they lock at once. */
static bool t_open_locked(void)
{
	const char *devs[] = { a, b };
	int *fds[] = { &fd_a, &fd_b };
	int ids[] = { ga, gb };
	int i, ret;

	for (i = 0; i < 2; i++) {
		ret = bind_to(devs[i], "vfio-pci");
		if (ret)
			return fail("binding %s: %s", devs[i], strerror(-ret));
		*fds[i] = open_group(devs[i]);
		if (*fds[i] < 0)
			return fail("open group of %s: %s", devs[i],
				    strerror(errno));
		if (!expect_group(ids[i], "locked", "vfio") ||
		    !expect_viable_agrees(*fds[i], ids[i]))
			return false;
	}
	return true;
}

static char *dma_buf;
#define DMA_IOVA 0x100000
#define DMA_SIZE 0x100000

/* QEMU's order: container, SET_CONTAINER, SET_IOMMU, MAP_DMA. */
static bool t_container(void)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = DMA_IOVA,
		.size = DMA_SIZE,
	};

	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		return fail("open /dev/vfio/vfio: %s", strerror(errno));
	if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return fail("VFIO_GET_API_VERSION");
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1)
		return fail("no VFIO_TYPE1v2_IOMMU");
	if (ioctl(fd_a, VFIO_GROUP_SET_CONTAINER, &container))
		return fail("SET_CONTAINER A: %s", strerror(errno));
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return fail("SET_IOMMU: %s", strerror(errno));
	dma_buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dma_buf == MAP_FAILED)
		return fail("mmap: %s", strerror(errno));
	memset(dma_buf, 0x5a, DMA_SIZE);
	map.vaddr = (unsigned long)dma_buf;
	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map))
		return fail("MAP_DMA: %s", strerror(errno));
	/* Alone in its domain: a context of its own. */
	if (context_of(ga) != ga)
		return fail("A has context %d alone", context_of(ga));
	return expect_group(ga, "locked", "vfio");
}

/* The context entry of @bdf in the VT-d debugfs: domain id and table. */
static bool vtd_context(const char *bdf, unsigned int *did,
			unsigned long long *table)
{
	static const char path[] =
		"/sys/kernel/debug/iommu/intel/dmar_translation_struct";
	unsigned long long rhi, rlo, chi, clo;
	unsigned int bus, dev, fn;
	char line[512], want[16];
	FILE *f = fopen(path, "r");
	bool found = false;

	if (!f)
		return fail("%s: %s", path, strerror(errno));
	snprintf(want, sizeof(want), "%s", bdf + 5);
	while (fgets(line, sizeof(line), f)) {
		/* Indented lines are the reasons of the row above. */
		if (line[0] == ' ')
			continue;
		if (sscanf(line, "%x:%x.%x\t0x%llx:0x%llx\t0x%llx:0x%llx",
			   &bus, &dev, &fn, &rhi, &rlo, &chi, &clo) != 7)
			continue;
		snprintf(line, sizeof(line), "%02x:%02x.%x", bus, dev, fn);
		if (strcmp(line, want))
			continue;
		*did = (chi >> 8) & 0xffff;
		*table = clo & ~0xfffULL;
		found = true;
	}
	fclose(f);
	return found || fail("no context entry for %s", bdf);
}

/*
 * B joins the container after the mapping exists: the IOMMU driver puts it
 * in A's domain (hot merge), so the groups are merged; the hardware agrees:
 * both context entries point to one domain and one page table, which holds
 * the mapping made before B joined.
 */
static bool t_hot_merge(void)
{
	unsigned int did_a, did_b, did_r;
	unsigned long long pt_a, pt_b, pt_r;

	if (ioctl(fd_b, VFIO_GROUP_SET_CONTAINER, &container))
		return fail("SET_CONTAINER B: %s", strerror(errno));
	if (context_of(ga) != context_of(gb))
		return fail("A and B have contexts %d and %d", context_of(ga),
			    context_of(gb));
	if (context_of(ga) != (ga < gb ? ga : gb))
		return fail("context %d is not the lower id", context_of(ga));
	if (context_of(gm) == context_of(ga) || context_of(gr) == context_of(ga))
		return fail("groups outside the container share context %d",
			    context_of(ga));
	if (!vtd)
		goto out;
	if (!vtd_context(a, &did_a, &pt_a) || !vtd_context(b, &did_b, &pt_b) ||
	    !vtd_context(r, &did_r, &pt_r))
		return false;
	printf("context entries: A did %u table %llx, B did %u table %llx, R did %u table %llx\n",
	       did_a, pt_a, did_b, pt_b, did_r, pt_r);
	if (did_a != did_b || pt_a != pt_b)
		return fail("A and B are merged but their context entries differ");
	if (did_r == did_a || pt_r == pt_a)
		return fail("R is not merged but shares A's domain");
out:
	return expect_group(ga, "locked", "vfio") &&
	       expect_group(gb, "locked", "vfio");
}

/* M, locked, joins too: three groups, one context. */
static bool t_merge_third(void)
{
	if (ioctl(fd_m, VFIO_GROUP_SET_CONTAINER, &container))
		return fail("SET_CONTAINER M: %s", strerror(errno));
	if (context_of(gm) != context_of(ga) || context_of(gb) != context_of(ga))
		return fail("contexts M %d A %d B %d", context_of(gm),
			    context_of(ga), context_of(gb));
	if (context_of(gr) == context_of(ga))
		return fail("R shares the context");
	return true;
}

/* The row of group @id in lsisol's table: manager, state and context. */
static bool lsisol_row(int id, char *mgr, char *state, int *context)
{
	char line[1024], prov[64], m[64], st[64];
	FILE *f = popen("lsisol", "r");
	bool found = false;
	int gid, ctx;

	if (!f)
		return fail("lsisol: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		/* Indented lines are the reasons of the row above. */
		if (line[0] == ' ')
			continue;
		if (sscanf(line, "%d %63s %63s %63s %d", &gid, prov, m, st,
			   &ctx) != 5 || gid != id)
			continue;
		strcpy(mgr, m);
		strcpy(state, st);
		*context = ctx;
		found = true;
	}
	if (pclose(f))
		return fail("lsisol failed");
	return found || fail("lsisol has no row for group %d", id);
}

/* lsisol shows the merge: M, A and B locked under vfio, one context. */
static bool t_lsisol_merged(void)
{
	int ids[] = { gm, ga, gb, gr };
	char mgr[64], state[64];
	int i, context[4];

	for (i = 0; i < 4; i++) {
		if (!lsisol_row(ids[i], mgr, state, &context[i]))
			return false;
		if (i < 3 && (strcmp(mgr, "vfio") || strcmp(state, "locked")))
			return fail("lsisol: group %d is %s under %s", ids[i],
				    state, mgr);
	}
	if (context[0] != context[1] || context[1] != context[2] ||
	    context[0] != context_of(ga))
		return fail("lsisol: contexts M %d A %d B %d, sysfs %d",
			    context[0], context[1], context[2], context_of(ga));
	if (context[3] != gr)
		return fail("lsisol: R (group %d) has context %d", gr,
			    context[3]);
	return true;
}

static int fd_dev = -1;

/* The device fd of A works as QEMU uses it. */
static bool t_device_fd(void)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	fd_dev = ioctl(fd_a, VFIO_GROUP_GET_DEVICE_FD, a);
	if (fd_dev < 0)
		return fail("GET_DEVICE_FD %s: %s", a, strerror(errno));
	if (ioctl(fd_dev, VFIO_DEVICE_GET_INFO, &info))
		return fail("DEVICE_GET_INFO: %s", strerror(errno));
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) || !info.num_regions)
		return fail("device info flags %x regions %u", info.flags,
			    info.num_regions);
	return expect_group(ga, "locked", "vfio");
}

/* B leaves the container: its own context again, A and M stay merged. */
static bool t_unmerge(void)
{
	if (ioctl(fd_b, VFIO_GROUP_UNSET_CONTAINER))
		return fail("UNSET_CONTAINER B: %s", strerror(errno));
	if (context_of(gb) != gb)
		return fail("B has context %d after leaving", context_of(gb));
	if (context_of(ga) != context_of(gm))
		return fail("A and M no longer share a context");
	if (context_of(ga) != (ga < gm ? ga : gm))
		return fail("A and M have context %d", context_of(ga));
	return expect_group(gb, "locked", "vfio");
}

/*
 * Letting go: the groups return to unmanaged with their own contexts, and
 * m2, left unbound, gets its host driver back.
 */
static bool t_release(void)
{
	close(fd_dev);
	close(fd_b);
	close(fd_a);
	close(fd_m);
	close(container);
	munmap(dma_buf, DMA_SIZE);
	if (!expect_group(ga, "unmanaged", "") ||
	    !expect_group(gb, "unmanaged", "") ||
	    !expect_group(gm, "unmanaged", ""))
		return false;
	if (context_of(ga) != ga || context_of(gm) != gm)
		return fail("contexts A %d M %d after release", context_of(ga),
			    context_of(gm));
	return expect_driver(m2, "e1000") && expect_driver(m1, "vfio-pci");
}

/* Unmanaged again, every route binds as before. */
static bool t_bind_allowed_again(void)
{
	int ret;

	unbind(m2);
	ret = write_str(PCI "/drivers/e1000/bind", m2);
	if (ret)
		return fail("drivers/e1000/bind: %s", strerror(-ret));
	if (!expect_driver(m2, "e1000"))
		return false;
	clear_override(m1);
	unbind(m1);
	write_str(PCI "/drivers_probe", m1);
	if (!expect_driver(m1, "e1000"))
		return false;
	clear_override(a);
	unbind(a);
	write_str(PCI "/drivers/e1000e/bind", a);
	return expect_driver(a, "e1000e") && expect_group(gm, "unmanaged", "");
}

/*
 * R: the root port stays bound to pcieport, which manages DMA itself, so R
 * is locked and viable as soon as its e1000e is on vfio-pci.
 */
static bool t_pcieport_counts(void)
{
	int ret = bind_to(r, "vfio-pci");

	if (ret)
		return fail("binding %s: %s", r, strerror(-ret));
	fd_r = open_group(r);
	if (fd_r < 0)
		return fail("open group of %s: %s", r, strerror(errno));
	return expect_driver(rport, "pcieport") &&
	       expect_group(gr, "locked", "vfio") &&
	       expect_viable_agrees(fd_r, gr);
}

static char hot[16];

/* A device that is none of the known ones has appeared, in a group. */
static bool hot_present(const char *unused)
{
	(void)unused;
	const char *known[] = { m1, m2, a, b, r, s1, s2 };
	struct dirent *de;
	DIR *d = opendir(PCI "/devices");
	unsigned int i;
	char vendor[16];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		for (i = 0; i < ARRAY_SIZE(known); i++)
			if (!strcmp(de->d_name, known[i]))
				break;
		if (i < ARRAY_SIZE(known) ||
		    read_str(dev_attr_path(de->d_name, "vendor"), vendor,
			     sizeof(vendor)) ||
		    strcmp(vendor, "0x8086") ||
		    !exists(dev_attr_path(de->d_name, "isolation_group")))
			continue;
		/* Ports and bridges of the topology have class 0x06xxxx. */
		read_str(dev_attr_path(de->d_name, "class"), vendor,
			 sizeof(vendor));
		if (!strncmp(vendor, "0x02", 4))
			snprintf(hot, sizeof(hot), "%.15s", de->d_name);
	}
	if (d)
		closedir(d);
	return *hot;
}

/*
 * An e1000e hot-added into R's empty slot while VFIO holds R joins R, which
 * stays locked: e1000e may not bind to it.
 */
static bool t_hotplug_into_managed(void)
{
	printf("ISOTEST-QMP: {\"execute\":\"device_add\",\"arguments\":{\"driver\":\"e1000e\",\"id\":\"r1\",\"bus\":\"rph\"}}\n");
	fflush(stdout);
	if (!wait_for(hot_present, NULL, 60))
		return fail("no device was hot-added below the second port");
	/* Let a probe, were one allowed, finish. */
	sleep_ms(1000);
	if (group_of(hot) != gr)
		return fail("%s is in group %d, not %d", hot, group_of(hot), gr);
	if (*driver_of(hot))
		return fail("%s was bound to %s", hot, driver_of(hot));
	return expect_group(gr, "locked", "vfio") &&
	       expect_viable_agrees(fd_r, gr);
}

/* Hot-removing the VFIO device of R while R is held: still held. */
static bool t_hot_remove_held(void)
{
	printf("ISOTEST-QMP: {\"execute\":\"device_del\",\"arguments\":{\"id\":\"r0\"}}\n");
	fflush(stdout);
	if (!wait_for(dev_absent, r, 60))
		return fail("%s was not removed", r);
	if (group_of(hot) != gr || *driver_of(hot))
		return fail("%s left R or was bound", hot);
	return expect_group(gr, "locked", "vfio");
}

/* Closing R gives the hot-added device its host driver. */
static bool t_hotplug_release(void)
{
	close(fd_r);
	if (!expect_group(gr, "unmanaged", ""))
		return false;
	return expect_driver(hot, "e1000e");
}

/* Binds @bdf to vfio-pci and opens its VFIO device file: the fd, or -1. */
static int open_cdev(const char *bdf)
{
	char path[PATH_MAX], name[64] = "";
	struct dirent *de;
	int fd, ret;
	DIR *d;

	ret = bind_to(bdf, "vfio-pci");
	if (ret) {
		fail("binding %s: %s", bdf, strerror(-ret));
		return -1;
	}
	d = opendir(dev_attr_path(bdf, "vfio-dev"));
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(name, sizeof(name), "%.63s", de->d_name);
	if (d)
		closedir(d);
	if (!*name) {
		fail("%s has no vfio-dev", bdf);
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	fd = open(path, O_RDWR);
	if (fd < 0)
		fail("open %s: %s", path, strerror(errno));
	return fd;
}

static bool bind_iommufd(int dev, int iommufd)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};

	return !ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind) ||
	       fail("BIND_IOMMUFD: %s", strerror(errno));
}

static bool attach_pt(int dev, __u32 pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = pt_id,
	};

	return !ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) ||
	       fail("ATTACH_IOMMUFD_PT %u: %s", pt_id, strerror(errno));
}

/* Clears the driver_override of @bdf and lets @drv, its host driver, bind. */
static bool give_back(const char *bdf, const char *drv)
{
	clear_override(bdf);
	unbind(bdf);
	write_str(PCI "/drivers_probe", bdf);
	return expect_driver(bdf, drv);
}

/* The iommufd device path: a bound device file holds the group. */
static bool t_cdev(void)
{
	int dev, iommufd;

	dev = open_cdev(b);
	if (dev < 0)
		return false;
	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0)
		return fail("open /dev/iommu: %s", strerror(errno));
	if (!expect_group(gb, "unmanaged", "") || !bind_iommufd(dev, iommufd) ||
	    !expect_group(gb, "locked", "vfio"))
		return false;
	close(dev);
	close(iommufd);
	return expect_group(gb, "unmanaged", "") && give_back(b, "e1000e");
}

/*
 * Fault injection (fail_nth): VFIO's claim of a group, on opening the
 * group and on binding a device file to iommufd, with the Nth allocation
 * of the call failing, for N = 1, 2, ... until the call completes without
 * reaching it.  A failed call leaves the group unmanaged; a successful
 * one locks it, and closing gives it back.  Needs failslab and
 * fail_page_alloc armed for sleeping allocations, which vfio.sh does.
 */
#define FAULT_MAX_NTH 10000

static int fail_nth_fd = -1;

static bool fault_arm(unsigned int nth)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", nth);

	if (fail_nth_fd < 0)
		fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	return fail_nth_fd >= 0 && pwrite(fail_nth_fd, buf, len, 0) == len;
}

/* Disarms; returns whether the armed failure was injected. */
static bool fault_disarm(void)
{
	char buf[16] = "";
	bool injected;

	injected = pread(fail_nth_fd, buf, sizeof(buf) - 1, 0) > 0 && atoi(buf) == 0;
	if (pwrite(fail_nth_fd, "0", 1, 0) != 1)
		fail("cannot disarm fail-nth");
	return injected;
}

/* Runs @call under fault injection and checks group @id after each run. */
static bool fault_loop(const char *name, int id, int (*call)(void), void (*undo)(int))
{
	unsigned int nth;
	bool injected;
	int ret, err;

	for (nth = 1; nth <= FAULT_MAX_NTH; nth++) {
		if (!fault_arm(nth))
			return fail("cannot arm /proc/thread-self/fail-nth: %s",
				    strerror(errno));
		ret = call();
		err = errno;
		injected = fault_disarm();
		if (ret < 0) {
			if (!injected)
				return fail("%s failed with nothing injected: %s",
					    name, strerror(err));
			if (!expect_group(id, "unmanaged", ""))
				return fail("%s failed (%s) at N=%u: %s", name,
					    strerror(err), nth, why);
		} else {
			if (!expect_group(id, "locked", "vfio"))
				return fail("%s at N=%u: %s", name, nth, why);
			undo(ret);
			if (!expect_group(id, "unmanaged", ""))
				return fail("after %s at N=%u: %s", name, nth, why);
		}
		if (!injected) {
			printf("ISOTEST-FAULT: %s %u injection points\n", name, nth - 1);
			return true;
		}
	}
	return fail("%s: more than %d injection points", name, FAULT_MAX_NTH);
}

static char fault_group_path[64];

static int fault_open_group(void)
{
	return open(fault_group_path, O_RDWR);
}

static void fault_close(int fd)
{
	close(fd);
}

static bool t_fault_group_open(void)
{
	int ret = bind_to(a, "vfio-pci");

	if (ret)
		return fail("binding %s to vfio-pci: %s", a, strerror(-ret));
	snprintf(fault_group_path, sizeof(fault_group_path), "/dev/vfio/%d",
		 iommu_group_of(a));
	return fault_loop("vfio_group_open", ga, fault_open_group, fault_close) &&
	       give_back(a, "e1000e");
}

static int fault_dev = -1, fault_iommufd = -1;

static int fault_bind_iommufd(void)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = fault_iommufd,
	};

	return ioctl(fault_dev, VFIO_DEVICE_BIND_IOMMUFD, &bind);
}

static char fault_cdev_path[PATH_MAX];

/* Closing the bound device file releases the group; then a new one. */
static void fault_unbind_iommufd(int ret)
{
	(void)ret;
	close(fault_dev);
	fault_dev = open(fault_cdev_path, O_RDWR);
}

static bool t_fault_iommufd_bind(void)
{
	bool ok;

	char *name;

	fault_dev = open_cdev(b);
	fault_iommufd = open("/dev/iommu", O_RDWR);
	if (fault_dev < 0 || fault_iommufd < 0)
		return fail("open: %s", strerror(errno));
	snprintf(fault_cdev_path, sizeof(fault_cdev_path), "/proc/self/fd/%d",
		 fault_dev);
	name = realpath(fault_cdev_path, NULL);
	if (!name)
		return fail("realpath %s: %s", fault_cdev_path, strerror(errno));
	snprintf(fault_cdev_path, sizeof(fault_cdev_path), "%s", name);
	free(name);
	ok = fault_loop("vfio_iommufd_bind", gb, fault_bind_iommufd,
			fault_unbind_iommufd);
	if (fault_dev >= 0)
		close(fault_dev);
	close(fault_iommufd);
	return ok && give_back(b, "e1000e");
}

/* Merged: A and B have the lower id as context; else each its own id. */
static bool expect_merged(bool merged)
{
	int low = ga < gb ? ga : gb;

	if (merged && (context_of(ga) != low || context_of(gb) != low))
		return fail("A and B are not merged: contexts %d and %d",
			    context_of(ga), context_of(gb));
	if (!merged && (context_of(ga) != ga || context_of(gb) != gb))
		return fail("A and B are merged: contexts %d and %d",
			    context_of(ga), context_of(gb));
	return true;
}

/*
 * The iommufd device path merges too: A and B, bound to one iommufd and
 * attached to one IOAS, share its page table's domain.  B joins after a
 * mapping exists, leaves with DETACH_IOMMUFD_PT, joins again and leaves by
 * closing its device file.
 */
static bool t_iommufd_merge(void)
{
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.length = DMA_SIZE,
		.iova = DMA_IOVA,
	};
	unsigned long long pt_a, pt_b;
	unsigned int did_a, did_b;
	int dev_a, dev_b, iommufd;
	char *buf;

	dev_a = open_cdev(a);
	dev_b = open_cdev(b);
	if (dev_a < 0 || dev_b < 0)
		return false;
	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0)
		return fail("open /dev/iommu: %s", strerror(errno));
	if (!bind_iommufd(dev_a, iommufd) || !bind_iommufd(dev_b, iommufd))
		return false;
	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc))
		return fail("IOMMU_IOAS_ALLOC: %s", strerror(errno));
	if (!attach_pt(dev_a, alloc.out_ioas_id))
		return false;
	buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return fail("mmap: %s", strerror(errno));
	memset(buf, 0xa5, DMA_SIZE);
	map.user_va = (uintptr_t)buf;
	map.ioas_id = alloc.out_ioas_id;
	if (ioctl(iommufd, IOMMU_IOAS_MAP, &map))
		return fail("IOMMU_IOAS_MAP: %s", strerror(errno));
	if (!expect_merged(false) || !attach_pt(dev_b, alloc.out_ioas_id) ||
	    !expect_merged(true))
		return false;
	if (vtd) {
		if (!vtd_context(a, &did_a, &pt_a) ||
		    !vtd_context(b, &did_b, &pt_b))
			return false;
		printf("iommufd context entries: A did %u table %llx, B did %u table %llx\n",
		       did_a, pt_a, did_b, pt_b);
		if (did_a != did_b || pt_a != pt_b)
			return fail("A and B are merged but their context entries differ");
	}
	if (ioctl(dev_b, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach))
		return fail("DETACH_IOMMUFD_PT: %s", strerror(errno));
	if (!expect_merged(false) || !attach_pt(dev_b, alloc.out_ioas_id) ||
	    !expect_merged(true))
		return false;
	close(dev_b);
	if (!expect_merged(false) || !expect_group(gb, "unmanaged", "") ||
	    !expect_group(ga, "locked", "vfio"))
		return false;
	close(dev_a);
	close(iommufd);
	munmap(buf, DMA_SIZE);
	return expect_group(ga, "unmanaged", "") && give_back(a, "e1000e") &&
	       give_back(b, "e1000e");
}

/* VFIO_GROUP_SET_CONTAINER with @fd: 0 or the errno. */
static int set_container(int group, int fd)
{
	return ioctl(group, VFIO_GROUP_SET_CONTAINER, &fd) ? errno : 0;
}

static bool container_set(int group)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };

	return !ioctl(group, VFIO_GROUP_GET_STATUS, &status) &&
	       (status.flags & VFIO_GROUP_FLAGS_CONTAINER_SET);
}

/*
 * The group path: the VFIO groups of S1 and S2, one isolation group, go to
 * one container.  Another container or an iommufd context is refused with
 * EBUSY, and the refused group stays out of any container; the same
 * container takes both; once the first owner lets go, another may take it.
 */
static bool t_switch_one_owner(void)
{
	int fd1, fd2, c1, c2, iommufd, ret;

	if (bind_to(s1, "vfio-pci") || bind_to(s2, "vfio-pci"))
		return fail("binding S1 and S2 to vfio-pci");
	fd1 = open_group(s1);
	fd2 = open_group(s2);
	c1 = open("/dev/vfio/vfio", O_RDWR);
	c2 = open("/dev/vfio/vfio", O_RDWR);
	iommufd = open("/dev/iommu", O_RDWR);
	if (fd1 < 0 || fd2 < 0 || c1 < 0 || c2 < 0 || iommufd < 0)
		return fail("open: %s", strerror(errno));
	if (!expect_group(gs, "locked", "vfio"))
		return false;
	if (set_container(fd1, c1) ||
	    ioctl(c1, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return fail("S1 into its container: %s", strerror(errno));
	ret = set_container(fd2, c2);
	if (ret != EBUSY)
		return fail("S2 into a second container: %s, expected EBUSY",
			    ret ? strerror(ret) : "accepted");
	ret = set_container(fd2, iommufd);
	if (ret != EBUSY)
		return fail("S2 into an iommufd context: %s, expected EBUSY",
			    ret ? strerror(ret) : "accepted");
	if (container_set(fd2))
		return fail("S2 is in a container after being refused");
	if (set_container(fd2, c1))
		return fail("S2 into S1's container: %s", strerror(errno));
	if (!container_set(fd2) || !expect_group(gs, "locked", "vfio"))
		return fail("S2 is not in S1's container");
	if (ioctl(fd2, VFIO_GROUP_UNSET_CONTAINER) ||
	    ioctl(fd1, VFIO_GROUP_UNSET_CONTAINER))
		return fail("UNSET_CONTAINER: %s", strerror(errno));
	/* No owner left: another container may take the isolation group. */
	if (set_container(fd2, c2))
		return fail("S2 into a second container once free: %s",
			    strerror(errno));
	ret = set_container(fd1, c1);
	if (ret != EBUSY)
		return fail("S1 into its first container now: %s, expected EBUSY",
			    ret ? strerror(ret) : "accepted");
	close(fd1);
	close(fd2);
	close(c1);
	close(c2);
	close(iommufd);
	return expect_group(gs, "unmanaged", "");
}

/*
 * The device path: S1 and S2 bound to one iommufd context, never to two;
 * binding S2 to a second context fails with EBUSY and leaves it unbound.
 */
static bool t_switch_one_owner_cdev(void)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	int dev1, dev2, i1, i2;

	dev1 = open_cdev(s1);
	dev2 = open_cdev(s2);
	if (dev1 < 0 || dev2 < 0)
		return false;
	i1 = open("/dev/iommu", O_RDWR);
	i2 = open("/dev/iommu", O_RDWR);
	if (i1 < 0 || i2 < 0)
		return fail("open /dev/iommu: %s", strerror(errno));
	if (!bind_iommufd(dev1, i1))
		return false;
	bind.iommufd = i2;
	if (!ioctl(dev2, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return fail("S2 bound to a second iommufd context");
	if (errno != EBUSY)
		return fail("S2 to a second iommufd context: %s, expected EBUSY",
			    strerror(errno));
	if (!bind_iommufd(dev2, i1) || !expect_group(gs, "locked", "vfio"))
		return false;
	close(dev2);
	close(dev1);
	/* Free again: S2 alone may go to the other context. */
	dev2 = open_cdev(s2);
	if (dev2 < 0 || !bind_iommufd(dev2, i2))
		return false;
	close(dev2);
	close(i1);
	close(i2);
	return expect_group(gs, "unmanaged", "") && give_back(s1, "e1000e") &&
	       give_back(s2, "e1000e");
}

int main(void)
{
	char cmdline[4096];

	if (read_str("/proc/cmdline", cmdline, sizeof(cmdline)) == 0)
		vtd = strstr(cmdline, "isotest_iommu=intel ") != NULL;
	printf("hardware context entries checked: %s\n", vtd ? "yes (VT-d)" : "no (VT-d only)");
	check("discover", t_discover);
	if (nr_failed)
		return 1;
	check("initial", t_initial);
	check("open-managed", t_open_managed);
	check("locked", t_locked);
	check("refused-bind", t_route_bind);
	check("refused-drivers-probe", t_route_drivers_probe);
	check("refused-driver-override", t_route_driver_override);
	check("refused-new-id", t_route_new_id);
	check("refused-remove-rescan", t_route_rescan);
	check("driver-managed-dma", t_driver_managed_dma);
	check("open-locked", t_open_locked);
	check("container", t_container);
	check("hot-merge", t_hot_merge);
	check("merge-third", t_merge_third);
	check("lsisol-merged", t_lsisol_merged);
	check("device-fd", t_device_fd);
	check("unmerge", t_unmerge);
	check("release", t_release);
	check("bind-allowed-again", t_bind_allowed_again);
	check("pcieport-counts", t_pcieport_counts);
	check("hotplug-into-managed", t_hotplug_into_managed);
	check("hot-remove-held", t_hot_remove_held);
	check("hotplug-release", t_hotplug_release);
	check("cdev", t_cdev);
	check("iommufd-merge", t_iommufd_merge);
	check("switch-one-owner", t_switch_one_owner);
	check("switch-one-owner-cdev", t_switch_one_owner_cdev);
	check("fault-group-open", t_fault_group_open);
	check("fault-iommufd-bind", t_fault_iommufd_bind);
	return nr_failed ? 1 : 0;
}
