// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit benchmark of the isolation gate in driver matching.
 *
 * Every probe passes through driver_match_device(), which asks the isolation
 * core whether a device's group lets a driver match before the bus's own
 * match callback runs.  Each case times driver_match_device() against the
 * bus callback alone, in one run, for a device in no group, in an unmanaged
 * group and in a managed group, the last with a manager of one driver and
 * of ISO_BENCH_MANY_DRIVERS drivers.  On a kernel with PCI, one more case
 * does the same with a real driver's ID table: a PCI device bound to
 * isolation_bench.pci_driver (e1000e), in an unmanaged group, against
 * pci_bus_match().
 *
 * The scale case runs the core's operations on 1000, 10000 and, with
 * isolation_bench.scale_max=100000, 100000 devices, in groups of
 * ISO_BENCH_GROUP_SIZE: it prints the cost per device of each and its
 * ratio to that at 1000 devices, and the slab memory of a group and of a
 * device.
 *
 * The cases print the figures and check the results of the operations; no
 * time is ever a reason to fail.
 */

#include <kunit/test.h>

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/isolation.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "../base.h"

#define ISO_BENCH_CALLS		200000
#define ISO_BENCH_MANY_DRIVERS	1024
#define ISO_BENCH_GROUP_SIZE	4
#define ISO_BENCH_SCALE_MIN	1000
#define ISO_BENCH_SCALE_STEPS	3
#define ISO_BENCH_SCALE_ROUNDS	3

static unsigned int iso_bench_rounds = 25;
module_param_named(rounds, iso_bench_rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "rounds of each match timing, the fastest kept (default 25)");

static char *iso_bench_pci_driver = "e1000e";
module_param_named(pci_driver, iso_bench_pci_driver, charp, 0444);
MODULE_PARM_DESC(pci_driver, "the PCI driver of the real-bus match case (default e1000e)");

static unsigned int iso_bench_scale_max = 10000;
module_param_named(scale_max, iso_bench_scale_max, uint, 0444);
MODULE_PARM_DESC(scale_max,
		 "the largest number of devices of the scale case (1000 to 100000, default 10000)");

/* Every driver matches every device: only the isolation gate refuses. */
static int iso_bench_match(struct device *dev, const struct device_driver *drv)
{
	return !strncmp(drv->name, "iso-bench-", 10);
}

/* No driver binds, so that the devices stay as the cases set them up. */
static int iso_bench_probe(struct device *dev)
{
	return -ENODEV;
}

static const struct bus_type iso_bench_bus = {
	.name = "isolation-bench",
	.match = iso_bench_match,
};

struct iso_bench_scale;

/**
 * struct iso_bench - the objects of one case, torn down by iso_bench_exit()
 * @prov: provider of @group.
 * @mgr: manager of @group once @managed.
 * @group: the group of @dev, or NULL.
 * @dev: the device whose matching is timed.
 * @drivers: @drivers[0] is a driver of no manager, the others are @mgr's.
 * @names: the names of @drivers.
 * @nr_drivers: registered entries of @drivers.
 * @managed: @mgr manages @group.
 * @scale: the objects of the scale case's run in progress, or NULL.
 * @pci_dev: the PCI device of the real-bus case, with a reference, or NULL.
 * @pci_added: @pci_dev was put in @group by the case.
 */
struct iso_bench {
	struct isolation_provider prov;
	struct isolation_manager mgr;
	struct isolation_group *group;
	struct device *dev;
	struct device_driver *drivers;
	char (*names)[32];
	int nr_drivers;
	bool managed;
	struct iso_bench_scale *scale;
	struct device *pci_dev;
	bool pci_added;
};

static atomic_t iso_bench_seq = ATOMIC_INIT(0);

/*
 * Devices not yet released: their release function is this module's, and
 * with CONFIG_DEBUG_KOBJECT_RELEASE it runs up to seconds after the last
 * put, so the module waits for them before it goes.
 */
static atomic_t iso_bench_live_devs = ATOMIC_INIT(0);

