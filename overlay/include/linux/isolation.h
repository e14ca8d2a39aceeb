/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Isolation groups: sets of devices between which the platform guarantees no
 * isolation, while distinct groups are isolated from each other, usually by
 * an IOMMU.  See Documentation/driver-api/isolation.rst.
 */
#ifndef _LINUX_ISOLATION_H
#define _LINUX_ISOLATION_H

#include <linux/err.h>
#include <linux/list.h>
#include <linux/sysfs.h>
#include <linux/types.h>

struct device;
struct device_driver;
struct isolation_group;

/**
 * struct isolation_group_attribute - a sysfs attribute of isolation groups
 * @attr: the attribute, with its name and mode.
 * @show: prints the value for @group into the PAGE_SIZE buffer @buf with
 *	sysfs_emit() and returns its length or a negative errno.  It may call
 *	isolation_group_walk_devices() but no other isolation function.
 *
 * Providers use it for the attributes they add to their groups, see
 * &struct isolation_provider.
 */
struct isolation_group_attribute {
	struct attribute attr;
	ssize_t (*show)(struct isolation_group *group, char *buf);
};

#define ISOLATION_GROUP_ATTR_RO(_name)					\
	struct isolation_group_attribute isolation_group_attr_##_name =	\
		__ATTR_RO(_name)

/**
 * enum isolation_group_state - state of an isolation group
 * @ISOLATION_GROUP_UNMANAGED: no manager; any driver may bind to the devices.
 * @ISOLATION_GROUP_MANAGED: a manager is set, so only its drivers may bind,
 *	but at least one device is still bound to a driver of another owner.
 * @ISOLATION_GROUP_LOCKED: a manager is set and every device is bound to one
 *	of the manager's drivers or to no driver at all.
 */
enum isolation_group_state {
	ISOLATION_GROUP_UNMANAGED,
	ISOLATION_GROUP_MANAGED,
	ISOLATION_GROUP_LOCKED,
};

/**
 * struct isolation_provider - a source of isolation groups
 * @name: name shown in each group's ``provider`` attribute; must be unique
 *	among registered providers.
 * @group_groups: optional, NULL-terminated; attribute groups added to the
 *	sysfs directory of each group of this provider.  Their attributes
 *	are &struct isolation_group_attribute.
 * @node: private, entry in the list of registered providers.
 * @groups: private, the live groups allocated by this provider.
 *
 * A provider, typically an IOMMU driver, knows which devices cannot be
 * isolated from each other.  It allocates groups and puts devices in them.
 */
struct isolation_provider {
	const char *name;
	const struct attribute_group **group_groups;
	struct list_head node;
	struct list_head groups;
};

/**
 * struct isolation_manager - an owner of isolation groups
 * @name: name shown in each managed group's ``manager`` attribute; must be
 *	unique among registered managers.
 * @state_changed: optional; called when a group managed by this manager
 *	moves between %ISOLATION_GROUP_MANAGED and %ISOLATION_GROUP_LOCKED.
 *	It runs with the isolation core's lock held, possibly under the lock of
 *	a device of the group, so it must not sleep on device locks nor call
 *	back into the isolation API.
 * @allows_driver: optional; returns true for a driver that is not one of
 *	the manager's own but that it accepts in its groups, both for matching
 *	and for the %ISOLATION_GROUP_LOCKED state (VFIO accepts PCI drivers
 *	that manage DMA ownership themselves).  Called from driver matching
 *	under rcu_read_lock() and with the isolation core's lock held: it must
 *	not sleep, must be O(1) and must give the same answer every time for
 *	the same device and driver.
 * @node: private, entry in the list of registered managers.
 * @groups: private, the groups this manager manages.
 * @nr_drivers: private, number of drivers registered with this manager.
 *
 * A manager, for example a userspace driver framework, takes groups over.
 * While a group has a manager, driver matching accepts only the manager's
 * drivers for the devices of the group.
 */
struct isolation_manager {
	const char *name;
	void (*state_changed)(struct isolation_manager *mgr,
			      struct isolation_group *group,
			      enum isolation_group_state state);
	bool (*allows_driver)(const struct isolation_manager *mgr,
			      struct device *dev,
			      const struct device_driver *drv);
	struct list_head node;
	struct list_head groups;
	unsigned int nr_drivers;
};

#ifdef CONFIG_ISOLATION_GROUPS

int isolation_provider_register(struct isolation_provider *prov);
void isolation_provider_unregister(struct isolation_provider *prov);

