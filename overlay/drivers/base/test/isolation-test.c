// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for isolation groups.
 *
 * The tests use a bus of their own on which a device matches the driver
 * named in its "want" field, two providers, and a manager with one driver
 * beside an ordinary driver, so that the isolation gate is the only thing
 * that can refuse a match.
 */

#include <kunit/resource.h>
#include <kunit/test.h>

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/isolation.h>
#include <linux/kernfs.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "../base.h"

struct iso_test_dev {
	struct device dev;
	const char *want;
	unsigned int matches;
};

#define to_iso_test_dev(d) container_of(d, struct iso_test_dev, dev)

static int iso_test_match(struct device *dev, const struct device_driver *drv)
{
	struct iso_test_dev *tdev = to_iso_test_dev(dev);
	const char *want = READ_ONCE(tdev->want);

	WRITE_ONCE(tdev->matches, tdev->matches + 1);
	return want && !strcmp(want, drv->name);
}

/* How often @dev was matched against a driver. */
static unsigned int iso_test_matches(struct device *dev)
{
	return READ_ONCE(to_iso_test_dev(dev)->matches);
}

static const struct bus_type iso_test_bus = {
	.name = "isolation-test",
	.match = iso_test_match,
};

static int iso_test_probe(struct device *dev)
{
	return 0;
}

struct iso_test_ctx {
	struct isolation_provider prov_a;
	struct isolation_provider prov_b;
	struct isolation_manager mgr;
	struct isolation_manager other_mgr;
	struct device_driver plain_drv;
	struct device_driver mgr_drv;
	char plain_name[32];
	char mgr_name[32];
	unsigned int nr_state_changes;
	enum isolation_group_state last_state;
	struct isolation_group *last_group;
	int live_groups;
	/* The isolation_fault suite's groups and devices. */
	struct isolation_group *group[2];
	struct device *dev[2];
	unsigned int matches;
};

static void iso_test_state_changed(struct isolation_manager *mgr,
				   struct isolation_group *group,
				   enum isolation_group_state state)
{
	struct iso_test_ctx *ctx = container_of(mgr, struct iso_test_ctx, mgr);

	ctx->nr_state_changes++;
	ctx->last_state = state;
	ctx->last_group = group;
}

KUNIT_DEFINE_ACTION_WRAPPER(iso_provider_unregister_action,
			    isolation_provider_unregister,
			    struct isolation_provider *);
KUNIT_DEFINE_ACTION_WRAPPER(iso_driver_unregister_action, driver_unregister,
			    struct device_driver *);
KUNIT_DEFINE_ACTION_WRAPPER(iso_device_unregister_action, device_unregister,
			    struct device *);

/*
 * Runs last.  The managers live in the context: if a failed test left one of
 * them managing a group, the context is leaked rather than freed under the
 * isolation core's feet.
 */
static void iso_test_ctx_free(void *data)
{
	struct iso_test_ctx *ctx = data;
	int ret = isolation_manager_unregister(&ctx->mgr);
	int other = isolation_manager_unregister(&ctx->other_mgr);

	if (ret == -EBUSY || other == -EBUSY) {
		pr_err("isolation-test: manager still busy, leaking context\n");
		return;
	}
	kfree(ctx);
}

/*
 * Devices not yet released: their release function is this module's, and
 * with CONFIG_DEBUG_KOBJECT_RELEASE it runs up to seconds after the last
 * put, so the suites wait for them before the module may go.
 */
static atomic_t iso_test_live_devs = ATOMIC_INIT(0);

static void iso_test_dev_release(struct device *dev)
{
	kfree(to_iso_test_dev(dev));
	if (atomic_dec_and_test(&iso_test_live_devs))
		wake_up_var(&iso_test_live_devs);
}

/* Adds a device that wants the driver @want; unregistered at test exit. */
static struct device *iso_test_dev_add(struct kunit *test, const char *name,
				       const char *want)
{
	struct iso_test_dev *tdev;
	int ret;

	tdev = kzalloc_obj(*tdev);
	KUNIT_ASSERT_NOT_NULL(test, tdev);
	tdev->want = want;
	device_initialize(&tdev->dev);
	atomic_inc(&iso_test_live_devs);
	tdev->dev.bus = &iso_test_bus;
	tdev->dev.release = iso_test_dev_release;
	ret = dev_set_name(&tdev->dev, "%s", name);
	if (!ret)
		ret = device_add(&tdev->dev);
	if (ret) {
		put_device(&tdev->dev);
		KUNIT_FAIL_AND_ABORT(test, "cannot add device %s: %d", name, ret);
	}
	ret = kunit_add_action_or_reset(test, iso_device_unregister_action,
					&tdev->dev);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return &tdev->dev;
}

/* Makes @dev want @want and probes it; returns whether a driver is bound. */
static bool iso_test_dev_probe(struct device *dev, const char *want)
{
	WRITE_ONCE(to_iso_test_dev(dev)->want, want);
	return device_attach(dev) > 0;
}

static void iso_test_driver_register(struct kunit *test,
				     struct device_driver *drv,
				     const char *name)
{
	int ret;

	drv->name = name;
	drv->bus = &iso_test_bus;
	drv->probe = iso_test_probe;
	KUNIT_ASSERT_EQ(test, driver_register(drv), 0);
	ret = kunit_add_action_or_reset(test, iso_driver_unregister_action, drv);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

static struct isolation_group *iso_test_group(struct kunit *test,
					      struct isolation_provider *prov)
{
	struct isolation_group *group = isolation_group_alloc(prov);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, group);
	return group;
}

/* Whether @dev has its isolation_group link. */
static bool iso_test_dev_linked(struct device *dev)
{
	struct kernfs_node *kn;

	kn = kernfs_find_and_get(dev->kobj.sd, "isolation_group");
	kernfs_put(kn);
	return !!kn;
}

/* Whether /sys/kernel/isolation_groups/<id>/devices/ lists @dev. */
static bool iso_test_group_lists(struct isolation_group *group,
				 struct device *dev)
{
	struct kernfs_node *kn, *next;
	char id[16];
	const char *path[4] = { "isolation_groups", id, "devices", dev_name(dev) };
	int i;

	snprintf(id, sizeof(id), "%d", isolation_group_id(group));
	kn = kernel_kobj->sd;
	kernfs_get(kn);
	for (i = 0; kn && i < ARRAY_SIZE(path); i++) {
		next = kernfs_find_and_get(kn, path[i]);
		kernfs_put(kn);
		kn = next;
	}
	kernfs_put(kn);
	return !!kn;
}