static void iso_bench_dev_release(struct device *dev)
{
	kfree(dev);
	if (atomic_dec_and_test(&iso_bench_live_devs))
		wake_up_var(&iso_bench_live_devs);
}

static void iso_bench_dev_init(struct device *dev)
{
	device_initialize(dev);
	atomic_inc(&iso_bench_live_devs);
	dev->bus = &iso_bench_bus;
	dev->release = iso_bench_dev_release;
}

/* Registers drivers up to @n; those after the first go to the manager. */
static void iso_bench_add_drivers(struct kunit *test, int n)
{
	struct iso_bench *b = test->priv;
	struct device_driver *drv;
	int seq = atomic_inc_return(&iso_bench_seq);

	while (b->nr_drivers < n) {
		drv = &b->drivers[b->nr_drivers];
		/* names stay unique: a sysfs directory may outlive its driver */
		snprintf(b->names[b->nr_drivers], sizeof(b->names[0]),
			 "iso-bench-%d-%d", seq, b->nr_drivers);
		drv->name = b->names[b->nr_drivers];
		drv->bus = &iso_bench_bus;
		drv->probe = iso_bench_probe;
		drv->suppress_bind_attrs = true;
		KUNIT_ASSERT_EQ(test, driver_register(drv), 0);
		b->nr_drivers++;
		if (b->nr_drivers > 1)
			KUNIT_ASSERT_EQ(test,
					isolation_manager_add_driver(&b->mgr, drv),
					0);
	}
}

static int iso_bench_init(struct kunit *test)
{
	struct iso_bench *b;
	int ret;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->drivers = kunit_kcalloc(test, ISO_BENCH_MANY_DRIVERS + 1,
				   sizeof(*b->drivers), GFP_KERNEL);
	b->names = kunit_kcalloc(test, ISO_BENCH_MANY_DRIVERS + 1,
				 sizeof(*b->names), GFP_KERNEL);
	if (!b->drivers || !b->names)
		return -ENOMEM;
	b->prov.name = "bench-provider";
	b->mgr.name = "bench-manager";
	test->priv = b;

	ret = isolation_provider_register(&b->prov);
	if (ret)
		return ret;
	ret = isolation_manager_register(&b->mgr);
	if (ret)
		goto err_provider;

	b->dev = kzalloc_obj(*b->dev);
	if (!b->dev) {
		ret = -ENOMEM;
		goto err_manager;
	}
	iso_bench_dev_init(b->dev);
	ret = dev_set_name(b->dev, "iso-bench-dev-%d",
			   atomic_inc_return(&iso_bench_seq));
	if (!ret)
		ret = device_add(b->dev);
	if (ret)
		goto err_dev;
	return 0;

err_dev:
	put_device(b->dev);
	b->dev = NULL;
err_manager:
	isolation_manager_unregister(&b->mgr);
err_provider:
	isolation_provider_unregister(&b->prov);
	test->priv = NULL;
	return ret;
}

static void iso_bench_scale_free(struct iso_bench *b,
				 struct iso_bench_scale *sc);

static void iso_bench_exit(struct kunit *test)
{
	struct iso_bench *b = test->priv;

	if (!b)
		return;
	if (b->scale)
		iso_bench_scale_free(b, b->scale);
	if (b->pci_added)
		isolation_group_remove_device(b->pci_dev);
	put_device(b->pci_dev);
	if (b->managed)
		isolation_group_clear_manager(b->group, &b->mgr);
	while (b->nr_drivers)
		driver_unregister(&b->drivers[--b->nr_drivers]);
	isolation_manager_unregister(&b->mgr);
	device_unregister(b->dev);
	if (!IS_ERR_OR_NULL(b->group))
		isolation_group_put(b->group);
	isolation_provider_unregister(&b->prov);
}

