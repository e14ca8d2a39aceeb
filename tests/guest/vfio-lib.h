/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the guest's VFIO test programs (vfio-isolation.c on x86,
 * vfio-spapr.c on pseries): checks that print "ISOTEST:" lines, sysfs
 * access, the state of isolation groups, driver binding and VFIO groups.
 */
#ifndef VFIO_LIB_H
#define VFIO_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#define PCI "/sys/bus/pci"
#define ISO "/sys/kernel/isolation_groups"

static char why[512];
static int nr_failed;

/* Records why the current check fails; returns false for "return fail()". */
static inline bool fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

static inline void check(const char *name, bool (*fn)(void))
{
	why[0] = 0;
	if (fn()) {
		printf("ISOTEST: ok - vfio-%s\n", name);
	} else {
		printf("ISOTEST: not ok - vfio-%s: %s\n", name,
		       why[0] ? why : "failed");
		nr_failed++;
	}
	fflush(stdout);
}

/* Reads a sysfs file into @buf without the trailing newline. */
static inline int read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	buf[0] = 0;
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

/* Writes @val to a sysfs file: 0 or the negative errno of the write. */
static inline int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The last component of the link @path, "" if it is no link. */
static inline const char *link_name(const char *path)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return "";
	buf[n] = 0;
	return strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
}

static inline const char *dev_attr_path(const char *bdf, const char *attr)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI "/devices/%s/%s", bdf, attr);
	return path;
}

static inline const char *driver_of(const char *bdf)
{
	return link_name(dev_attr_path(bdf, "driver"));
}

/* The isolation group of @bdf, -1 if none. */
static inline int group_of(const char *bdf)
{
	const char *g = link_name(dev_attr_path(bdf, "isolation_group"));

	return *g ? atoi(g) : -1;
}

static inline int iommu_group_of(const char *bdf)
{
	const char *g = link_name(dev_attr_path(bdf, "iommu_group"));

	return *g ? atoi(g) : -1;
}

static inline const char *group_attr(int id, const char *attr)
{
	static char buf[4][256];
	static int n;
	char path[PATH_MAX];
	char *val = buf[n++ % 4];

	snprintf(path, sizeof(path), ISO "/%d/%s", id, attr);
	if (read_str(path, val, sizeof(buf[0])))
		snprintf(val, sizeof(buf[0]), "<missing>");
	return val;
}

static inline int context_of(int id)
{
	return atoi(group_attr(id, "context"));
}

static inline bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Polls @cond for up to @secs seconds. */
static inline bool wait_for(bool (*cond)(const char *), const char *arg, int secs)
{
	int i;

	for (i = 0; i < secs * 10; i++) {
		if (cond(arg))
			return true;
		sleep_ms(100);
	}
	return cond(arg);
}

static inline bool dev_present(const char *bdf)
{
	return exists(dev_attr_path(bdf, "vendor"));
}

static inline bool dev_absent(const char *bdf)
{
	return !dev_present(bdf);
}

/* Expected state, manager and own context of group @id. */
static inline bool expect_group(int id, const char *state, const char *manager)
{
	const char *s = group_attr(id, "state");
	const char *m = group_attr(id, "manager");

	if (strcmp(s, state))
		return fail("group %d is %s, expected %s", id, s, state);
	if (strcmp(m, manager))
		return fail("group %d has manager '%s', expected '%s'", id, m,
			    manager);
	return true;
}

static inline bool expect_driver(const char *bdf, const char *drv)
{
	if (strcmp(driver_of(bdf), drv))
		return fail("%s is bound to '%s', expected '%s'", bdf,
			    driver_of(bdf), drv);
	return true;
}

/* VFIO_GROUP_FLAGS_VIABLE of an open group must equal state == locked. */
static inline bool expect_viable_agrees(int fd, int id)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	bool viable, locked;

	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status))
		return fail("VFIO_GROUP_GET_STATUS: %s", strerror(errno));
	viable = status.flags & VFIO_GROUP_FLAGS_VIABLE;
	locked = !strcmp(group_attr(id, "state"), "locked");
	if (viable != locked)
		return fail("group %d: VFIO says %sviable, isolation says %s",
			    id, viable ? "" : "not ", group_attr(id, "state"));
	return true;
}

/* Binds @bdf to @drv through driver_override, as admins do for VFIO. */
static inline int bind_to(const char *bdf, const char *drv)
{
	int ret;

	ret = write_str(dev_attr_path(bdf, "driver_override"), drv);
	if (ret)
		return ret;
	if (*driver_of(bdf))
		ret = write_str(dev_attr_path(bdf, "driver/unbind"), bdf);
	if (!ret)
		ret = write_str(PCI "/drivers_probe", bdf);
	return ret;
}

static inline int unbind(const char *bdf)
{
	if (!*driver_of(bdf))
		return 0;
	return write_str(dev_attr_path(bdf, "driver/unbind"), bdf);
}

static inline int clear_override(const char *bdf)
{
	return write_str(dev_attr_path(bdf, "driver_override"), "\n");
}

static inline int open_group(const char *bdf)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", iommu_group_of(bdf));
	return open(path, O_RDWR);
}

#endif /* VFIO_LIB_H */