static bool iso_test_group_exists(int id)
{
	struct isolation_group *group = isolation_group_get_by_id(id);

	isolation_group_put(group);
	return !!group;
}

static atomic_t iso_test_seq = ATOMIC_INIT(0);

static int iso_test_init(struct kunit *test)
{
	struct iso_test_ctx *ctx;
	int n, ret;

	ctx = kzalloc_obj(*ctx);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ret = kunit_add_action_or_reset(test, iso_test_ctx_free, ctx);
	KUNIT_ASSERT_EQ(test, ret, 0);
	test->priv = ctx;
	ctx->live_groups = isolation_group_live_count();

	ctx->prov_a.name = "test-provider-a";
	ctx->prov_b.name = "test-provider-b";
	ctx->mgr.name = "test-manager";
	ctx->mgr.state_changed = iso_test_state_changed;
	ctx->other_mgr.name = "test-other-manager";

	KUNIT_ASSERT_EQ(test, isolation_provider_register(&ctx->prov_a), 0);
	ret = kunit_add_action_or_reset(test, iso_provider_unregister_action,
					&ctx->prov_a);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, isolation_provider_register(&ctx->prov_b), 0);
	ret = kunit_add_action_or_reset(test, iso_provider_unregister_action,
					&ctx->prov_b);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, isolation_manager_register(&ctx->mgr), 0);
	KUNIT_ASSERT_EQ(test, isolation_manager_register(&ctx->other_mgr), 0);

	/*
	 * A driver's sysfs directory may outlive its unregistration for a
	 * while (CONFIG_DEBUG_KOBJECT_RELEASE), so each test names its drivers
	 * afresh.
	 */
	n = atomic_inc_return(&iso_test_seq);
	snprintf(ctx->plain_name, sizeof(ctx->plain_name), "iso-plain-%d", n);
	snprintf(ctx->mgr_name, sizeof(ctx->mgr_name), "iso-managed-%d", n);
	iso_test_driver_register(test, &ctx->plain_drv, ctx->plain_name);
	iso_test_driver_register(test, &ctx->mgr_drv, ctx->mgr_name);
	KUNIT_ASSERT_EQ(test, isolation_manager_add_driver(&ctx->mgr,
							   &ctx->mgr_drv), 0);
	return 0;
}

/* Every reference the test took or caused has been dropped again. */
static void iso_test_expect_no_new_groups(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, isolation_group_live_count(), ctx->live_groups);
}

static int iso_test_suite_init(struct kunit_suite *suite)
{
	return bus_register(&iso_test_bus);
}

static void iso_test_suite_exit(struct kunit_suite *suite)
{
	bus_unregister(&iso_test_bus);
	wait_var_event(&iso_test_live_devs, !atomic_read(&iso_test_live_devs));
}

/* A group is named by its id while referenced, and gone after the last put. */
static void iso_test_group_lifetime(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group, *found;
	int id;

	group = iso_test_group(test, &ctx->prov_a);
	id = isolation_group_id(group);
	KUNIT_EXPECT_GE(test, id, 0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_UNMANAGED);

	found = isolation_group_get_by_id(id);
	KUNIT_EXPECT_PTR_EQ(test, found, group);
	isolation_group_put(found);
	KUNIT_EXPECT_TRUE(test, iso_test_group_exists(id));

	KUNIT_EXPECT_PTR_EQ(test, isolation_group_get(group), group);
	isolation_group_put(group);
	KUNIT_EXPECT_TRUE(test, iso_test_group_exists(id));

	isolation_group_put(group);
	KUNIT_EXPECT_FALSE(test, iso_test_group_exists(id));
	KUNIT_EXPECT_NULL(test, isolation_group_get_by_id(-1));
	KUNIT_EXPECT_EQ(test, isolation_group_id(NULL), -EINVAL);
	iso_test_expect_no_new_groups(test);
}

/* Adding creates both links and one membership; removing undoes it. */
static void iso_test_add_remove_device(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group, *other, *found;
	struct device *dev;

	group = iso_test_group(test, &ctx->prov_a);
	other = iso_test_group(test, &ctx->prov_b);
	dev = iso_test_dev_add(test, "iso-dev0", NULL);

	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev), 0);
	KUNIT_EXPECT_TRUE(test, iso_test_dev_linked(dev));
	KUNIT_EXPECT_TRUE(test, iso_test_group_lists(group, dev));
	found = isolation_group_get_from_dev(dev);
	KUNIT_EXPECT_PTR_EQ(test, found, group);
	isolation_group_put(found);

	/* A device is in one group at most. */
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(group, dev), -EBUSY);
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(other, dev), -EBUSY);
	KUNIT_EXPECT_FALSE(test, iso_test_group_lists(other, dev));

	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(dev), 0);
	KUNIT_EXPECT_FALSE(test, iso_test_dev_linked(dev));
	KUNIT_EXPECT_FALSE(test, iso_test_group_lists(group, dev));
	KUNIT_EXPECT_NULL(test, isolation_group_get_from_dev(dev));
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(dev), -ENODEV);

	/* Once out, the device may join another group. */
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(other, dev), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(dev), 0);

	isolation_group_put(group);
	isolation_group_put(other);
	iso_test_expect_no_new_groups(test);
}

/* Members keep a group alive; it vanishes with the last one. */
static void iso_test_group_vanishes_with_last_device(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group;
	struct device *dev0, *dev1;
	int id;

	group = iso_test_group(test, &ctx->prov_a);
	id = isolation_group_id(group);
	dev0 = iso_test_dev_add(test, "iso-dev0", NULL);
	dev1 = iso_test_dev_add(test, "iso-dev1", NULL);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev0), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev1), 0);
	isolation_group_put(group);

	KUNIT_EXPECT_TRUE(test, iso_test_group_exists(id));
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(dev0), 0);
	KUNIT_EXPECT_TRUE(test, iso_test_group_exists(id));
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(dev1), 0);
	KUNIT_EXPECT_FALSE(test, iso_test_group_exists(id));
	iso_test_expect_no_new_groups(test);
}

static int iso_test_count_dev(struct device *dev, void *data)
{
	unsigned int *count = data;

	return ++*count == 2 ? 2 : 0;
}

