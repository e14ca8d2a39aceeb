// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit benchmark of the isolation gate in driver matching.
 *
 * Every probe passes through driver_match_device(), which asks the isolation
 * core whether a device's group lets a driver match before the bus's own
 * match callback runs.  Each case times driver_match_device() against the
 * bus callback alone, in one run, for a device in no group, in an unmanaged
 * group and in a managed group, the last with a manager of one driver and
 * of ISO_BENCH_MANY_DRIVERS drivers.  The cases print the figures and check
 * the match results; no time is ever a reason to fail.
 */

#include <kunit/test.h>

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/isolation.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "../base.h"

#define ISO_BENCH_CALLS		200000
#define ISO_BENCH_ROUNDS	25
#define ISO_BENCH_MANY_DRIVERS	1024

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
};

static atomic_t iso_bench_seq = ATOMIC_INIT(0);

static void iso_bench_dev_release(struct device *dev)
{
	kfree(dev);
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

	b->dev = kzalloc(sizeof(*b->dev), GFP_KERNEL);
	if (!b->dev) {
		ret = -ENOMEM;
		goto err_manager;
	}
	device_initialize(b->dev);
	b->dev->bus = &iso_bench_bus;
	b->dev->release = iso_bench_dev_release;
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

static void iso_bench_exit(struct kunit *test)
{
	struct iso_bench *b = test->priv;

	if (!b)
		return;
	if (b->managed)
		isolation_group_clear_manager(b->group, &b->mgr);
	while (b->nr_drivers)
		driver_unregister(&b->drivers[--b->nr_drivers]);
	isolation_manager_unregister(&b->mgr);
	device_unregister(b->dev);
	if (b->group)
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
	for (round = 0; round < ISO_BENCH_ROUNDS; round++) {
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
 * Times matching @drv against the bench device, expects the gate to say
 * @allowed, and returns the time of driver_match_device() per call.
 */
static u64 iso_bench_report(struct kunit *test, const char *what,
			    const struct device_driver *drv, int allowed)
{
	struct iso_bench *b = test->priv;
	int bus_ret, gate_ret;
	u64 bus, gate, ratio;

	iso_bench_time(b->dev, drv, &bus, &gate, &bus_ret, &gate_ret);
	KUNIT_EXPECT_EQ(test, bus_ret, 1);
	KUNIT_EXPECT_EQ(test, gate_ret, allowed);
	ratio = iso_bench_ratio(gate, bus);
	kunit_info(test,
		   "%s: bus match %llu.%03llu ns, driver_match_device() %llu.%03llu ns, ratio %llu.%02llu\n",
		   what, bus / 1000, bus % 1000, gate / 1000, gate % 1000,
		   ratio / 100, ratio % 100);
	return gate;
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

static int iso_bench_suite_init(struct kunit_suite *suite)
{
	return bus_register(&iso_bench_bus);
}

static void iso_bench_suite_exit(struct kunit_suite *suite)
{
	bus_unregister(&iso_bench_bus);
}

static struct kunit_case iso_bench_cases[] = {
	KUNIT_CASE_SLOW(iso_bench_no_group),
	KUNIT_CASE_SLOW(iso_bench_unmanaged),
	KUNIT_CASE_SLOW(iso_bench_managed),
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
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
