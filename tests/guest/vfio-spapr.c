// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest test of VFIO as the manager of isolation groups on pseries, through
 * the sPAPR TCE IOMMU backend, the way QEMU drives it (group, container,
 * SET_CONTAINER, SET_IOMMU VFIO_SPAPR_TCE_v2_IOMMU, memory registration,
 * MAP_DMA in the DMA window, device fd), on topology_pseries of
 * tests/topologies.sh:
 *
 *   P: the two devices on the root bus of PHB 1, one partitionable
 *      endpoint (PE): one isolation group and one iommu group
 *   Q: the two functions of the multifunction device on PHB 3, another PE,
 *      which P's container cannot take (sPAPR containers share no tables
 *      between PEs on pseries, so nothing merges)
 *
 * Each check prints "ISOTEST: ok - vfio-NAME" or "ISOTEST: not ok -
 * vfio-NAME: why".  Built static for ppc64le into the pseries initramfs.
 */
#include <dirent.h>
#include <stdint.h>
#include <sys/mman.h>

#include "vfio-lib.h"

#define HOST_DRIVER "serial"

static char p1[16], p2[16], q1[16], q2[16];
static int gp, gq;

/* A device of @bdf's isolation group whose name is not @bdf, into @other. */
static bool group_peer(const char *bdf, char *other, size_t size)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), ISO "/%d/devices", group_of(bdf));
	d = opendir(path);
	if (!d)
		return false;
	other[0] = 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, bdf) &&
		    strlen(de->d_name) < size)
			strcpy(other, de->d_name);
	closedir(d);
	return other[0];
}

/*
 * P and Q, found by their PHBs (domains 0001 and 0003): each PE is one
 * isolation group of the pseries provider, and one iommu group.
 */
static bool t_discover(void)
{
	snprintf(p1, sizeof(p1), "0001:00:01.0");
	snprintf(q1, sizeof(q1), "0003:00:01.0");
	if (!dev_present(p1) || !dev_present(q1))
		return fail("no %s or %s: not topology_pseries", p1, q1);
	if (!group_peer(p1, p2, sizeof(p2)) || !group_peer(q1, q2, sizeof(q2)))
		return fail("%s or %s is alone in its group", p1, q1);
	gp = group_of(p1);
	gq = group_of(q1);
	printf("P: group %d: %s %s; Q: group %d: %s %s\n", gp, p1, p2, gq,
	       q1, q2);
	if (gp == gq)
		return fail("P and Q share group %d", gp);
	if (strcmp(group_attr(gp, "provider"), "pseries-pe"))
		return fail("group %d has provider '%s'", gp,
			    group_attr(gp, "provider"));
	if (iommu_group_of(p1) != iommu_group_of(p2) ||
	    iommu_group_of(q1) != iommu_group_of(q2))
		return fail("a PE is split across iommu groups");
	return expect_group(gp, "unmanaged", "") &&
	       expect_group(gq, "unmanaged", "") &&
	       expect_driver(p1, HOST_DRIVER) && expect_driver(p2, HOST_DRIVER);
}

static int fd_p = -1, fd_q = -1, container = -1, fd_dev = -1;

/* p1 on vfio-pci, p2 on its host driver: opening the group manages it. */
static bool t_open_managed(void)
{
	int ret = bind_to(p1, "vfio-pci");

	if (ret)
		return fail("binding %s to vfio-pci: %s", p1, strerror(-ret));
	if (!expect_driver(p1, "vfio-pci") || !expect_group(gp, "unmanaged", ""))
		return false;
	fd_p = open_group(p1);
	if (fd_p < 0)
		return fail("open /dev/vfio/%d: %s", iommu_group_of(p1),
			    strerror(errno));
	return expect_group(gp, "managed", "vfio") &&
	       expect_viable_agrees(fd_p, gp);
}

/* The host driver leaving p2 locks the group; VFIO calls it viable. */
static bool t_locked(void)
{
	int ret = unbind(p2);

	if (ret)
		return fail("unbinding %s: %s", p2, strerror(-ret));
	return expect_group(gp, "locked", "vfio") &&
	       expect_viable_agrees(fd_p, gp);
}