/* Walking a group visits each member once and stops when asked to. */
static void iso_test_walk_devices(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group;
	unsigned int count = 0;
	struct device *dev;

	group = iso_test_group(test, &ctx->prov_a);
	KUNIT_EXPECT_EQ(test, isolation_group_walk_devices(group, &count,
							   iso_test_count_dev),
			0);
	KUNIT_EXPECT_EQ(test, count, 0);
	dev = iso_test_dev_add(test, "iso-dev0", NULL);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_walk_devices(group, &count,
							   iso_test_count_dev),
			0);
	KUNIT_EXPECT_EQ(test, count, 1);
	dev = iso_test_dev_add(test, "iso-dev1", NULL);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev), 0);
	dev = iso_test_dev_add(test, "iso-dev2", NULL);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev), 0);
	count = 0;
	KUNIT_EXPECT_EQ(test, isolation_group_walk_devices(group, &count,
							   iso_test_count_dev),
			2);
	KUNIT_EXPECT_EQ(test, count, 2);
	KUNIT_EXPECT_EQ(test, isolation_group_walk_devices(group, NULL, NULL),
			-EINVAL);
	isolation_group_put(group);
}

/* Deleting a device takes it out of its group, which may then vanish. */
static void iso_test_device_del(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group;
	struct device *dev;
	int id;

	group = iso_test_group(test, &ctx->prov_a);
	id = isolation_group_id(group);
	dev = iso_test_dev_add(test, "iso-dev0", NULL);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev), 0);
	isolation_group_put(group);

	get_device(dev);
	kunit_release_action(test, iso_device_unregister_action, dev);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(dev->isolation_group));
	KUNIT_EXPECT_FALSE(test, iso_test_group_exists(id));

	/* A deleted device cannot join a group. */
	group = iso_test_group(test, &ctx->prov_a);
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(group, dev), -ENODEV);
	isolation_group_put(group);
	put_device(dev);
	iso_test_expect_no_new_groups(test);
}

/* Several providers at once; names are unique; only registered ones work. */
static void iso_test_providers(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_provider dup = { .name = "test-provider-a" };
	struct isolation_provider unnamed = { };
	struct isolation_group *ga, *gb;

	ga = iso_test_group(test, &ctx->prov_a);
	gb = iso_test_group(test, &ctx->prov_b);
	KUNIT_EXPECT_NE(test, isolation_group_id(ga), isolation_group_id(gb));

	KUNIT_EXPECT_EQ(test, isolation_provider_register(&ctx->prov_a), -EEXIST);
	KUNIT_EXPECT_EQ(test, isolation_provider_register(&dup), -EEXIST);
	KUNIT_EXPECT_EQ(test, isolation_provider_register(&unnamed), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_provider_register(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(isolation_group_alloc(&dup)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(isolation_group_alloc(NULL)), -EINVAL);

	/* Unregistering one provider leaves the other's groups alone. */
	isolation_provider_unregister(&ctx->prov_a);
	KUNIT_EXPECT_FALSE(test, iso_test_group_exists(isolation_group_id(ga)));
	KUNIT_EXPECT_TRUE(test, iso_test_group_exists(isolation_group_id(gb)));
	KUNIT_EXPECT_EQ(test, PTR_ERR(isolation_group_alloc(&ctx->prov_a)),
			-EINVAL);
	/* A second unregistration is harmless. */
	isolation_provider_unregister(&ctx->prov_a);

	isolation_group_put(ga);
	isolation_group_put(gb);
	iso_test_expect_no_new_groups(test);
}

/* A provider may go while its groups are referenced and managed. */
static void iso_test_provider_unregister_in_use(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group;
	struct device *dev0, *dev1;
	int id;

	group = iso_test_group(test, &ctx->prov_a);
	id = isolation_group_id(group);
	dev0 = iso_test_dev_add(test, "iso-dev0", NULL);
	dev1 = iso_test_dev_add(test, "iso-dev1", NULL);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev0), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, &ctx->mgr), 0);

	isolation_provider_unregister(&ctx->prov_a);
	KUNIT_EXPECT_NULL(test, isolation_group_get_from_dev(dev0));
	KUNIT_EXPECT_FALSE(test, iso_test_dev_linked(dev0));
	KUNIT_EXPECT_FALSE(test, iso_test_group_exists(id));

	/* The dead group takes no device and no new manager... */
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(group, dev1), -ENODEV);
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(group,
							  &ctx->other_mgr),
			-ENODEV);
	/* ...no longer restricts matching of its former member... */
	KUNIT_EXPECT_TRUE(test, iso_test_dev_probe(dev0, ctx->plain_name));
	/* ...and its manager can still let go of it. */
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, &ctx->mgr),
			0);
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(group,
							  &ctx->other_mgr),
			-ENODEV);
	isolation_group_put(group);
	iso_test_expect_no_new_groups(test);
}

/* While managed, only the manager's drivers match; afterwards all do. */
static void iso_test_match_gated(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group;
	struct device *dev;

	group = iso_test_group(test, &ctx->prov_a);
	dev = iso_test_dev_add(test, "iso-dev0", NULL);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev), 0);

	/* An unmanaged group does not restrict anything. */
	KUNIT_EXPECT_TRUE(test, iso_test_dev_probe(dev, ctx->plain_name));
	device_release_driver(dev);

	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, &ctx->mgr), 0);
	KUNIT_EXPECT_FALSE(test, iso_test_dev_probe(dev, ctx->plain_name));
	KUNIT_EXPECT_NULL(test, dev->driver);
	/* The other route, a driver looking for devices, is gated too. */
	KUNIT_EXPECT_EQ(test, driver_attach(&ctx->plain_drv), 0);
	KUNIT_EXPECT_NULL(test, dev->driver);

	KUNIT_EXPECT_TRUE(test, iso_test_dev_probe(dev, ctx->mgr_name));
	KUNIT_EXPECT_PTR_EQ(test, dev->driver, &ctx->mgr_drv);
	device_release_driver(dev);

	/* Releasing the group probes the unbound device with any driver. */
	WRITE_ONCE(to_iso_test_dev(dev)->want, ctx->plain_name);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, &ctx->mgr),
			0);
	KUNIT_EXPECT_PTR_EQ(test, dev->driver, &ctx->plain_drv);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_UNMANAGED);
	isolation_group_put(group);
}