/* Nanoseconds, in thousandths, of ISO_BENCH_CALLS matches, in total. */
static u64 iso_bench_round(struct device *dev, const struct device_driver *drv,
			   bool gate, int *result)
{
	u64 start = ktime_get_ns();
	int i, ret = 0;

	for (i = 0; i < ISO_BENCH_CALLS; i++)
		ret = gate ? driver_match_device(drv, dev) :
			     drv->bus->match(dev, drv);
	*result = ret;
	return (ktime_get_ns() - start) * 1000;
}

/*
 * Times matching @drv against @dev through the bus's match callback alone
 * and through driver_match_device(), in alternating rounds so that both
 * see the same machine, and keeps the fastest round of each: nanoseconds
 * per call, in thousandths, in *@bus and *@gate.
 */
static void iso_bench_time(struct device *dev, const struct device_driver *drv,
			   u64 *bus, u64 *gate, int *bus_ret, int *gate_ret)
{
	int round;

	*bus = U64_MAX;
	*gate = U64_MAX;
	for (round = 0; round < max(iso_bench_rounds, 1U); round++) {
		cond_resched();
		*bus = min(*bus, iso_bench_round(dev, drv, false, bus_ret));
		*gate = min(*gate, iso_bench_round(dev, drv, true, gate_ret));
	}
	*bus = div_u64(*bus, ISO_BENCH_CALLS);
	*gate = div_u64(*gate, ISO_BENCH_CALLS);
}

/* @num / @den in hundredths. */
static u64 iso_bench_ratio(u64 num, u64 den)
{
	return div64_u64(num * 100, max_t(u64, den, 1));
}

/*
 * Times matching @drv against @dev, expects the gate to say @allowed, and
 * returns the time of driver_match_device() per call.
 */
static u64 iso_bench_report_dev(struct kunit *test, const char *what,
				struct device *dev,
				const struct device_driver *drv, int allowed)
{
	int bus_ret, gate_ret;
	u64 bus, gate, ratio;

	iso_bench_time(dev, drv, &bus, &gate, &bus_ret, &gate_ret);
	KUNIT_EXPECT_EQ(test, bus_ret, 1);
	KUNIT_EXPECT_EQ(test, gate_ret, allowed);
	ratio = iso_bench_ratio(gate, bus);
	kunit_info(test,
		   "%s: bus match %llu.%03llu ns, driver_match_device() %llu.%03llu ns, ratio %llu.%02llu\n",
		   what, bus / 1000, bus % 1000, gate / 1000, gate % 1000,
		   ratio / 100, ratio % 100);
	return gate;
}

/* iso_bench_report_dev() for the bench device. */
static u64 iso_bench_report(struct kunit *test, const char *what,
			    const struct device_driver *drv, int allowed)
{
	struct iso_bench *b = test->priv;

	return iso_bench_report_dev(test, what, b->dev, drv, allowed);
}

static void iso_bench_group(struct kunit *test)
{
	struct iso_bench *b = test->priv;

	b->group = isolation_group_alloc(&b->prov);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b->group);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(b->group, b->dev), 0);
}

/* The cost every device in no group pays: one pointer test. */
static void iso_bench_no_group(struct kunit *test)
{
	struct iso_bench *b = test->priv;

	iso_bench_add_drivers(test, 1);
	iso_bench_report(test, "no group", &b->drivers[0], 1);
}

static void iso_bench_unmanaged(struct kunit *test)
{
	struct iso_bench *b = test->priv;

	iso_bench_group(test);
	iso_bench_add_drivers(test, 1);
	iso_bench_report(test, "unmanaged group", &b->drivers[0], 1);
}

/*
 * A managed group with a manager of one driver, then of
 * ISO_BENCH_MANY_DRIVERS: the manager's driver and a foreign one cost the
 * same in both, since a driver carries its manager.
 */
