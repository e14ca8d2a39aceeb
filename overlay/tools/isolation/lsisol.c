// SPDX-License-Identifier: GPL-2.0-only
/*
 * lsisol - list the isolation groups of the system
 *
 * Reads /sys/kernel/isolation_groups and prints, for each group, its
 * provider, manager, state, the IDs by which its IOMMU tells its devices
 * apart (iommu_ids), the ports whose isolation the administrator declared
 * that shape it (overrides), and member devices with their drivers and,
 * where the group has a reasons file, why each device shares the group
 * with others, as a table or as JSON.
 *
 * With DEVICE, only the group holding DEVICE is shown: DEVICE is a name
 * as in <id>/devices/, or a PCI address with or without its domain
 * ("0000:03:00.0" or "03:00.0"; without one, it matches in any domain).
 * Exits with status 1 when no group holds DEVICE.
 *
 * Usage:
 *	lsisol [-j|--json] [-s|--sysfs DIR] [-h|--help] [DEVICE]
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define GROUPS_DIR	"kernel/isolation_groups"

struct isol_dev {
	char *name;
	char *driver;		/* NULL when unbound */
	char *reason;		/* NULL when it has no line in reasons */
};

struct isol_group {
	unsigned long id;
	char *provider;
	char *manager;		/* NULL when unmanaged */
	char *state;
	char *context;		/* NULL when the file is absent */
	bool has_ids;		/* false when iommu_ids is absent */
	char **ids;
	size_t nr_ids;
	bool has_overrides;	/* false when overrides is absent */
	char **overrides;	/* "<port> <declared>" */
	size_t nr_overrides;
	struct isol_dev *devs;
	size_t nr_devs;
};

struct group_list {
	struct isol_group *groups;
	size_t nr;
	size_t alloc;
};

