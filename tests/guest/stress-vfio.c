// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO workers of the stress test (tests/guest/stress.sh):
 *
 *	stress-vfio hold DEVICE WATCHED SECONDS
 *		Opens and closes the VFIO group of DEVICE (bound to vfio-pci)
 *		for SECONDS.  While the group is open, VFIO manages its
 *		isolation group, so no foreign driver can bind in it and the
 *		group can only go from managed to locked: the group must read
 *		managed or locked, and once it reads locked, WATCHED (another
 *		device of the group) must be bound to no driver or to
 *		vfio-pci.  Between two opens the group stays released for
 *		HOLD_GAP_US, so that the binds racing with the opens win
 *		some of the time.  Exits 1 at the first violation.
 *	stress-vfio cdev DEVICE
 *		Opens DEVICE's VFIO device file, binds it to a new iommufd
 *		context and closes both.  Exits 1 if any step fails.
 *	stress-vfio links SECONDS
 *		For SECONDS, checks over and over that every PCI device links
 *		to a group that lists it and that every device a group lists
 *		links back to it.  A device found otherwise is checked again
 *		after a second, since it may be on its way in or out; exits 1
 *		if it still is.
 *
 * Each prints one line of counts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#define PCI "/sys/bus/pci/devices/"

static void read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* The last component of the link @dev/@name, or "" if there is none. */
static void link_name(const char *dev, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *last;
	ssize_t n;

	snprintf(path, sizeof(path), PCI "%s/%s", dev, name);
	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	last = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	n = strlen(last) < len ? (ssize_t)strlen(last) : (ssize_t)len - 1;
	memcpy(buf, last, n);
	buf[n] = '\0';
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A bind through sysfs takes about as long as a hold under TCG: with no gap
 * at all between the holds, none of a minute's dozen binds may find the
 * group released.
 */
#define HOLD_GAP_US 100000

static int hold(const char *dev, const char *watched, double seconds)
{
	long opens = 0, busy = 0, checks = 0, locked = 0;
	char group[32], iommu_group[32], path[PATH_MAX], state[32], drv[64];
	double end = now() + seconds;
	int fd, i;

	link_name(dev, "isolation_group", group, sizeof(group));
	link_name(dev, "iommu_group", iommu_group, sizeof(iommu_group));
	if (!*group || !*iommu_group) {
		printf("hold: %s has no isolation or iommu group\n", dev);
		return 1;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%s", iommu_group);
	while (now() < end) {
		fd = open(path, O_RDWR);
		if (fd < 0) {
			busy++;
			usleep(1000);
			continue;
		}
		opens++;
		for (i = 0; i < 10; i++) {
			char state_path[PATH_MAX];

			snprintf(state_path, sizeof(state_path),
				 "/sys/kernel/isolation_groups/%s/state", group);
			read_line(state_path, state, sizeof(state));
			link_name(watched, "driver", drv, sizeof(drv));
			checks++;
			if (strcmp(state, "managed") && strcmp(state, "locked")) {
				printf("hold: group %s is %s while VFIO holds it\n",
				       group, state);
				return 1;
			}
			if (!strcmp(state, "locked")) {
				locked++;
				if (*drv && strcmp(drv, "vfio-pci")) {
					printf("hold: group %s locked with %s bound to %s\n",
					       group, watched, drv);
					return 1;
				}
			}
		}
		close(fd);
		usleep(HOLD_GAP_US);
	}
	printf("hold: %ld opens, %ld refused, %ld checks, %ld locked\n",
	       opens, busy, checks, locked);
	return 0;
}

static int cdev(const char *dev)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	char path[PATH_MAX], name[64] = "";
	struct dirent *de;
	int fd, iommufd, ret;
	DIR *d;

	snprintf(path, sizeof(path), PCI "%s/vfio-dev", dev);
	d = opendir(path);
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(name, sizeof(name), "%.63s", de->d_name);
	if (d)
		closedir(d);
	if (!*name)
		return 1;
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return 1;
	iommufd = open("/dev/iommu", O_RDWR);
	if (iommufd < 0) {
		close(fd);
		return 1;
	}
	bind.iommufd = iommufd;
	ret = ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) ? 1 : 0;
	close(fd);
	close(iommufd);
	return ret;
}

#define GROUPS "/sys/kernel/isolation_groups/"

/* NULL if PCI device @name is consistent, else what is wrong. */
static const char *dev_problem(const char *name)
{
	static char why[PATH_MAX + 64];
	char path[PATH_MAX], group[PATH_MAX], listed[PATH_MAX + 16];

	snprintf(path, sizeof(path), PCI "%s/isolation_group", name);
	if (!realpath(path, group)) {
		snprintf(path, sizeof(path), PCI "%s", name);
		if (access(path, F_OK))
			return NULL;	/* gone */
		snprintf(why, sizeof(why), "%s has no group", name);
		return why;
	}
	snprintf(listed, sizeof(listed), "%s/devices/%s", group, name);
	if (access(listed, F_OK)) {
		snprintf(why, sizeof(why), "%s links to %s, which does not list it",
			 name, group);
		return why;
	}
	return NULL;
}

/* NULL if the device that group @group lists as @name links back. */
static const char *member_problem(const char *group, const char *name)
{
	static char why[PATH_MAX + 64];
	char path[PATH_MAX], dir[PATH_MAX], back[PATH_MAX];

	snprintf(path, sizeof(path), GROUPS "%s/devices/%s/isolation_group",
		 group, name);
	snprintf(dir, sizeof(dir), GROUPS "%s", group);
	if (!realpath(path, back)) {
		snprintf(path, sizeof(path), GROUPS "%s/devices/%s", group, name);
		if (access(path, F_OK))
			return NULL;	/* gone */
		snprintf(why, sizeof(why), "group %s lists %s, which has no group",
			 group, name);
		return why;
	}
	if (strcmp(back, dir)) {
		snprintf(why, sizeof(why), "group %s lists %s, which links to %s",
			 group, name, back);
		return why;
	}
	return NULL;
}

/* One pass over every device and every group; 1 on a lasting problem. */
static int links_pass(long *checked)
{
	struct dirent *de, *ge;
	const char *why;
	DIR *d, *g;

	d = opendir(PCI);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		(*checked)++;
		if (dev_problem(de->d_name)) {
			sleep(1);
			why = dev_problem(de->d_name);
			if (why) {
				printf("links: %s\n", why);
				closedir(d);
				return 1;
			}
		}
	}
	if (d)
		closedir(d);
	g = opendir(GROUPS);
	while (g && (ge = readdir(g))) {
		char path[PATH_MAX];

		if (ge->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), GROUPS "%s/devices", ge->d_name);
		d = opendir(path);
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			(*checked)++;
			if (member_problem(ge->d_name, de->d_name)) {
				sleep(1);
				why = member_problem(ge->d_name, de->d_name);
				if (why) {
					printf("links: %s\n", why);
					closedir(d);
					closedir(g);
					return 1;
				}
			}
		}
		if (d)
			closedir(d);
	}
	if (g)
		closedir(g);
	return 0;
}

static int links(double seconds)
{
	double end = now() + seconds;
	long passes = 0, checked = 0;

	while (now() < end) {
		if (links_pass(&checked))
			return 1;
		passes++;
	}
	printf("links: %ld passes, %ld links checked\n", passes, checked);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "hold"))
		return hold(argv[2], argv[3], atof(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "cdev"))
		return cdev(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "links"))
		return links(atof(argv[2]));
	fprintf(stderr, "usage: %s hold DEVICE WATCHED SECONDS | cdev DEVICE | links SECONDS\n",
		argv[0]);
	return 2;
}
