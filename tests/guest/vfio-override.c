// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO on two isolation groups that a declared override keeps apart
 * (tests/guest/override.sh): the devices of side A and of side B, each side
 * below a port declared isolating of one switch whose ports lack ACS, go to
 * two containers, which only two isolation groups allow (one isolation
 * group has one owner); then the devices go back to their driver.
 *
 *	vfio-override DRIVER A[,A...] B[,B...]
 *
 * Every device is bound to vfio-pci, then back to DRIVER.
 */
#include "vfio-lib.h"

static char *side[2][8];
static int nr[2];
static const char *driver;

static bool bind_side(int s, const char *drv)
{
	int i, ret;

	for (i = 0; i < nr[s]; i++) {
		ret = bind_to(side[s][i], drv);
		if (ret)
			return fail("binding %s to %s: %s", side[s][i], drv,
				    strerror(-ret));
	}
	return true;
}

/* The sides are two isolation groups, each all bound to vfio-pci: locked. */
static bool t_two_groups(void)
{
	int s, i, g[2];

	for (s = 0; s < 2; s++) {
		if (!bind_side(s, "vfio-pci"))
			return false;
		g[s] = group_of(side[s][0]);
		for (i = 1; i < nr[s]; i++)
			if (group_of(side[s][i]) != g[s])
				return fail("%s and %s are in groups %d and %d",
					    side[s][0], side[s][i], g[s],
					    group_of(side[s][i]));
	}
	if (g[0] < 0 || g[0] == g[1])
		return fail("%s and %s are in groups %d and %d", side[0][0],
			    side[1][0], g[0], g[1]);
	return true;
}

/*
 * Each side's VFIO groups go to a container of its own, with the type1
 * IOMMU set; both isolation groups are then locked by vfio.
 */
static bool t_two_containers(void)
{
	int fd[2][8], c[2], s, i, id, ret = true;

	for (s = 0; s < 2; s++) {
		c[s] = open("/dev/vfio/vfio", O_RDWR);
		if (c[s] < 0)
			return fail("/dev/vfio/vfio: %s", strerror(errno));
		for (i = 0; i < nr[s]; i++) {
			/* Devices of one iommu group share a VFIO group. */
			fd[s][i] = -1;
			if (i && iommu_group_of(side[s][i]) ==
				 iommu_group_of(side[s][i - 1]))
				continue;
			fd[s][i] = open_group(side[s][i]);
			if (fd[s][i] < 0)
				return fail("VFIO group of %s: %s", side[s][i],
					    strerror(errno));
			if (ioctl(fd[s][i], VFIO_GROUP_SET_CONTAINER, &c[s]))
				return fail("%s into container %d: %s",
					    side[s][i], s, strerror(errno));
		}
		if (ioctl(c[s], VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
			return fail("VFIO_SET_IOMMU on container %d: %s", s,
				    strerror(errno));
	}
	for (s = 0; s < 2 && ret; s++) {
		id = group_of(side[s][0]);
		ret = expect_group(id, "locked", "vfio") &&
		      expect_viable_agrees(fd[s][0], id);
	}
	for (s = 0; s < 2; s++) {
		for (i = 0; i < nr[s]; i++)
			if (fd[s][i] >= 0)
				close(fd[s][i]);
		close(c[s]);
	}
	return ret;
}

/* Released, the groups are unmanaged, and the devices back with DRIVER. */
static bool t_released(void)
{
	int s, i;

	for (s = 0; s < 2; s++) {
		if (!bind_side(s, driver))
			return false;
		for (i = 0; i < nr[s]; i++)
			if (clear_override(side[s][i]))
				return fail("clearing %s's driver_override",
					    side[s][i]);
		if (!expect_group(group_of(side[s][0]), "unmanaged", ""))
			return false;
		for (i = 0; i < nr[s]; i++)
			if (!expect_driver(side[s][i], driver))
				return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	char *tok;
	int s;

	if (argc != 4) {
		fprintf(stderr, "usage: %s DRIVER A[,A...] B[,B...]\n", argv[0]);
		return 2;
	}
	driver = argv[1];
	for (s = 0; s < 2; s++)
		for (tok = strtok(argv[2 + s], ","); tok && nr[s] < 8;
		     tok = strtok(NULL, ","))
			side[s][nr[s]++] = tok;
	check("two-groups", t_two_groups);
	check("two-containers", t_two_containers);
	check("released", t_released);
	return nr_failed ? 1 : 0;
}