/* After a refused bind: p2 still unbound, the group locked. */
static bool unchanged(const char *route)
{
	if (*driver_of(p2))
		return fail("%s bound %s to %s", route, p2, driver_of(p2));
	if (group_of(p2) != gp)
		return fail("%s: %s left group %d", route, p2, gp);
	if (!expect_group(gp, "locked", "vfio"))
		return fail("%s: %s", route, why);
	return expect_viable_agrees(fd_p, gp);
}

static bool t_route_bind(void)
{
	int ret = write_str(PCI "/drivers/" HOST_DRIVER "/bind", p2);

	if (ret != -ENODEV)
		return fail("drivers/%s/bind gave %s, expected ENODEV",
			    HOST_DRIVER, strerror(-ret));
	return unchanged("bind");
}

static bool t_route_drivers_probe(void)
{
	write_str(PCI "/drivers_probe", p2);
	return unchanged("drivers_probe");
}

static bool t_route_driver_override(void)
{
	int ret = write_str(dev_attr_path(p2, "driver_override"), HOST_DRIVER);

	if (ret)
		return fail("driver_override: %s", strerror(-ret));
	write_str(PCI "/drivers_probe", p2);
	ret = unchanged("driver_override");
	clear_override(p2);
	return ret;
}

static char *dma_buf;
#define DMA_SIZE 0x100000

/*
 * QEMU's order for a sPAPR v2 container: SET_CONTAINER, SET_IOMMU, GET_INFO,
 * REGISTER_MEMORY, MAP_DMA at the start of the 32-bit DMA window.
 */
static bool t_container(void)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_spapr_register_memory reg = {
		.argsz = sizeof(reg),
		.size = DMA_SIZE,
	};
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.size = DMA_SIZE,
	};

	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		return fail("open /dev/vfio/vfio: %s", strerror(errno));
	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_v2_IOMMU) != 1)
		return fail("no VFIO_SPAPR_TCE_v2_IOMMU");
	if (ioctl(fd_p, VFIO_GROUP_SET_CONTAINER, &container))
		return fail("SET_CONTAINER P: %s", strerror(errno));
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU))
		return fail("SET_IOMMU: %s", strerror(errno));
	if (ioctl(container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info))
		return fail("SPAPR_TCE_GET_INFO: %s", strerror(errno));
	printf("DMA32 window 0x%llx+0x%llx, %u levels\n",
	       (unsigned long long)info.dma32_window_start,
	       (unsigned long long)info.dma32_window_size,
	       info.ddw.levels);
	dma_buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dma_buf == MAP_FAILED)
		return fail("mmap: %s", strerror(errno));
	memset(dma_buf, 0x5a, DMA_SIZE);
	reg.vaddr = (uintptr_t)dma_buf;
	if (ioctl(container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg))
		return fail("SPAPR_REGISTER_MEMORY: %s", strerror(errno));
	map.vaddr = (uintptr_t)dma_buf;
	map.iova = info.dma32_window_start;
	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map))
		return fail("MAP_DMA at 0x%llx: %s",
			    (unsigned long long)map.iova, strerror(errno));
	return expect_group(gp, "locked", "vfio");
}

/* A container whose IOMMU is set cannot take P's group a second time. */
static bool t_one_owner(void)
{
	int other = open("/dev/vfio/vfio", O_RDWR);
	bool ret = true;

	if (other < 0)
		return fail("open /dev/vfio/vfio: %s", strerror(errno));
	if (!ioctl(fd_p, VFIO_GROUP_SET_CONTAINER, &other))
		ret = fail("P joined a second container");
	close(other);
	return ret && expect_group(gp, "locked", "vfio");
}

/*
 * Q, on vfio-pci, cannot join P's container: on pseries a v2 container's
 * DMA windows are windows of one PE, which spapr_tce_set_window() sets in
 * no other PE, so nothing is shared and nothing merged.  Both groups stay
 * as they were, and Q works through a container of its own.
 */
