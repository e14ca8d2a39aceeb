// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test provider and manager for isolation groups.
 *
 * Loading this module registers the provider "test-pci", which puts the
 * functions of each PCI slot (domain, bus, device) that no other provider
 * has grouped into one group: a rule chosen to give both single and
 * multi-device groups, not a statement about isolation.  It also registers
 * the manager "test" with one PCI driver, "isolation-test-stub", that binds
 * only through driver_override.  Writing a group id to the module parameter
 * "manage" hands that group to the manager; writing it to "release" takes it
 * back.  Unloading the module removes every group.  It exists to exercise the
 * driver core from userspace in tests.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/isolation.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>

static struct isolation_provider test_provider = {
	.name = "test-pci",
};

static void test_manager_state_changed(struct isolation_manager *mgr,
				       struct isolation_group *group,
				       enum isolation_group_state state)
{
	pr_info("group %d is %s\n", isolation_group_id(group),
		state == ISOLATION_GROUP_LOCKED ? "locked" : "managed");
}

static struct isolation_manager test_manager = {
	.name = "test",
	.state_changed = test_manager_state_changed,
};

static int test_stub_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	return 0;
}

static struct pci_driver test_stub_driver = {
	.name = "isolation-test-stub",
	.id_table = NULL,
	.probe = test_stub_probe,
};

/* Serializes the parameter writes against module load and unload. */
static DEFINE_MUTEX(test_lock);
static bool test_ready;

static int test_manage(const char *val, bool manage)
{
	struct isolation_group *group;
	int id, ret;

	ret = kstrtoint(val, 10, &id);
	if (ret)
		return ret;

	guard(mutex)(&test_lock);
	if (!test_ready)
		return -ENODEV;

	group = isolation_group_get_by_id(id);
	if (!group)
		return -ENOENT;

	if (manage)
		ret = isolation_group_set_manager(group, &test_manager);
	else
		ret = isolation_group_clear_manager(group, &test_manager);
	isolation_group_put(group);
	return ret;
}

static int test_manage_set(const char *val, const struct kernel_param *kp)
{
	return test_manage(val, true);
}

static int test_release_set(const char *val, const struct kernel_param *kp)
{
	return test_manage(val, false);
}

static const struct kernel_param_ops test_manage_ops = {
	.set = test_manage_set,
};

static const struct kernel_param_ops test_release_ops = {
	.set = test_release_set,
};

module_param_cb(manage, &test_manage_ops, NULL, 0200);
MODULE_PARM_DESC(manage, "id of a group to hand to the test manager");
module_param_cb(release, &test_release_ops, NULL, 0200);
MODULE_PARM_DESC(release, "id of a group to take back from the test manager");

/* This provider's group of another function in the same slot, if any. */
static struct isolation_group *test_slot_group(struct pci_dev *pdev)
{
	struct isolation_group *group = NULL;
	struct pci_dev *other = NULL;

	for_each_pci_dev(other) {
		if (other == pdev || other->bus != pdev->bus ||
		    PCI_SLOT(other->devfn) != PCI_SLOT(pdev->devfn))
			continue;
		group = isolation_group_get_from_dev(&other->dev);
		if (isolation_group_provider(group) == &test_provider) {
			pci_dev_put(other);
			break;
		}
		isolation_group_put(group);
		group = NULL;
	}
	return group;
}

/* A device that another provider has grouped stays in its group. */
static int test_add_pci_dev(struct pci_dev *pdev)
{
	struct isolation_group *group;
	int ret;

	group = isolation_group_get_from_dev(&pdev->dev);
	if (group) {
		isolation_group_put(group);
		return 0;
	}
	group = test_slot_group(pdev);
	if (!group) {
		group = isolation_group_alloc(&test_provider);
		if (IS_ERR(group))
			return PTR_ERR(group);
	}
	ret = isolation_group_add_device(group, &pdev->dev);
	isolation_group_put(group);
	return ret;
}

static int __init test_provider_init(void)
{
	struct pci_dev *pdev = NULL;
	int ret;

	ret = isolation_provider_register(&test_provider);
	if (ret)
		return ret;
	ret = isolation_manager_register(&test_manager);
	if (ret)
		goto err_provider;
	ret = pci_register_driver(&test_stub_driver);
	if (ret)
		goto err_manager;
	ret = isolation_manager_add_driver(&test_manager,
					   &test_stub_driver.driver);
	if (ret)
		goto err_driver;

	for_each_pci_dev(pdev) {
		ret = test_add_pci_dev(pdev);
		if (ret) {
			pci_dev_put(pdev);
			goto err_groups;
		}
	}

	scoped_guard(mutex, &test_lock)
		test_ready = true;
	return 0;

err_groups:
	isolation_manager_remove_driver(&test_manager, &test_stub_driver.driver);
err_driver:
	pci_unregister_driver(&test_stub_driver);
err_manager:
	isolation_manager_unregister(&test_manager);
err_provider:
	isolation_provider_unregister(&test_provider);
	return ret;
}
module_init(test_provider_init);

/* Takes back every group still handed to the test manager. */
static void test_release_all(void)
{
	struct isolation_group *group;
	struct pci_dev *pdev = NULL;

	for_each_pci_dev(pdev) {
		group = isolation_group_get_from_dev(&pdev->dev);
		if (!group)
			continue;
		isolation_group_clear_manager(group, &test_manager);
		isolation_group_put(group);
	}
}

static void __exit test_provider_exit(void)
{
	scoped_guard(mutex, &test_lock)
		test_ready = false;

	test_release_all();
	isolation_manager_remove_driver(&test_manager, &test_stub_driver.driver);
	pci_unregister_driver(&test_stub_driver);
	isolation_provider_unregister(&test_provider);
	if (isolation_manager_unregister(&test_manager))
		pr_err("test manager still busy at unload\n");
}
module_exit(test_provider_exit);

MODULE_DESCRIPTION("Test provider and manager for isolation groups");
MODULE_LICENSE("GPL");