static void *xrealloc(void *ptr, size_t nmemb, size_t size)
{
	if (size && nmemb > (size_t)-1 / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(ptr, nmemb * size);
}

/* Returns a malloc()ed formatted string, or NULL with errno set. */
static char *path_fmt(const char *fmt, ...)
{
	va_list ap;
	char *buf;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		return NULL;

	buf = malloc((size_t)len + 1);
	if (!buf)
		return NULL;

	va_start(ap, fmt);
	vsnprintf(buf, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return buf;
}

/*
 * Reads a whole file into a malloc()ed, NUL terminated buffer.
 * Returns 0 or a negative errno.
 */
static int read_file(const char *path, char **out)
{
	size_t len = 0, alloc = 256;
	char *buf, *tmp;
	FILE *f;
	int ret = 0;

	f = fopen(path, "r");
	if (!f)
		return -errno;

	buf = malloc(alloc);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}

	for (;;) {
		size_t n;

		if (alloc - len < 2) {
			tmp = xrealloc(buf, alloc, 2);
			if (!tmp) {
				ret = -ENOMEM;
				break;
			}
			buf = tmp;
			alloc *= 2;
		}
		n = fread(buf + len, 1, alloc - len - 1, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				ret = errno ? -errno : -EIO;
			break;
		}
	}
	fclose(f);

	if (ret) {
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* Reads a one line attribute, without its trailing newline. */
static int read_line(const char *path, char **out)
{
	char *buf, *nl;
	int ret;

	ret = read_file(path, &buf);
	if (ret)
		return ret;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	*out = buf;
	return 0;
}

/*
 * Reads a symlink into a malloc()ed buffer.
 * Returns 0 or a negative errno.
 */
static int read_link(const char *path, char **out)
{
	size_t size = 128;
	char *buf = NULL, *tmp;
	ssize_t len;

	for (;;) {
		tmp = xrealloc(buf, size, 1);
		if (!tmp) {
			free(buf);
			return -ENOMEM;
		}
		buf = tmp;
		len = readlink(path, buf, size);
		if (len < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if ((size_t)len < size)
			break;
		if (size > (size_t)-1 / 2) {
			free(buf);
			return -ENAMETOOLONG;
		}
		size *= 2;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

static void free_group(struct isol_group *g)
{
	size_t i;

	free(g->provider);
	free(g->manager);
	free(g->state);
	free(g->context);
	for (i = 0; i < g->nr_ids; i++)
		free(g->ids[i]);
	free(g->ids);
	for (i = 0; i < g->nr_overrides; i++)
		free(g->overrides[i]);
	free(g->overrides);
	for (i = 0; i < g->nr_devs; i++) {
		free(g->devs[i].name);
		free(g->devs[i].driver);
		free(g->devs[i].reason);
	}
	free(g->devs);
	memset(g, 0, sizeof(*g));
}

/*
 * The next non-empty line of the text at *@pos, cut at its newline, or NULL
 * at the end; *@pos moves past it.
 */
static char *next_line(char **pos)
{
	char *line, *end;

	for (line = *pos; *line; line = end) {
		end = strchr(line, '\n');
		if (end)
			*end++ = '\0';
		else
			end = line + strlen(line);
		if (*line) {
			*pos = end;
			return line;
		}
	}
	*pos = line;
	return NULL;
}

/*
 * Reads the lines of the file @path into *@list, *@nr of them, and sets
 * *@has; an absent file is no error and leaves *@has false.  With @fields,
 * a line must have two words separated by one space, or it is -EINVAL.
 */
static int read_list(const char *path, char ***list, size_t *nr, bool *has,
		     bool fields)
{
	char *buf, *line, *next, *sp;
	char **tmp;
	int ret;

	ret = read_file(path, &buf);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;

	*has = true;
	for (next = buf; (line = next_line(&next));) {
		sp = strchr(line, ' ');
		if (fields && (!sp || sp == line || !sp[1] ||
			       strchr(sp + 1, ' '))) {
			ret = -EINVAL;
			break;
		}
		tmp = xrealloc(*list, *nr + 1, sizeof(**list));
		if (!tmp) {
			ret = -ENOMEM;
			break;
		}
		*list = tmp;
		(*list)[*nr] = strdup(line);
		if (!(*list)[*nr]) {
			ret = -ENOMEM;
			break;
		}
		(*nr)++;
	}
	free(buf);
	return ret;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct isol_dev *da = a, *db = b;

	return strcmp(da->name, db->name);
}

/*
 * Adds the device @name of the group directory @gdir to @g.  A device
 * that went away meanwhile is skipped.
 */
static int read_dev(const char *gdir, const char *name, struct isol_group *g)
{
	struct isol_dev *tmp, *dev;
	char *path, *target = NULL;
	struct stat st;
	int ret;

	path = path_fmt("%s/devices/%s/driver", gdir, name);
	if (!path)
		return -ENOMEM;
	ret = read_link(path, &target);
	free(path);
	if (ret == -ENOENT) {
		/* Unbound, or the device is gone. */
		path = path_fmt("%s/devices/%s", gdir, name);
		if (!path)
			return -ENOMEM;
		ret = lstat(path, &st) ? -errno : 0;
		free(path);
		if (ret == -ENOENT)
			return 0;
		if (ret)
			return ret;
	} else if (ret) {
		return ret;
	}

	tmp = xrealloc(g->devs, g->nr_devs + 1, sizeof(*g->devs));
	if (!tmp) {
		free(target);
		return -ENOMEM;
	}
	g->devs = tmp;
	dev = &g->devs[g->nr_devs];
	dev->driver = NULL;
	dev->reason = NULL;
	dev->name = strdup(name);
	if (!dev->name) {
		free(target);
		return -ENOMEM;
	}
	if (target) {
		const char *base = strrchr(target, '/');

		dev->driver = strdup(base ? base + 1 : target);
		free(target);
		if (!dev->driver) {
			free(dev->name);
			return -ENOMEM;
		}
	}
	g->nr_devs++;
	return 0;
}

static int read_devs(const char *gdir, struct isol_group *g)
{
	const struct dirent *ent;
	char *path;
	DIR *dp;
	int ret = 0;

	path = path_fmt("%s/devices", gdir);
	if (!path)
		return -ENOMEM;
	dp = opendir(path);
	free(path);
	if (!dp)
		return -errno;

	for (;;) {
		errno = 0;
		ent = readdir(dp);
		if (!ent) {
			ret = -errno;
			break;
		}
		if (ent->d_name[0] == '.')
			continue;
		ret = read_dev(gdir, ent->d_name, g);
		if (ret)
			break;
	}
	closedir(dp);

	if (!ret && g->nr_devs > 1)
		qsort(g->devs, g->nr_devs, sizeof(*g->devs), cmp_dev);
	return ret;
}

/*
 * Reads the reasons file @path of @g, whose devices are read and sorted:
 * one "<device> <reason>" line per device that shares the group.  An
 * absent file is no error; a line without a device or a reason, or a
 * second line for a device, is -EINVAL.  A line naming a device that is
 * not in devices/ (it came or went while reading) is skipped.
 */
static int read_reasons(const char *path, struct isol_group *g)
{
	char *buf, *line, *next, *sp;
	struct isol_dev key, *dev;
	int ret;

	ret = read_file(path, &buf);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;

	for (next = buf; (line = next_line(&next));) {
		sp = strchr(line, ' ');
		if (!sp || sp == line || !sp[1]) {
			ret = -EINVAL;
			break;
		}
		*sp = '\0';
		key.name = line;
		dev = bsearch(&key, g->devs, g->nr_devs, sizeof(*g->devs),
			      cmp_dev);
		if (!dev)
			continue;
		if (dev->reason) {
			ret = -EINVAL;
			break;
		}
		dev->reason = strdup(sp + 1);
		if (!dev->reason) {
			ret = -ENOMEM;
			break;
		}
	}
	free(buf);
	return ret;
}

/*
 * Reads the group directory @gdir into @g.  Returns 0, -ENOENT when the
 * group went away, or another negative errno; @path_err is set to the
 * path that could not be read.
 */
static int read_group(const char *gdir, struct isol_group *g, char **path_err)
{
	char *path;
	int ret;

	path = path_fmt("%s/provider", gdir);
	if (!path)
		return -ENOMEM;
	ret = read_line(path, &g->provider);
	if (ret)
		goto out;
	free(path);

	path = path_fmt("%s/manager", gdir);
	if (!path)
		return -ENOMEM;
	ret = read_line(path, &g->manager);
	if (ret)
		goto out;
	if (!g->manager[0]) {
		free(g->manager);
		g->manager = NULL;
	}
	free(path);

	path = path_fmt("%s/state", gdir);
	if (!path)
		return -ENOMEM;
	ret = read_line(path, &g->state);
	if (ret)
		goto out;
	free(path);

	path = path_fmt("%s/context", gdir);
	if (!path)
		return -ENOMEM;
	ret = read_line(path, &g->context);
	if (ret == -ENOENT) {
		g->context = NULL;
		ret = 0;
	}
	if (ret)
		goto out;
	free(path);

	path = path_fmt("%s/iommu_ids", gdir);
	if (!path)
		return -ENOMEM;
	ret = read_list(path, &g->ids, &g->nr_ids, &g->has_ids, false);
	if (ret)
		goto out;
	free(path);

	path = path_fmt("%s/overrides", gdir);
	if (!path)
		return -ENOMEM;
	ret = read_list(path, &g->overrides, &g->nr_overrides,
			&g->has_overrides, true);
	if (ret)
		goto out;
	free(path);

	path = path_fmt("%s/devices", gdir);
	if (!path)
		return -ENOMEM;
	ret = read_devs(gdir, g);
	if (ret)
		goto out;
	free(path);

	path = path_fmt("%s/reasons", gdir);
	if (!path)
		return -ENOMEM;
	ret = read_reasons(path, g);
out:
	if (ret)
		*path_err = path;
	else
		free(path);
	return ret;
}

/* Parses a decimal group id; returns false for other directory entries. */
static bool parse_id(const char *s, unsigned long *id)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*id = strtoul(s, &end, 10);
	return !errno && !*end;
}

static int cmp_group(const void *a, const void *b)
{
	const struct isol_group *ga = a, *gb = b;

	if (ga->id != gb->id)
		return ga->id < gb->id ? -1 : 1;
	return 0;
}

static int add_group(struct group_list *list, const char *dir,
		     const char *name, unsigned long id)
{
	struct isol_group g = { .id = id };
	char *gdir, *path_err = NULL;
	int ret;

	gdir = path_fmt("%s/%s", dir, name);
	if (!gdir)
		return -ENOMEM;
	ret = read_group(gdir, &g, &path_err);
	free(gdir);
	if (ret == -ENOENT) {
		/* The group went away while listing. */
		free(path_err);
		free_group(&g);
		return 0;
	}
	if (ret) {
		fprintf(stderr, "lsisol: %s: %s\n", path_err ? path_err : name,
			strerror(-ret));
		free(path_err);
		free_group(&g);
		return ret;
	}

	if (list->nr == list->alloc) {
		size_t alloc = list->alloc ? list->alloc * 2 : 16;
		struct isol_group *tmp;

		tmp = xrealloc(list->groups, alloc, sizeof(*tmp));
		if (!tmp) {
			free_group(&g);
			fprintf(stderr, "lsisol: %s\n", strerror(ENOMEM));
			return -ENOMEM;
		}
		list->groups = tmp;
		list->alloc = alloc;
	}
	list->groups[list->nr++] = g;
	return 0;
}

static int read_groups(const char *sysfs, struct group_list *list)
{
	const struct dirent *ent;
	unsigned long id;
	char *dir;
	DIR *dp;
	int ret = 0;

	dir = path_fmt("%s/%s", sysfs, GROUPS_DIR);
	if (!dir) {
		fprintf(stderr, "lsisol: %s\n", strerror(ENOMEM));
		return -ENOMEM;
	}
	dp = opendir(dir);
	if (!dp) {
		ret = -errno;
		fprintf(stderr, "lsisol: no isolation groups (%s): %s\n", dir,
			strerror(-ret));
		free(dir);
		return ret;
	}

	for (;;) {
		errno = 0;
		ent = readdir(dp);
		if (!ent) {
			ret = -errno;
			if (ret)
				fprintf(stderr, "lsisol: %s: %s\n", dir,
					strerror(-ret));
			break;
		}
		if (!parse_id(ent->d_name, &id))
			continue;
		ret = add_group(list, dir, ent->d_name, id);
		if (ret)
			break;
	}
	closedir(dp);
	free(dir);

	if (!ret && list->nr > 1)
		qsort(list->groups, list->nr, sizeof(*list->groups), cmp_group);
	return ret;
}

/* Whether @s is a PCI bus, device and function "BB:DD.F". */
static bool is_pci_bdf(const char *s)
{
	return isxdigit((unsigned char)s[0]) &&
	       isxdigit((unsigned char)s[1]) && s[2] == ':' &&
	       isxdigit((unsigned char)s[3]) &&
	       isxdigit((unsigned char)s[4]) && s[5] == '.' &&
	       s[6] >= '0' && s[6] <= '7' && !s[7];
}

/*
 * Returns the length of the domain of the PCI address "DDDD:BB:DD.F" @s
 * (4 to 8 hex digits), or 0 if @s is no such address.
 */
static size_t pci_domain_len(const char *s)
{
	size_t n = 0;

	while (isxdigit((unsigned char)s[n]))
		n++;
	if (n < 4 || n > 8 || s[n] != ':' || !is_pci_bdf(s + n + 1))
		return 0;
	return n;
}

static bool hex_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

/*
 * Whether the device @name matches the command line argument @arg: the
 * same name, or, for a PCI device, the same address with or without its
 * domain, hex digits in either case.
 */
static bool dev_matches(const char *name, const char *arg)
{
	size_t dlen;

	if (!strcmp(name, arg))
		return true;
	dlen = pci_domain_len(name);
	if (!dlen)
		return false;
	if (is_pci_bdf(arg))
		return hex_eq(name + dlen + 1, arg);
	return pci_domain_len(arg) && hex_eq(name, arg);
}

/*
 * Keeps in @list only the groups holding a device that matches @arg.
 * Without a domain, @arg can match devices of several groups.
 */
static void filter_groups(struct group_list *list, const char *arg)
{
	size_t i, j, nr = 0;

	for (i = 0; i < list->nr; i++) {
		struct isol_group *g = &list->groups[i];

		for (j = 0; j < g->nr_devs; j++)
			if (dev_matches(g->devs[j].name, arg))
				break;
		if (j < g->nr_devs)
			list->groups[nr++] = *g;
		else
			free_group(g);
	}
	list->nr = nr;
}

/*
 * The length of the well-formed UTF-8 sequence at @p (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0.
 */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	if (*p == 0xe0)
		lo = 0xa0;
	else if (*p == 0xed)
		hi = 0x9f;
	else if (*p == 0xf0)
		lo = 0x90;
	else if (*p == 0xf4)
		hi = 0x8f;
	for (i = 1; i < n; i++) {
		if (p[i] < lo || p[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/* @s as a JSON string; bytes that are not UTF-8 become U+FFFD. */
static void json_str(const char *s)
{
	const unsigned char *p;
	size_t n;

	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\b':
			fputs("\\b", stdout);
			break;
		case '\f':
			fputs("\\f", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			n = utf8_len(p);
			if (*p < 0x20 || *p == 0x7f) {
				printf("\\u%04x", *p);
			} else if (!n) {
				fputs("\\ufffd", stdout);
			} else {
				fwrite(p, 1, n, stdout);
				p += n - 1;
			}
		}
	}
	putchar('"');
}

static void print_json(const struct group_list *list)
{
	size_t i, j;

	putchar('[');
	for (i = 0; i < list->nr; i++) {
		const struct isol_group *g = &list->groups[i];

		printf("%s\n  {\"id\": %lu, \"provider\": ", i ? "," : "",
		       g->id);
		json_str(g->provider);
		fputs(", \"manager\": ", stdout);
		json_str(g->manager);
		fputs(", \"state\": ", stdout);
		json_str(g->state);
		if (g->context) {
			fputs(", \"context\": ", stdout);
			json_str(g->context);
		}
		if (g->has_ids) {
			fputs(", \"iommu_ids\": [", stdout);
			for (j = 0; j < g->nr_ids; j++) {
				if (j)
					fputs(", ", stdout);
				json_str(g->ids[j]);
			}
			putchar(']');
		}
		if (g->has_overrides) {
			fputs(", \"overrides\": [", stdout);
			for (j = 0; j < g->nr_overrides; j++) {
				char *sp = strchr(g->overrides[j], ' ');

				*sp = '\0';
				fputs(j ? ", {\"port\": " : "{\"port\": ", stdout);
				json_str(g->overrides[j]);
				fputs(", \"declared\": ", stdout);
				json_str(sp + 1);
				putchar('}');
				*sp = ' ';
			}
			putchar(']');
		}
		fputs(", \"devices\": [", stdout);
		for (j = 0; j < g->nr_devs; j++) {
			if (j)
				fputs(", ", stdout);
			fputs("{\"name\": ", stdout);
			json_str(g->devs[j].name);
			fputs(", \"driver\": ", stdout);
			json_str(g->devs[j].driver);
			fputs(", \"reason\": ", stdout);
			json_str(g->devs[j].reason);
			putchar('}');
		}
		fputs("]}", stdout);
	}
	fputs(list->nr ? "\n]\n" : "]\n", stdout);
}

static int id_width(unsigned long id)
{
	return snprintf(NULL, 0, "%lu", id);
}

static int str_width(const char *s)
{
	size_t len = strlen(s);

	return len > 4096 ? 4096 : (int)len;
}

static void max_width(int *w, int n)
{
	if (n > *w)
		*w = n;
}

/* The width of the IOMMU IDS column for @g: its IDs, comma-separated. */
static int ids_width(const struct isol_group *g)
{
	int n = g->nr_ids ? -1 : 1;
	size_t j;

	for (j = 0; j < g->nr_ids; j++)
		n += str_width(g->ids[j]) + 1;
	return n;
}

static void print_table(const struct group_list *list)
{
	int w_id = 5, w_prov = 8, w_mgr = 7, w_state = 5, w_ctx = 7, w_ids = 9;
	bool has_ctx = false, has_ids = false;
	size_t i, j;

	for (i = 0; i < list->nr; i++) {
		const struct isol_group *g = &list->groups[i];

		max_width(&w_id, id_width(g->id));
		max_width(&w_prov, str_width(g->provider));
		max_width(&w_mgr, str_width(g->manager ? g->manager : "-"));
		max_width(&w_state, str_width(g->state));
		if (g->context) {
			has_ctx = true;
			max_width(&w_ctx, str_width(g->context));
		}
		if (g->has_ids) {
			has_ids = true;
			max_width(&w_ids, ids_width(g));
		}
	}

	printf("%-*s  %-*s  %-*s  %-*s  ", w_id, "GROUP", w_prov, "PROVIDER",
	       w_mgr, "MANAGER", w_state, "STATE");
	if (has_ctx)
		printf("%-*s  ", w_ctx, "CONTEXT");
	if (has_ids)
		printf("%-*s  ", w_ids, "IOMMU IDS");
	printf("DEVICES\n");

	for (i = 0; i < list->nr; i++) {
		const struct isol_group *g = &list->groups[i];

		printf("%-*lu  %-*s  %-*s  %-*s  ", w_id, g->id,
		       w_prov, g->provider, w_mgr, g->manager ? g->manager : "-",
		       w_state, g->state);
		if (has_ctx)
			printf("%-*s  ", w_ctx, g->context ? g->context : "-");
		if (has_ids) {
			if (!g->nr_ids)
				putchar('-');
			for (j = 0; j < g->nr_ids; j++)
				printf("%s%s", j ? "," : "", g->ids[j]);
			printf("%*s  ", w_ids - ids_width(g), "");
		}
		if (!g->nr_devs)
			putchar('-');
		for (j = 0; j < g->nr_devs; j++)
			printf("%s%s(%s)", j ? " " : "", g->devs[j].name,
			       g->devs[j].driver ? g->devs[j].driver : "-");
		putchar('\n');
		for (j = 0; j < g->nr_devs; j++)
			if (g->devs[j].reason)
				printf("    %s: %s\n", g->devs[j].name,
				       g->devs[j].reason);
		for (j = 0; j < g->nr_overrides; j++)
			printf("    override: %s\n", g->overrides[j]);
	}
}

static void print_usage(FILE *f)
{
	fprintf(f, "Usage: lsisol [options]... [DEVICE]\n"
		"List the isolation groups and their devices, or only the group\n"
		"holding DEVICE (a device name or a PCI address such as\n"
		"0000:03:00.0 or, in any domain, 03:00.0)\n"
		"  -j, --json       Print JSON instead of a table\n"
		"  -s, --sysfs DIR  Use DIR instead of /sys\n"
		"  -h, --help       This helptext\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "sysfs",	required_argument,	NULL, 's' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 },
	};
	struct group_list list = { 0 };
	const char *sysfs = "/sys", *device = NULL;
	bool json = false;
	size_t i;
	int ret;
	int c;

	while ((c = getopt_long(argc, argv, "js:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			sysfs = optarg;
			break;
		case 'h':
			print_usage(stdout);
			return EXIT_SUCCESS;
		default:
			print_usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (optind < argc)
		device = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "lsisol: unexpected argument '%s'\n",
			argv[optind]);
		print_usage(stderr);
		return EXIT_FAILURE;
	}

	ret = read_groups(sysfs, &list);
	if (!ret && device) {
		filter_groups(&list, device);
		if (!list.nr) {
			fprintf(stderr, "lsisol: %s: in no isolation group\n",
				device);
			ret = -ENODEV;
		}
	}
	if (!ret) {
		if (json)
			print_json(&list);
		else
			print_table(&list);
	}

	for (i = 0; i < list.nr; i++)
		free_group(&list.groups[i]);
	free(list.groups);

	if (ret)
		return EXIT_FAILURE;
	if (fflush(stdout) || ferror(stdout)) {
		perror("lsisol: write error");
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