static int container_q = -1;

static bool t_second_pe(void)
{
	const char *devs[] = { q1, q2 };
	int i, ret;

	for (i = 0; i < 2; i++) {
		ret = bind_to(devs[i], "vfio-pci");
		if (ret)
			return fail("binding %s: %s", devs[i], strerror(-ret));
	}
	fd_q = open_group(q1);
	if (fd_q < 0)
		return fail("open group of %s: %s", q1, strerror(errno));
	if (!expect_group(gq, "locked", "vfio") ||
	    !expect_viable_agrees(fd_q, gq))
		return false;
	if (!ioctl(fd_q, VFIO_GROUP_SET_CONTAINER, &container))
		return fail("Q joined P's container");
	if (errno != EPERM)
		return fail("SET_CONTAINER Q into P's container: %s, expected EPERM",
			    strerror(errno));
	if (context_of(gp) != gp || context_of(gq) != gq)
		return fail("contexts %d and %d after a refused join",
			    context_of(gp), context_of(gq));
	if (!expect_group(gp, "locked", "vfio") ||
	    !expect_group(gq, "locked", "vfio"))
		return false;

	container_q = open("/dev/vfio/vfio", O_RDWR);
	if (container_q < 0)
		return fail("open /dev/vfio/vfio: %s", strerror(errno));
	if (ioctl(fd_q, VFIO_GROUP_SET_CONTAINER, &container_q))
		return fail("SET_CONTAINER Q: %s", strerror(errno));
	if (ioctl(container_q, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU))
		return fail("SET_IOMMU Q: %s", strerror(errno));
	return expect_group(gq, "locked", "vfio") && context_of(gq) == gq;
}

static bool t_device_fd(void)
{
	fd_dev = ioctl(fd_p, VFIO_GROUP_GET_DEVICE_FD, p1);
	if (fd_dev < 0)
		return fail("GET_DEVICE_FD %s: %s", p1, strerror(errno));
	return expect_group(gp, "locked", "vfio");
}

/* Closing everything gives both groups back. */
static bool t_release(void)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.size = DMA_SIZE,
	};
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };

	close(fd_dev);
	if (!ioctl(container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info)) {
		unmap.iova = info.dma32_window_start;
		if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
			return fail("UNMAP_DMA: %s", strerror(errno));
	}
	if (ioctl(fd_q, VFIO_GROUP_UNSET_CONTAINER) ||
	    ioctl(fd_p, VFIO_GROUP_UNSET_CONTAINER))
		return fail("UNSET_CONTAINER: %s", strerror(errno));
	close(container_q);
	close(container);
	close(fd_q);
	if (!expect_group(gq, "unmanaged", ""))
		return false;
	if (!expect_group(gp, "locked", "vfio"))
		return false;
	close(fd_p);
	return expect_group(gp, "unmanaged", "");
}

/* Once released, the host driver binds again. */
static bool t_host_driver_back(void)
{
	const char *devs[] = { p1, p2, q1, q2 };
	int i;

	for (i = 0; i < 4; i++) {
		clear_override(devs[i]);
		unbind(devs[i]);
		write_str(PCI "/drivers_probe", devs[i]);
		if (!expect_driver(devs[i], HOST_DRIVER))
			return false;
	}
	return expect_group(gp, "unmanaged", "") &&
	       expect_group(gq, "unmanaged", "");
}

int main(void)
{
	check("discover", t_discover);
	if (nr_failed)
		return 1;
	check("open-managed", t_open_managed);
	check("locked", t_locked);
	check("refused-bind", t_route_bind);
	check("refused-drivers-probe", t_route_drivers_probe);
	check("refused-driver-override", t_route_driver_override);
	check("container", t_container);
	check("one-owner", t_one_owner);
	check("second-pe", t_second_pe);
	check("device-fd", t_device_fd);
	check("release", t_release);
	check("host-driver-back", t_host_driver_back);
	return nr_failed ? 1 : 0;
}