static void iso_bench_managed(struct kunit *test)
{
	struct iso_bench *b = test->priv;
	u64 one_ok, one_no, many_ok, many_no, ok, no;

	iso_bench_group(test);
	iso_bench_add_drivers(test, 2);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(b->group, &b->mgr), 0);
	b->managed = true;
	KUNIT_EXPECT_EQ(test, isolation_group_state(b->group),
			ISOLATION_GROUP_LOCKED);

	one_ok = iso_bench_report(test, "managed, 1 manager driver, accepted",
				  &b->drivers[1], 1);
	one_no = iso_bench_report(test, "managed, 1 manager driver, refused",
				  &b->drivers[0], 0);

	iso_bench_add_drivers(test, ISO_BENCH_MANY_DRIVERS + 1);
	KUNIT_EXPECT_EQ(test, b->mgr.nr_drivers, ISO_BENCH_MANY_DRIVERS);
	many_ok = iso_bench_report(test, "managed, many manager drivers, accepted",
				   &b->drivers[ISO_BENCH_MANY_DRIVERS], 1);
	many_no = iso_bench_report(test, "managed, many manager drivers, refused",
				   &b->drivers[0], 0);
	ok = iso_bench_ratio(many_ok, one_ok);
	no = iso_bench_ratio(many_no, one_no);
	kunit_info(test,
		   "%d manager drivers against 1: ratio %llu.%02llu accepted, %llu.%02llu refused\n",
		   ISO_BENCH_MANY_DRIVERS, ok / 100, ok % 100, no / 100, no % 100);
}

static int iso_bench_any(struct device *dev, const void *data)
{
	return 1;
}

static struct device_driver *iso_bench_pci_find_driver(void)
{
#ifdef CONFIG_PCI
	return driver_find(iso_bench_pci_driver, &pci_bus_type);
#else
	return NULL;
#endif
}

/*
 * Matching on a real bus: the first PCI device bound to
 * iso_bench_pci_driver, against that driver and its ID table, through
 * pci_bus_match() alone and through driver_match_device(), in an unmanaged
 * group: its IOMMU's, or one of the benchmark's when it has none.
 */
static void iso_bench_pci(struct kunit *test)
{
	struct iso_bench *b = test->priv;
	struct isolation_group *group;
	struct device_driver *drv;
	char what[64];

	drv = iso_bench_pci_find_driver();
	if (!drv)
		kunit_skip(test, "no PCI driver %s", iso_bench_pci_driver);
	b->pci_dev = driver_find_device(drv, NULL, NULL, iso_bench_any);
	if (!b->pci_dev)
		kunit_skip(test, "no device bound to %s", iso_bench_pci_driver);

	group = isolation_group_get_from_dev(b->pci_dev);
	if (group) {
		KUNIT_EXPECT_EQ(test, isolation_group_state(group),
				ISOLATION_GROUP_UNMANAGED);
		isolation_group_put(group);
	} else {
		b->group = isolation_group_alloc(&b->prov);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b->group);
		KUNIT_ASSERT_EQ(test, isolation_group_add_device(b->group, b->pci_dev), 0);
		b->pci_added = true;
	}
	snprintf(what, sizeof(what), "%s %s, unmanaged group",
		 iso_bench_pci_driver, dev_name(b->pci_dev));
	iso_bench_report_dev(test, what, b->pci_dev, drv, 1);
}

/* The timed operations of the scale case, in the order they run. */
enum iso_bench_op {
	ISO_BENCH_ALLOC,	/* isolation_group_alloc() for every group */
	ISO_BENCH_ADD,		/* isolation_group_add_device() for every device */
	ISO_BENCH_LOOKUP,	/* isolation_group_get_from_dev() and put */
	ISO_BENCH_MANAGE,	/* isolation_group_set_manager() for every group */
	ISO_BENCH_MERGE,	/* every group merged with the first one */
	ISO_BENCH_UNMERGE,	/* and unmerged again */
	ISO_BENCH_RELEASE,	/* isolation_group_clear_manager() for every group */
	ISO_BENCH_REMOVE,	/* isolation_group_remove_device() for every device */
	ISO_BENCH_FREE,		/* the last isolation_group_put() of every group */
	ISO_BENCH_NR_OPS
};