/* Every transition between the states, and what the manager is told. */
static void iso_test_state_transitions(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group;
	struct device *dev;

	group = iso_test_group(test, &ctx->prov_a);
	dev = iso_test_dev_add(test, "iso-dev0", ctx->plain_name);
	KUNIT_ASSERT_PTR_EQ(test, dev->driver, &ctx->plain_drv);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev), 0);

	/* A foreign driver is bound: managed, not locked. */
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_MANAGED);
	KUNIT_EXPECT_EQ(test, ctx->nr_state_changes, 1);
	KUNIT_EXPECT_EQ(test, ctx->last_state, ISOLATION_GROUP_MANAGED);
	KUNIT_EXPECT_PTR_EQ(test, ctx->last_group, group);

	/* Unbinding it locks the group. */
	device_release_driver(dev);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_LOCKED);
	KUNIT_EXPECT_EQ(test, ctx->nr_state_changes, 2);
	KUNIT_EXPECT_EQ(test, ctx->last_state, ISOLATION_GROUP_LOCKED);

	/* Binding the manager's driver keeps it locked, with no news. */
	KUNIT_EXPECT_TRUE(test, iso_test_dev_probe(dev, ctx->mgr_name));
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_LOCKED);
	KUNIT_EXPECT_EQ(test, ctx->nr_state_changes, 2);

	/* A bound driver that stops being the manager's unlocks it. */
	KUNIT_EXPECT_EQ(test, isolation_manager_remove_driver(&ctx->mgr,
							      &ctx->mgr_drv),
			0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_MANAGED);
	KUNIT_EXPECT_EQ(test, ctx->last_state, ISOLATION_GROUP_MANAGED);
	KUNIT_EXPECT_EQ(test, isolation_manager_add_driver(&ctx->mgr,
							   &ctx->mgr_drv), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_LOCKED);
	KUNIT_EXPECT_EQ(test, ctx->nr_state_changes, 4);

	/* Clearing the manager: unmanaged; the manager's driver stays. */
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, &ctx->mgr),
			0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_UNMANAGED);
	KUNIT_EXPECT_PTR_EQ(test, dev->driver, &ctx->mgr_drv);
	KUNIT_EXPECT_EQ(test, ctx->nr_state_changes, 4);

	/* A group with no bound device locks as soon as it is managed. */
	device_release_driver(dev);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_LOCKED);
	KUNIT_EXPECT_EQ(test, ctx->nr_state_changes, 5);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, &ctx->mgr),
			0);
	isolation_group_put(group);
}

/* Devices joining a managed group decide its state by their binding. */
static void iso_test_add_to_managed_group(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group;
	struct device *bound, *unbound;

	group = iso_test_group(test, &ctx->prov_a);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_LOCKED);

	unbound = iso_test_dev_add(test, "iso-dev0", NULL);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, unbound), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_LOCKED);
	/* Once in, the ordinary driver is refused. */
	KUNIT_EXPECT_FALSE(test, iso_test_dev_probe(unbound, ctx->plain_name));

	bound = iso_test_dev_add(test, "iso-dev1", ctx->plain_name);
	KUNIT_ASSERT_PTR_EQ(test, bound->driver, &ctx->plain_drv);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, bound), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_MANAGED);

	/* The foreign driver leaving with its device locks the group again. */
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(bound), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_LOCKED);

	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, &ctx->mgr),
			0);
	/* Released, the waiting device gets its ordinary driver. */
	KUNIT_EXPECT_PTR_EQ(test, unbound->driver, &ctx->plain_drv);
	isolation_group_put(group);
}

/* Misuse of the manager API is refused and changes nothing. */
static void iso_test_manager_misuse(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_manager dup = { .name = "test-manager" };
	struct isolation_manager unregistered = { .name = "test-unregistered" };
	struct isolation_manager unnamed = { };
	struct device_driver unregistered_drv = { .name = "iso-none" };
	struct isolation_group *group;

	group = iso_test_group(test, &ctx->prov_a);

	KUNIT_EXPECT_EQ(test, isolation_manager_register(&ctx->mgr), -EEXIST);
	KUNIT_EXPECT_EQ(test, isolation_manager_register(&dup), -EEXIST);
	KUNIT_EXPECT_EQ(test, isolation_manager_register(&unnamed), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_manager_register(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_manager_unregister(&unregistered),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(group, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(NULL, &ctx->mgr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(group, &unregistered),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, &ctx->mgr),
			-EINVAL);

	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(group, &ctx->mgr),
			-EALREADY);
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(group,
							  &ctx->other_mgr),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group,
							    &ctx->other_mgr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_manager_unregister(&ctx->mgr), -EBUSY);

	/* Drivers: one manager each, registered drivers only. */
	KUNIT_EXPECT_EQ(test, isolation_manager_add_driver(&ctx->mgr,
							   &ctx->mgr_drv),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, isolation_manager_add_driver(&ctx->other_mgr,
							   &ctx->mgr_drv),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, isolation_manager_add_driver(&ctx->mgr,
							   &unregistered_drv),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_manager_add_driver(&unregistered,
							   &ctx->plain_drv),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_manager_remove_driver(&ctx->other_mgr,
							      &ctx->mgr_drv),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_manager_remove_driver(&ctx->mgr,
							      &ctx->plain_drv),
			-EINVAL);

	/* Nothing above changed the group. */
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_LOCKED);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, &ctx->mgr),
			0);

	/* Still has a driver. */
	KUNIT_EXPECT_EQ(test, isolation_manager_unregister(&ctx->mgr), -EBUSY);
	isolation_group_put(group);
}

/*
 * The other manager accepts the ordinary driver for devices whose name
 * starts with "iso-ok", as VFIO accepts drivers that manage DMA themselves.
 */
static bool iso_test_allows_driver(const struct isolation_manager *mgr,
				   struct device *dev,
				   const struct device_driver *drv)
{
	const struct iso_test_ctx *ctx = container_of_const(mgr,
							   struct iso_test_ctx,
							   other_mgr);

	return drv == &ctx->plain_drv && !strncmp(dev_name(dev), "iso-ok", 6);
}