struct isolation_group *isolation_group_alloc(struct isolation_provider *prov);
struct isolation_group *isolation_group_get(struct isolation_group *group);
void isolation_group_put(struct isolation_group *group);
struct isolation_group *isolation_group_get_by_id(int id);
struct isolation_group *isolation_group_get_from_dev(struct device *dev);
int isolation_group_id(struct isolation_group *group);
struct isolation_provider *isolation_group_provider(struct isolation_group *group);
enum isolation_group_state isolation_group_state(struct isolation_group *group);

int isolation_group_add_device(struct isolation_group *group,
			       struct device *dev);
int isolation_group_remove_device(struct device *dev);
int isolation_group_walk_devices(struct isolation_group *group, void *data,
				 int (*fn)(struct device *dev, void *data));

int isolation_manager_register(struct isolation_manager *mgr);
int isolation_manager_unregister(struct isolation_manager *mgr);
int isolation_manager_add_driver(struct isolation_manager *mgr,
				 struct device_driver *drv);
int isolation_manager_remove_driver(struct isolation_manager *mgr,
				    struct device_driver *drv);
int isolation_group_set_manager(struct isolation_group *group,
				struct isolation_manager *mgr);
int isolation_group_clear_manager(struct isolation_group *group,
				  struct isolation_manager *mgr);
int isolation_group_merge(struct isolation_group *group,
			  struct isolation_group *target,
			  struct isolation_manager *mgr);
int isolation_group_unmerge(struct isolation_group *group,
			    struct isolation_manager *mgr);
int isolation_group_context(struct isolation_group *group);

#else /* !CONFIG_ISOLATION_GROUPS */

static inline int isolation_provider_register(struct isolation_provider *prov)
{
	return -ENODEV;
}

static inline void isolation_provider_unregister(struct isolation_provider *prov)
{
}

static inline struct isolation_group *
isolation_group_alloc(struct isolation_provider *prov)
{
	return ERR_PTR(-ENODEV);
}

static inline struct isolation_group *
isolation_group_get(struct isolation_group *group)
{
	return NULL;
}

static inline void isolation_group_put(struct isolation_group *group)
{
}

static inline struct isolation_group *isolation_group_get_by_id(int id)
{
	return NULL;
}

static inline struct isolation_group *
isolation_group_get_from_dev(struct device *dev)
{
	return NULL;
}

static inline int isolation_group_id(struct isolation_group *group)
{
	return -ENODEV;
}

static inline struct isolation_provider *
isolation_group_provider(struct isolation_group *group)
{
	return NULL;
}

static inline enum isolation_group_state
isolation_group_state(struct isolation_group *group)
{
	return ISOLATION_GROUP_UNMANAGED;
}

static inline int isolation_group_add_device(struct isolation_group *group,
					     struct device *dev)
{
	return -ENODEV;
}

static inline int isolation_group_remove_device(struct device *dev)
{
	return -ENODEV;
}

static inline int
isolation_group_walk_devices(struct isolation_group *group, void *data,
			     int (*fn)(struct device *dev, void *data))
{
	return -ENODEV;
}

static inline int isolation_manager_register(struct isolation_manager *mgr)
{
	return -ENODEV;
}

static inline int isolation_manager_unregister(struct isolation_manager *mgr)
{
	return -ENODEV;
}

static inline int isolation_manager_add_driver(struct isolation_manager *mgr,
					       struct device_driver *drv)
{
	return -ENODEV;
}

static inline int isolation_manager_remove_driver(struct isolation_manager *mgr,
						  struct device_driver *drv)
{
	return -ENODEV;
}

static inline int isolation_group_set_manager(struct isolation_group *group,
					      struct isolation_manager *mgr)
{
	return -ENODEV;
}

static inline int isolation_group_clear_manager(struct isolation_group *group,
						struct isolation_manager *mgr)
{
	return -ENODEV;
}

static inline int isolation_group_merge(struct isolation_group *group,
					struct isolation_group *target,
					struct isolation_manager *mgr)
{
	return -ENODEV;
}

static inline int isolation_group_unmerge(struct isolation_group *group,
					  struct isolation_manager *mgr)
{
	return -ENODEV;
}

static inline int isolation_group_context(struct isolation_group *group)
{
	return -ENODEV;
}

#endif /* CONFIG_ISOLATION_GROUPS */

#endif /* _LINUX_ISOLATION_H */