static const struct {
	const char *name;
	bool per_group;
} iso_bench_ops[ISO_BENCH_NR_OPS] = {
	[ISO_BENCH_ALLOC] = { "alloc group", true },
	[ISO_BENCH_ADD] = { "add device", false },
	[ISO_BENCH_LOOKUP] = { "look up group", false },
	[ISO_BENCH_MANAGE] = { "set manager", true },
	[ISO_BENCH_MERGE] = { "merge", true },
	[ISO_BENCH_UNMERGE] = { "unmerge", true },
	[ISO_BENCH_RELEASE] = { "clear manager", true },
	[ISO_BENCH_REMOVE] = { "remove device", false },
	[ISO_BENCH_FREE] = { "free group", true },
};

/**
 * struct iso_bench_scale - the objects and figures of one size
 * @devs: the devices, registered on the benchmark bus.
 * @groups: the groups of a round, @devs[i] in @groups[i / ISO_BENCH_GROUP_SIZE].
 * @n: number of @devs registered.
 * @nr_groups: number of @groups.
 * @ns: nanoseconds, in thousandths, of one operation on one device or
 *	group (see iso_bench_ops), in the fastest round.
 * @group_bytes: slab memory of one group, its devices left out.
 * @dev_bytes: slab memory of one device's membership of a group.
 */
struct iso_bench_scale {
	struct device **devs;
	struct isolation_group **groups;
	unsigned int n;
	unsigned int nr_groups;
	u64 ns[ISO_BENCH_NR_OPS];
	long group_bytes;
	long dev_bytes;
};

static long iso_bench_slab_bytes(void)
{
	return (global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B) +
		global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B)) *
	       PAGE_SIZE;
}

/*
 * The groups a scale round left, when it stopped early, and the devices;
 * the figures stay.
 */
static void iso_bench_scale_free(struct iso_bench *b,
				 struct iso_bench_scale *sc)
{
	unsigned int i;

	for (i = 0; sc->groups && i < sc->nr_groups; i++) {
		if (!sc->groups[i])
			continue;
		if (isolation_group_state(sc->groups[i]) != ISOLATION_GROUP_UNMANAGED)
			isolation_group_clear_manager(sc->groups[i], &b->mgr);
		isolation_group_put(sc->groups[i]);
	}
	for (i = 0; i < sc->n; i++)
		device_unregister(sc->devs[i]);
	kvfree(sc->groups);
	kvfree(sc->devs);
	sc->groups = NULL;
	sc->devs = NULL;
	b->scale = NULL;
}

static struct device *iso_bench_scale_dev(unsigned int n, unsigned int i)
{
	struct device *dev;

	dev = kzalloc_obj(*dev);
	if (!dev)
		return NULL;
	iso_bench_dev_init(dev);
	if (dev_set_name(dev, "iso-scale-%u-%u", n, i) || device_add(dev)) {
		put_device(dev);
		return NULL;
	}
	return dev;
}

/* Registers @n devices for the rounds of the scale case. */
static void iso_bench_scale_setup(struct kunit *test, struct iso_bench_scale *sc,
				  unsigned int n)
{
	struct iso_bench *b = test->priv;
	struct device *dev;
	unsigned int i;

	sc->nr_groups = DIV_ROUND_UP(n, ISO_BENCH_GROUP_SIZE);
	sc->devs = kvcalloc(n, sizeof(*sc->devs), GFP_KERNEL);
	sc->groups = kvcalloc(sc->nr_groups, sizeof(*sc->groups), GFP_KERNEL);
	/* iso_bench_exit() frees what there is if the case stops early */
	b->scale = sc;
	KUNIT_ASSERT_NOT_NULL(test, sc->devs);
	KUNIT_ASSERT_NOT_NULL(test, sc->groups);
	for (i = 0; i < n; i++) {
		dev = iso_bench_scale_dev(n, i);
		KUNIT_ASSERT_NOT_NULL(test, dev);
		sc->devs[sc->n++] = dev;
		if (!(i % 1024))
			cond_resched();
	}
	for (i = 0; i < ISO_BENCH_NR_OPS; i++)
		sc->ns[i] = U64_MAX;
}