/* Drivers a manager accepts count like its own, for that device only. */
static void iso_test_allows_driver_cb(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group;
	struct device *ok, *other;

	ctx->other_mgr.allows_driver = iso_test_allows_driver;
	group = iso_test_group(test, &ctx->prov_a);
	ok = iso_test_dev_add(test, "iso-ok0", ctx->plain_name);
	other = iso_test_dev_add(test, "iso-dev0", NULL);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, ok), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, other), 0);

	/* Bound to an accepted driver: locked at once. */
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group,
							  &ctx->other_mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_LOCKED);

	/* Accepted for one device, refused for the other. */
	device_release_driver(ok);
	KUNIT_EXPECT_TRUE(test, iso_test_dev_probe(ok, ctx->plain_name));
	KUNIT_EXPECT_FALSE(test, iso_test_dev_probe(other, ctx->plain_name));
	KUNIT_EXPECT_NULL(test, other->driver);
	/* The first manager's driver is no driver of this one. */
	device_release_driver(ok);
	KUNIT_EXPECT_FALSE(test, iso_test_dev_probe(ok, ctx->mgr_name));
	KUNIT_EXPECT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_LOCKED);

	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group,
							    &ctx->other_mgr),
			0);
	KUNIT_EXPECT_PTR_EQ(test, other->driver, &ctx->plain_drv);
	isolation_group_put(group);
	ctx->other_mgr.allows_driver = NULL;
}

/* A locked group with one unbound device, managed by @mgr. */
static struct isolation_group *iso_test_locked_group(struct kunit *test,
						     struct isolation_provider *prov,
						     struct isolation_manager *mgr,
						     const char *name)
{
	struct isolation_group *group = iso_test_group(test, prov);
	struct device *dev = iso_test_dev_add(test, name, NULL);

	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_state(group),
			ISOLATION_GROUP_LOCKED);
	return group;
}