/* Keeps in @sc the time of @op since @start if it is the fastest yet. */
static void iso_bench_scale_time(struct iso_bench_scale *sc,
				 enum iso_bench_op op, u64 start)
{
	u64 ns = (ktime_get_ns() - start) * 1000;

	ns = div_u64(ns, iso_bench_ops[op].per_group ? sc->nr_groups : sc->n);
	sc->ns[op] = min(sc->ns[op], ns);
}

/* One round: every operation on every device and group of @sc. */
static void iso_bench_scale_round(struct kunit *test, struct iso_bench_scale *sc)
{
	struct iso_bench *b = test->priv;
	unsigned int i, last = sc->nr_groups - 1;
	struct isolation_group *group;
	long before;
	u64 start;

	before = iso_bench_slab_bytes();
	start = ktime_get_ns();
	for (i = 0; i < sc->nr_groups; i++) {
		sc->groups[i] = isolation_group_alloc(&b->prov);
		if (IS_ERR(sc->groups[i]))
			sc->groups[i] = NULL;
		KUNIT_ASSERT_NOT_NULL(test, sc->groups[i]);
	}
	iso_bench_scale_time(sc, ISO_BENCH_ALLOC, start);
	sc->group_bytes = (iso_bench_slab_bytes() - before) / sc->nr_groups;

	before = iso_bench_slab_bytes();
	start = ktime_get_ns();
	for (i = 0; i < sc->n; i++) {
		group = sc->groups[i / ISO_BENCH_GROUP_SIZE];
		KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, sc->devs[i]), 0);
	}
	iso_bench_scale_time(sc, ISO_BENCH_ADD, start);
	sc->dev_bytes = (iso_bench_slab_bytes() - before) / sc->n;

	/*
	 * Constant work on each device and its group: how the machine's
	 * caches alone make the cost of a device grow with their number.
	 */
	start = ktime_get_ns();
	for (i = 0; i < sc->n; i++) {
		group = isolation_group_get_from_dev(sc->devs[i]);
		KUNIT_ASSERT_PTR_EQ(test, group, sc->groups[i / ISO_BENCH_GROUP_SIZE]);
		isolation_group_put(group);
	}
	iso_bench_scale_time(sc, ISO_BENCH_LOOKUP, start);

	start = ktime_get_ns();
	for (i = 0; i < sc->nr_groups; i++)
		KUNIT_ASSERT_EQ(test, isolation_group_set_manager(sc->groups[i], &b->mgr), 0);
	iso_bench_scale_time(sc, ISO_BENCH_MANAGE, start);
	KUNIT_EXPECT_EQ(test, isolation_group_state(sc->groups[last]),
			ISOLATION_GROUP_LOCKED);

	start = ktime_get_ns();
	for (i = 1; i < sc->nr_groups; i++)
		KUNIT_ASSERT_EQ(test, isolation_group_merge(sc->groups[i], sc->groups[0],
							    &b->mgr), 0);
	iso_bench_scale_time(sc, ISO_BENCH_MERGE, start);
	KUNIT_EXPECT_EQ(test, isolation_group_context(sc->groups[last]),
			isolation_group_context(sc->groups[0]));

	start = ktime_get_ns();
	for (i = 1; i < sc->nr_groups; i++)
		KUNIT_ASSERT_EQ(test, isolation_group_unmerge(sc->groups[i], &b->mgr), 0);
	iso_bench_scale_time(sc, ISO_BENCH_UNMERGE, start);
	KUNIT_EXPECT_EQ(test, isolation_group_context(sc->groups[last]),
			isolation_group_id(sc->groups[last]));

	start = ktime_get_ns();
	for (i = 0; i < sc->nr_groups; i++)
		KUNIT_ASSERT_EQ(test, isolation_group_clear_manager(sc->groups[i], &b->mgr), 0);
	iso_bench_scale_time(sc, ISO_BENCH_RELEASE, start);

	start = ktime_get_ns();
	for (i = 0; i < sc->n; i++)
		KUNIT_ASSERT_EQ(test, isolation_group_remove_device(sc->devs[i]), 0);
	iso_bench_scale_time(sc, ISO_BENCH_REMOVE, start);
	KUNIT_EXPECT_NULL(test, isolation_group_get_from_dev(sc->devs[0]));

	start = ktime_get_ns();
	for (i = 0; i < sc->nr_groups; i++) {
		isolation_group_put(sc->groups[i]);
		sc->groups[i] = NULL;
	}
	iso_bench_scale_time(sc, ISO_BENCH_FREE, start);
}

/*
 * The core's operations on ISO_BENCH_SCALE_MIN devices, ten times as many
 * and so on up to iso_bench_scale_max, each size in ISO_BENCH_SCALE_ROUNDS
 * rounds: the fastest cost of each per device or group, and its ratio to
 * that at ISO_BENCH_SCALE_MIN devices.  Looking up a device's group does
 * the same work at every size, so its ratio is that of the machine (its
 * caches); an operation whose ratio is much above it does more work per
 * device as devices grow in number.
 */
static void iso_bench_scale(struct kunit *test)
{
	struct iso_bench *b = test->priv;
	struct iso_bench_scale *sc;
	unsigned int n, step, op, round;
	u64 ratio;

	sc = kunit_kcalloc(test, ISO_BENCH_SCALE_STEPS, sizeof(*sc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sc);
	for (step = 0, n = ISO_BENCH_SCALE_MIN;
	     step < ISO_BENCH_SCALE_STEPS && n <= iso_bench_scale_max;
	     step++, n *= 10) {
		iso_bench_scale_setup(test, &sc[step], n);
		for (round = 0; round < ISO_BENCH_SCALE_ROUNDS; round++) {
			iso_bench_scale_round(test, &sc[step]);
			cond_resched();
		}
		iso_bench_scale_free(b, &sc[step]);
		kunit_info(test, "%u devices in %u groups: %ld bytes of slab a group, %ld a device\n",
			   n, sc[step].nr_groups, sc[step].group_bytes,
			   sc[step].dev_bytes);
		for (op = 0; op < ISO_BENCH_NR_OPS; op++) {
			ratio = iso_bench_ratio(sc[step].ns[op], sc[0].ns[op]);
			kunit_info(test, "%u devices: %s %llu.%03llu ns a %s, ratio to %u devices %llu.%02llu\n",
				   n, iso_bench_ops[op].name,
				   sc[step].ns[op] / 1000, sc[step].ns[op] % 1000,
				   iso_bench_ops[op].per_group ? "group" : "device",
				   ISO_BENCH_SCALE_MIN, ratio / 100, ratio % 100);
		}
	}
}

static int iso_bench_suite_init(struct kunit_suite *suite)
{
	return bus_register(&iso_bench_bus);
}

static void iso_bench_suite_exit(struct kunit_suite *suite)
{
	bus_unregister(&iso_bench_bus);
	wait_var_event(&iso_bench_live_devs, !atomic_read(&iso_bench_live_devs));
}

static struct kunit_case iso_bench_cases[] = {
	KUNIT_CASE_SLOW(iso_bench_no_group),
	KUNIT_CASE_SLOW(iso_bench_unmanaged),
	KUNIT_CASE_SLOW(iso_bench_managed),
	KUNIT_CASE_SLOW(iso_bench_pci),
	KUNIT_CASE_SLOW(iso_bench_scale),
	{}
};

static struct kunit_suite iso_bench_suite = {
	.name = "isolation_groups_bench",
	.suite_init = iso_bench_suite_init,
	.suite_exit = iso_bench_suite_exit,
	.init = iso_bench_init,
	.exit = iso_bench_exit,
	.test_cases = iso_bench_cases,
};

kunit_test_suite(iso_bench_suite);

MODULE_DESCRIPTION("KUnit benchmark of isolation groups in driver matching");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