/* Merged groups share one context; unmerging gives each its own again. */
static void iso_test_merge(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *a, *b, *c;
	int ida, idb, idc;

	a = iso_test_locked_group(test, &ctx->prov_a, &ctx->mgr, "iso-dev0");
	b = iso_test_locked_group(test, &ctx->prov_a, &ctx->mgr, "iso-dev1");
	/* Groups of different providers may merge: one IOMMU may serve both. */
	c = iso_test_locked_group(test, &ctx->prov_b, &ctx->mgr, "iso-dev2");
	ida = isolation_group_id(a);
	idb = isolation_group_id(b);
	idc = isolation_group_id(c);
	KUNIT_EXPECT_EQ(test, isolation_group_context(a), ida);
	KUNIT_EXPECT_EQ(test, isolation_group_context(b), idb);

	KUNIT_ASSERT_EQ(test, isolation_group_merge(b, a, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_context(a), min(ida, idb));
	KUNIT_EXPECT_EQ(test, isolation_group_context(b), min(ida, idb));
	KUNIT_EXPECT_EQ(test, isolation_group_context(c), idc);

	/* A third group joins the merge through either member. */
	KUNIT_ASSERT_EQ(test, isolation_group_merge(c, b, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_context(c),
			isolation_group_context(a));

	/* The lowest id leaving: the others still share, it is alone. */
	KUNIT_ASSERT_EQ(test, isolation_group_unmerge(a, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_context(a), ida);
	KUNIT_EXPECT_EQ(test, isolation_group_context(b), min(idb, idc));
	KUNIT_EXPECT_EQ(test, isolation_group_context(c), min(idb, idc));

	/* Joining again, the lowest id is the context of the whole merge. */
	KUNIT_ASSERT_EQ(test, isolation_group_merge(a, c, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_context(a), min3(ida, idb, idc));
	KUNIT_EXPECT_EQ(test, isolation_group_context(b), min3(ida, idb, idc));
	KUNIT_EXPECT_EQ(test, isolation_group_context(c), min3(ida, idb, idc));
	KUNIT_ASSERT_EQ(test, isolation_group_unmerge(a, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_context(a), ida);
	KUNIT_EXPECT_EQ(test, isolation_group_context(b), min(idb, idc));

	/* Clearing the manager unmerges. */
	KUNIT_ASSERT_EQ(test, isolation_group_clear_manager(c, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_context(b), idb);
	KUNIT_EXPECT_EQ(test, isolation_group_context(c), idc);
	KUNIT_EXPECT_EQ(test, isolation_group_unmerge(b, &ctx->mgr),
			-EALREADY);

	/* Hot merge again, then the provider of one goes away. */
	KUNIT_ASSERT_EQ(test, isolation_group_merge(a, b, &ctx->mgr), 0);
	kunit_release_action(test, iso_provider_unregister_action,
			     &ctx->prov_a);
	KUNIT_EXPECT_EQ(test, isolation_group_context(a), ida);
	KUNIT_EXPECT_EQ(test, isolation_group_context(b), idb);

	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(a, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(b, &ctx->mgr), 0);
	isolation_group_put(a);
	isolation_group_put(b);
	isolation_group_put(c);
}

/* Misuse of merging is refused and changes nothing. */
static void iso_test_merge_misuse(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *a, *b, *c, *other, *managed, *unmanaged;
	struct device *dev;

	a = iso_test_locked_group(test, &ctx->prov_a, &ctx->mgr, "iso-dev0");
	b = iso_test_locked_group(test, &ctx->prov_a, &ctx->mgr, "iso-dev1");
	c = iso_test_locked_group(test, &ctx->prov_a, &ctx->mgr, "iso-dev2");
	other = iso_test_locked_group(test, &ctx->prov_a, &ctx->other_mgr,
				      "iso-dev3");
	unmanaged = iso_test_group(test, &ctx->prov_a);
	managed = iso_test_group(test, &ctx->prov_b);
	dev = iso_test_dev_add(test, "iso-dev4", ctx->plain_name);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(managed, dev), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(managed, &ctx->mgr),
			0);
	KUNIT_ASSERT_EQ(test, isolation_group_state(managed),
			ISOLATION_GROUP_MANAGED);

	KUNIT_EXPECT_EQ(test, isolation_group_merge(NULL, a, &ctx->mgr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_merge(a, NULL, &ctx->mgr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_merge(a, b, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_merge(a, a, &ctx->mgr), -EINVAL);
	/* Only groups of the calling manager, and only locked ones. */
	KUNIT_EXPECT_EQ(test, isolation_group_merge(a, other, &ctx->mgr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_merge(a, b, &ctx->other_mgr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_merge(unmanaged, a, &ctx->mgr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_merge(managed, a, &ctx->mgr),
			-EPERM);
	KUNIT_EXPECT_EQ(test, isolation_group_merge(a, managed, &ctx->mgr),
			-EPERM);
	KUNIT_EXPECT_EQ(test, isolation_group_unmerge(a, &ctx->mgr),
			-EALREADY);
	KUNIT_EXPECT_EQ(test, isolation_group_unmerge(a, &ctx->other_mgr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_unmerge(NULL, &ctx->mgr),
			-EINVAL);

	KUNIT_ASSERT_EQ(test, isolation_group_merge(a, b, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_merge(a, b, &ctx->mgr),
			-EALREADY);
	KUNIT_EXPECT_EQ(test, isolation_group_merge(b, a, &ctx->mgr),
			-EALREADY);
	/* A merged group leaves its merge before it joins another. */
	KUNIT_EXPECT_EQ(test, isolation_group_merge(a, c, &ctx->mgr), -EBUSY);

	/* Nothing above changed a context. */
	KUNIT_EXPECT_EQ(test, isolation_group_context(a),
			isolation_group_context(b));
	KUNIT_EXPECT_EQ(test, isolation_group_context(c), isolation_group_id(c));
	KUNIT_EXPECT_EQ(test, isolation_group_context(other),
			isolation_group_id(other));
	KUNIT_EXPECT_EQ(test, isolation_group_context(managed),
			isolation_group_id(managed));
	KUNIT_EXPECT_EQ(test, isolation_group_context(NULL), -EINVAL);

	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(a, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(b, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(c, &ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(other,
							    &ctx->other_mgr),
			0);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(managed,
							    &ctx->mgr), 0);
	isolation_group_put(a);
	isolation_group_put(b);
	isolation_group_put(c);
	isolation_group_put(other);
	isolation_group_put(managed);
	isolation_group_put(unmanaged);
}

/* Unregistering a manager's driver removes it from the manager. */
static void iso_test_driver_unregister(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, ctx->mgr.nr_drivers, 1);
	kunit_release_action(test, iso_driver_unregister_action, &ctx->mgr_drv);
	KUNIT_EXPECT_EQ(test, ctx->mgr.nr_drivers, 0);
	KUNIT_EXPECT_EQ(test, isolation_manager_unregister(&ctx->mgr), 0);
	KUNIT_EXPECT_EQ(test, isolation_manager_unregister(&ctx->mgr), -EINVAL);
}

static struct kunit_case isolation_test_cases[] = {
	KUNIT_CASE(iso_test_group_lifetime),
	KUNIT_CASE(iso_test_add_remove_device),
	KUNIT_CASE(iso_test_group_vanishes_with_last_device),
	KUNIT_CASE(iso_test_walk_devices),
	KUNIT_CASE(iso_test_device_del),
	KUNIT_CASE(iso_test_providers),
	KUNIT_CASE(iso_test_provider_unregister_in_use),
	KUNIT_CASE(iso_test_match_gated),
	KUNIT_CASE(iso_test_state_transitions),
	KUNIT_CASE(iso_test_add_to_managed_group),
	KUNIT_CASE(iso_test_manager_misuse),
	KUNIT_CASE(iso_test_allows_driver_cb),
	KUNIT_CASE(iso_test_merge),
	KUNIT_CASE(iso_test_merge_misuse),
	KUNIT_CASE(iso_test_driver_unregister),
	{}
};

static struct kunit_suite isolation_test_suite = {
	.name = "isolation_groups",
	.suite_init = iso_test_suite_init,
	.suite_exit = iso_test_suite_exit,
	.init = iso_test_init,
	.test_cases = isolation_test_cases,
};

/*
 * Fault injection: each case runs one operation of the isolation core with
 * its Nth allocation failing (fail_nth, through failslab and
 * fail_page_alloc) for N = 1, 2, ... until the operation completes without
 * reaching the Nth allocation, and checks after every run that a failed
 * operation returned an errno and left no trace, and that a successful one
 * did all of its work.  The cases are skipped unless fault injection is
 * armed for sleeping allocations, which only debugfs can do, so they run
 * when the module is loaded after:
 *
 *	echo N > /sys/kernel/debug/failslab/ignore-gfp-wait
 *	echo N > /sys/kernel/debug/fail_page_alloc/ignore-gfp-wait
 *	echo 0 > /sys/kernel/debug/fail_page_alloc/min-order
 *
 * Every case reports the number of injection points it reached.
 */
#define ISO_FAULT_MAX_NTH 1000

#ifdef CONFIG_FAULT_INJECTION
static void iso_fault_arm(unsigned int nth)
{
	WRITE_ONCE(current->fail_nth, nth);
}

/* Disarms, and returns whether the armed failure was injected. */
static bool iso_fault_disarm(void)
{
	bool injected = !READ_ONCE(current->fail_nth);

	WRITE_ONCE(current->fail_nth, 0);
	return injected;
}
#else
static void iso_fault_arm(unsigned int nth) { }
static bool iso_fault_disarm(void) { return false; }
#endif

/* Whether the first sleeping allocation after arming fails. */
static bool iso_fault_armed(void)
{
	bool injected;
	void *p;

	iso_fault_arm(1);
	p = kmalloc(16, GFP_KERNEL);
	injected = iso_fault_disarm();
	kfree(p);
	return !p && injected;
}

/**
 * struct iso_fault_op - one operation under fault injection
 * @prepare: sets up the state the operation starts from; runs unarmed.
 * @run: the operation; returns 0 or an errno.
 * @check: checks the state after @run returned @ret, and undoes a
 *	successful @run; runs unarmed.
 */
struct iso_fault_op {
	void (*prepare)(struct kunit *test);
	int (*run)(struct kunit *test);
	void (*check)(struct kunit *test, int ret, bool injected);
};

static void iso_fault_loop(struct kunit *test, const struct iso_fault_op *op)
{
	unsigned int nth;
	bool injected;
	int ret;

	for (nth = 1; nth <= ISO_FAULT_MAX_NTH; nth++) {
		if (op->prepare)
			op->prepare(test);
		iso_fault_arm(nth);
		ret = op->run(test);
		injected = iso_fault_disarm();
		if (ret)
			KUNIT_EXPECT_TRUE_MSG(test, injected,
					      "failed with %d, nothing injected",
					      ret);
		op->check(test, ret, injected);
		if (!injected) {
			kunit_info(test, "%u injection points\n", nth - 1);
			return;
		}
	}
	KUNIT_FAIL(test, "more than %d injection points", ISO_FAULT_MAX_NTH);
}

static int iso_fault_init(struct kunit *test)
{
	struct iso_test_ctx *ctx;
	int ret;

	if (!iso_fault_armed())
		kunit_skip(test, "fault injection not armed for sleeping allocations");
	ret = iso_test_init(test);
	if (ret)
		return ret;
	ctx = test->priv;
	ctx->dev[0] = iso_test_dev_add(test, "iso-fault0", ctx->plain_name);
	ctx->dev[1] = iso_test_dev_add(test, "iso-fault1", NULL);
	KUNIT_ASSERT_TRUE(test, device_is_bound(ctx->dev[0]));
	return 0;
}

/* Whether @dev is out of every group, with neither link left. */
static void iso_fault_expect_ungrouped(struct kunit *test, struct device *dev)
{
	struct isolation_group *group = isolation_group_get_from_dev(dev);

	KUNIT_EXPECT_NULL(test, group);
	isolation_group_put(group);
	KUNIT_EXPECT_FALSE(test, iso_test_dev_linked(dev));
}

/* Whether @dev is in @group, with both links. */
static void iso_fault_expect_member(struct kunit *test,
				    struct isolation_group *group,
				    struct device *dev)
{
	struct isolation_group *found = isolation_group_get_from_dev(dev);

	KUNIT_EXPECT_PTR_EQ(test, found, group);
	isolation_group_put(found);
	KUNIT_EXPECT_TRUE(test, iso_test_dev_linked(dev));
	KUNIT_EXPECT_TRUE(test, iso_test_group_lists(group, dev));
}

/* Registering a provider. */
static int iso_fault_register_run(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;

	isolation_provider_unregister(&ctx->prov_b);
	return isolation_provider_register(&ctx->prov_b);
}

static void iso_fault_register_check(struct kunit *test, int ret, bool injected)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group = isolation_group_alloc(&ctx->prov_b);

	if (ret) {
		KUNIT_EXPECT_EQ(test, PTR_ERR(group), -EINVAL);
		KUNIT_ASSERT_EQ(test, isolation_provider_register(&ctx->prov_b), 0);
	} else {
		KUNIT_EXPECT_FALSE(test, IS_ERR(group));
		if (!IS_ERR(group))
			isolation_group_put(group);
	}
}

static void iso_fault_provider_register(struct kunit *test)
{
	static const struct iso_fault_op op = {
		.run = iso_fault_register_run,
		.check = iso_fault_register_check,
	};

	iso_fault_loop(test, &op);
}

/* Allocating a group. */
static int iso_fault_alloc_run(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group = isolation_group_alloc(&ctx->prov_a);

	if (IS_ERR(group))
		return PTR_ERR(group);
	ctx->group[0] = group;
	return 0;
}

static void iso_fault_alloc_check(struct kunit *test, int ret, bool injected)
{
	struct iso_test_ctx *ctx = test->priv;

	if (ret) {
		KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
		iso_test_expect_no_new_groups(test);
		return;
	}
	KUNIT_EXPECT_TRUE(test, iso_test_group_exists(isolation_group_id(ctx->group[0])));
	KUNIT_EXPECT_EQ(test, isolation_group_live_count(), ctx->live_groups + 1);
	isolation_group_put(ctx->group[0]);
}

static void iso_fault_group_alloc(struct kunit *test)
{
	static const struct iso_fault_op op = {
		.run = iso_fault_alloc_run,
		.check = iso_fault_alloc_check,
	};

	iso_fault_loop(test, &op);
}

/* Adding a device to a group, with its two links. */
static void iso_fault_add_prepare(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;

	ctx->group[0] = iso_test_group(test, &ctx->prov_a);
}

static int iso_fault_add_run(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;

	return isolation_group_add_device(ctx->group[0], ctx->dev[0]);
}

static void iso_fault_add_check(struct kunit *test, int ret, bool injected)
{
	struct iso_test_ctx *ctx = test->priv;

	if (ret) {
		KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
		KUNIT_EXPECT_FALSE(test, iso_test_group_lists(ctx->group[0],
							      ctx->dev[0]));
		iso_fault_expect_ungrouped(test, ctx->dev[0]);
	} else {
		iso_fault_expect_member(test, ctx->group[0], ctx->dev[0]);
		KUNIT_EXPECT_EQ(test, isolation_group_remove_device(ctx->dev[0]), 0);
	}
	isolation_group_put(ctx->group[0]);
}

static void iso_fault_add_device(struct kunit *test)
{
	static const struct iso_fault_op op = {
		.prepare = iso_fault_add_prepare,
		.run = iso_fault_add_run,
		.check = iso_fault_add_check,
	};

	iso_fault_loop(test, &op);
}

/* A provider placing a device in a new group, as providers do. */
static int iso_fault_place_run(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	struct isolation_group *group = isolation_group_alloc(&ctx->prov_a);
	int ret;

	if (IS_ERR(group))
		return PTR_ERR(group);
	ret = isolation_group_add_device(group, ctx->dev[0]);
	isolation_group_put(group);
	return ret;
}

static void iso_fault_place_check(struct kunit *test, int ret, bool injected)
{
	struct iso_test_ctx *ctx = test->priv;

	if (ret) {
		KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
		iso_fault_expect_ungrouped(test, ctx->dev[0]);
		iso_test_expect_no_new_groups(test);
		return;
	}
	KUNIT_EXPECT_TRUE(test, iso_test_dev_linked(ctx->dev[0]));
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(ctx->dev[0]), 0);
	iso_test_expect_no_new_groups(test);
}

static void iso_fault_place_device(struct kunit *test)
{
	static const struct iso_fault_op op = {
		.run = iso_fault_place_run,
		.check = iso_fault_place_check,
	};

	iso_fault_loop(test, &op);
}

/* Removing a device from its group. */
static void iso_fault_remove_prepare(struct kunit *test)
{
	iso_fault_add_prepare(test);
	KUNIT_ASSERT_EQ(test, iso_fault_add_run(test), 0);
}

static int iso_fault_remove_run(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;

	return isolation_group_remove_device(ctx->dev[0]);
}

static void iso_fault_remove_check(struct kunit *test, int ret, bool injected)
{
	struct iso_test_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_FALSE(test, iso_test_group_lists(ctx->group[0], ctx->dev[0]));
	iso_fault_expect_ungrouped(test, ctx->dev[0]);
	isolation_group_put(ctx->group[0]);
}

static void iso_fault_remove_device(struct kunit *test)
{
	static const struct iso_fault_op op = {
		.prepare = iso_fault_remove_prepare,
		.run = iso_fault_remove_run,
		.check = iso_fault_remove_check,
	};

	iso_fault_loop(test, &op);
}

/*
 * Setting and clearing the manager of a group of two devices, one bound to
 * an ordinary driver.
 */
static void iso_fault_two_devices(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;
	int i;

	ctx->group[0] = iso_test_group(test, &ctx->prov_a);
	for (i = 0; i < 2; i++)
		KUNIT_ASSERT_EQ(test, isolation_group_add_device(ctx->group[0],
								 ctx->dev[i]), 0);
	isolation_group_put(ctx->group[0]);
}

static int iso_fault_set_manager_run(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;

	return isolation_group_set_manager(ctx->group[0], &ctx->mgr);
}

static void iso_fault_set_manager_check(struct kunit *test, int ret,
					bool injected)
{
	struct iso_test_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(ctx->group[0]),
			ISOLATION_GROUP_MANAGED);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(ctx->group[0],
							    &ctx->mgr), 0);
}

static void iso_fault_set_manager(struct kunit *test)
{
	static const struct iso_fault_op op = {
		.run = iso_fault_set_manager_run,
		.check = iso_fault_set_manager_check,
	};

	iso_fault_two_devices(test);
	iso_fault_loop(test, &op);
}

/* The group locked, its ordinary driver unbound: release must re-probe. */
static void iso_fault_clear_manager_prepare(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, iso_fault_set_manager_run(test), 0);
	device_release_driver(ctx->dev[0]);
	KUNIT_ASSERT_EQ(test, isolation_group_state(ctx->group[0]),
			ISOLATION_GROUP_LOCKED);
	ctx->matches = iso_test_matches(ctx->dev[0]);
}

static int iso_fault_clear_manager_run(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;

	return isolation_group_clear_manager(ctx->group[0], &ctx->mgr);
}

static void iso_fault_clear_manager_check(struct kunit *test, int ret,
					  bool injected)
{
	struct iso_test_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, isolation_group_state(ctx->group[0]),
			ISOLATION_GROUP_UNMANAGED);
	/* Probed again: matched against the drivers. */
	KUNIT_EXPECT_GT_MSG(test, iso_test_matches(ctx->dev[0]), ctx->matches,
			    "not probed again after release");
	/* A failed allocation may fail the driver's probe, not the release. */
	if (!injected)
		KUNIT_EXPECT_TRUE(test, device_is_bound(ctx->dev[0]));
	else if (!device_is_bound(ctx->dev[0]))
		KUNIT_EXPECT_EQ(test, device_attach(ctx->dev[0]), 1);
}

static void iso_fault_clear_manager(struct kunit *test)
{
	static const struct iso_fault_op op = {
		.prepare = iso_fault_clear_manager_prepare,
		.run = iso_fault_clear_manager_run,
		.check = iso_fault_clear_manager_check,
	};

	iso_fault_two_devices(test);
	iso_fault_loop(test, &op);
}

/* Adding a driver to a manager and removing it. */
static int iso_fault_add_driver_run(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;

	return isolation_manager_add_driver(&ctx->other_mgr, &ctx->plain_drv);
}

static void iso_fault_add_driver_check(struct kunit *test, int ret,
				       bool injected)
{
	struct iso_test_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, ctx->other_mgr.nr_drivers, 1);
	KUNIT_EXPECT_EQ(test, isolation_manager_remove_driver(&ctx->other_mgr,
							      &ctx->plain_drv), 0);
	KUNIT_EXPECT_EQ(test, ctx->other_mgr.nr_drivers, 0);
}

static void iso_fault_manager_driver(struct kunit *test)
{
	static const struct iso_fault_op op = {
		.run = iso_fault_add_driver_run,
		.check = iso_fault_add_driver_check,
	};

	iso_fault_loop(test, &op);
}

/* Merging two locked groups and unmerging them. */
static int iso_fault_merge_run(struct kunit *test)
{
	struct iso_test_ctx *ctx = test->priv;

	return isolation_group_merge(ctx->group[1], ctx->group[0], &ctx->mgr);
}

static void iso_fault_merge_check(struct kunit *test, int ret, bool injected)
{
	struct iso_test_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, isolation_group_context(ctx->group[0]),
			isolation_group_context(ctx->group[1]));
	KUNIT_EXPECT_EQ(test, isolation_group_unmerge(ctx->group[1], &ctx->mgr), 0);
	KUNIT_EXPECT_NE(test, isolation_group_context(ctx->group[0]),
			isolation_group_context(ctx->group[1]));
}

static void iso_fault_merge(struct kunit *test)
{
	static const struct iso_fault_op op = {
		.run = iso_fault_merge_run,
		.check = iso_fault_merge_check,
	};
	struct iso_test_ctx *ctx = test->priv;
	int i;

	device_release_driver(ctx->dev[0]);
	for (i = 0; i < 2; i++) {
		ctx->group[i] = iso_test_group(test, &ctx->prov_a);
		KUNIT_ASSERT_EQ(test, isolation_group_add_device(ctx->group[i],
								 ctx->dev[i]), 0);
		KUNIT_ASSERT_EQ(test, isolation_group_set_manager(ctx->group[i],
								  &ctx->mgr), 0);
	}
	iso_fault_loop(test, &op);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(ctx->group[i],
								    &ctx->mgr), 0);
		isolation_group_put(ctx->group[i]);
	}
}

static struct kunit_case isolation_fault_cases[] = {
	KUNIT_CASE(iso_fault_provider_register),
	KUNIT_CASE(iso_fault_group_alloc),
	KUNIT_CASE(iso_fault_add_device),
	KUNIT_CASE(iso_fault_place_device),
	KUNIT_CASE(iso_fault_remove_device),
	KUNIT_CASE(iso_fault_set_manager),
	KUNIT_CASE(iso_fault_clear_manager),
	KUNIT_CASE(iso_fault_manager_driver),
	KUNIT_CASE(iso_fault_merge),
	{}
};

static struct kunit_suite isolation_fault_suite = {
	.name = "isolation_fault",
	.suite_init = iso_test_suite_init,
	.suite_exit = iso_test_suite_exit,
	.init = iso_fault_init,
	.test_cases = isolation_fault_cases,
};

kunit_test_suites(&isolation_test_suite, &isolation_fault_suite);

MODULE_DESCRIPTION("KUnit tests for isolation groups");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");
