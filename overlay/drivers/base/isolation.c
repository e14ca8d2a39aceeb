// SPDX-License-Identifier: GPL-2.0-only
/*
 * Isolation groups
 *
 * An isolation group is a set of devices between which the platform cannot
 * guarantee isolation (DMA of one may reach another), while distinct groups
 * are isolated from each other, usually by an IOMMU.  Providers define the
 * groups; a manager may take a group over, after which driver matching only
 * accepts the manager's drivers for the devices of the group.
 *
 * Locking: isolation_lock protects every list and every field below that is
 * written after creation: the provider and manager lists, group membership,
 * group->manager, group->state, group->dead, the merge lists and
 * group->context, device->isolation_group and the manager marks in struct
 * driver_private.  It nests inside device_lock()
 * (the driver core calls in here from probe and release paths), so nothing
 * here takes a device lock while holding it.  Readers outside the lock are
 * driver matching, which reads device->isolation_group and group->manager
 * under RCU (groups are freed after a grace period), and the sysfs show
 * callbacks, which read group->manager under RCU (a manager unregistering
 * waits for a grace period) and never take isolation_lock, so that a group
 * can be removed from sysfs with the lock held.  A group's list of devices
 * is also protected by its own group->lock, which writers take inside
 * isolation_lock, so that show callbacks can walk it.
 *
 * Merging: groups merged together share one IOMMU context.  They are linked
 * in a circular list through group->merge_node (a group that is not merged
 * is alone in its list), and each shows as its context the lowest id in its
 * list, so that the number is the same exactly for groups merged together
 * and needs no allocation.  Only groups locked under one manager merge;
 * clearing the manager or removing the group unmerges it.
 *
 * Lifetime: group->users counts the references handed out by this API; each
 * device in the group and the group's manager hold one.  When it drops to
 * zero, or when the provider unregisters, the group is unpublished: it
 * leaves sysfs, its provider's list and the id table.  The memory goes with
 * the last kobject reference, after an RCU grace period.
 */

#define pr_fmt(fmt) "isolation: " fmt

#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/isolation.h>
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/xarray.h>

#include "base.h"

/**
 * struct isolation_group - a set of devices that cannot be isolated
 * @kobj: sysfs object, /sys/kernel/isolation_groups/<id>.
 * @users: references taken through the API; the group is unpublished when
 *	it drops to zero.
 * @lock: protects @devices for readers; writers also hold isolation_lock.
 * @devices_kn: the group's ``devices`` directory, holding links to devices.
 * @provider: the provider that allocated the group.
 * @provider_node: entry in @provider's list of live groups.
 * @manager: the manager, or NULL; read under RCU by driver matching.
 * @manager_node: entry in @manager's list of groups.
 * @devices: list of &struct isolation_device, the members.
 * @merge_node: entry in the circular list of the groups merged with this
 *	one; empty when the group is not merged.
 * @state: current &enum isolation_group_state.
 * @id: decimal name of the group in sysfs.
 * @context: lowest id among the groups merged with this one, its own id
 *	when not merged; read without the lock by the ``context`` attribute.
 * @dead: the group has been unpublished and accepts no new devices.
 * @rcu: defers freeing past lockless readers.
 */
struct isolation_group {
	struct kobject kobj;
	struct kref users;
	struct mutex lock; /* see the kernel-doc above */
	struct kernfs_node *devices_kn;
	struct isolation_provider *provider;
	struct list_head provider_node;
	struct isolation_manager *manager;
	struct list_head manager_node;
	struct list_head devices;
	struct list_head merge_node;
	enum isolation_group_state state;
	int id;
	int context;
	bool dead;
	struct rcu_head rcu;
};

/**
 * struct isolation_device - membership of one device in a group
 * @node: entry in the group's list of devices.
 * @dev: the device, referenced while it is a member.
 * @reprobe: to be probed by isolation_group_clear_manager(), which releases
 *	the group and finds its unbound devices without allocating.
 */
struct isolation_device {
	struct list_head node;
	struct device *dev;
	bool reprobe;
};

static DEFINE_MUTEX(isolation_lock);
static DEFINE_XARRAY_ALLOC(isolation_ids);
static LIST_HEAD(isolation_providers);
static LIST_HEAD(isolation_managers);
static struct kset *isolation_kset;
static atomic_t isolation_groups_live = ATOMIC_INIT(0);

#define to_isolation_group(k) container_of(k, struct isolation_group, kobj)

static const char * const isolation_state_names[] = {
	[ISOLATION_GROUP_UNMANAGED] = "unmanaged",
	[ISOLATION_GROUP_MANAGED] = "managed",
	[ISOLATION_GROUP_LOCKED] = "locked",
};

#define to_isolation_group_attr(a) \
	container_of(a, struct isolation_group_attribute, attr)

static ssize_t isolation_group_attr_show(struct kobject *kobj,
					 struct attribute *attr, char *buf)
{
	return to_isolation_group_attr(attr)->show(to_isolation_group(kobj), buf);
}

static const struct sysfs_ops isolation_group_sysfs_ops = {
	.show = isolation_group_attr_show,
};

static ssize_t provider_show(struct isolation_group *group, char *buf)
{
	/* Cleared only after the group has left sysfs. */
	return sysfs_emit(buf, "%s\n", group->provider->name);
}
static ISOLATION_GROUP_ATTR_RO(provider);

static ssize_t manager_show(struct isolation_group *group, char *buf)
{
	struct isolation_manager *mgr;
	ssize_t len;

	rcu_read_lock();
	mgr = READ_ONCE(group->manager);
	len = sysfs_emit(buf, "%s\n", mgr ? mgr->name : "");
	rcu_read_unlock();

	return len;
}
static ISOLATION_GROUP_ATTR_RO(manager);

static ssize_t state_show(struct isolation_group *group, char *buf)
{
	enum isolation_group_state state = READ_ONCE(group->state);

	return sysfs_emit(buf, "%s\n", isolation_state_names[state]);
}
static ISOLATION_GROUP_ATTR_RO(state);

static ssize_t context_show(struct isolation_group *group, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(group->context));
}
static ISOLATION_GROUP_ATTR_RO(context);

static struct attribute *isolation_group_attrs[] = {
	&isolation_group_attr_provider.attr,
	&isolation_group_attr_manager.attr,
	&isolation_group_attr_state.attr,
	&isolation_group_attr_context.attr,
	NULL,
};

static const struct attribute_group isolation_group_attr_group = {
	.attrs = isolation_group_attrs,
};

/* An empty named group gives the "devices" directory for member links. */
static struct attribute *isolation_devices_attrs[] = {
	NULL,
};

static const struct attribute_group isolation_devices_group = {
	.name = "devices",
	.attrs = isolation_devices_attrs,
};

static const struct attribute_group *isolation_group_groups[] = {
	&isolation_group_attr_group,
	&isolation_devices_group,
	NULL,
};

static void isolation_group_release(struct kobject *kobj)
{
	struct isolation_group *group = to_isolation_group(kobj);

	kernfs_put(group->devices_kn);
	mutex_destroy(&group->lock);
	kfree_rcu(group, rcu);
}

static const struct kobj_type isolation_group_ktype = {
	.release = isolation_group_release,
	.sysfs_ops = &isolation_group_sysfs_ops,
	.default_groups = isolation_group_groups,
};

/* May @drv drive @dev while @mgr manages the group of @dev? */
static bool isolation_manager_accepts(const struct isolation_manager *mgr,
				      struct device *dev,
				      const struct device_driver *drv)
{
	if (drv->p && READ_ONCE(drv->p->isolation_manager) == mgr)
		return true;
	return mgr->allows_driver && mgr->allows_driver(mgr, dev, drv);
}

/*
 * Recompute the state of @group from its manager and the drivers bound to
 * its members, and announce a change with a uevent and to the manager.
 * dev->driver is read without the device lock: every bind and unbind calls
 * back in here afterwards, so the last computation sees the final binding.
 */
static void isolation_group_update_state(struct isolation_group *group)
{
	enum isolation_group_state state = ISOLATION_GROUP_UNMANAGED;
	struct isolation_manager *mgr = group->manager;
	struct isolation_device *idev;
	char env[32];
	char *envp[2] = { env, NULL };

	lockdep_assert_held(&isolation_lock);

	if (mgr) {
		state = ISOLATION_GROUP_LOCKED;
		list_for_each_entry(idev, &group->devices, node) {
			struct device_driver *drv = READ_ONCE(idev->dev->driver);

			if (drv && !isolation_manager_accepts(mgr, idev->dev,
							      drv)) {
				state = ISOLATION_GROUP_MANAGED;
				break;
			}
		}
	}

	if (state == group->state)
		return;

	WRITE_ONCE(group->state, state);
	if (!group->dead) {
		snprintf(env, sizeof(env), "ISOLATION_STATE=%s",
			 isolation_state_names[state]);
		kobject_uevent_env(&group->kobj, KOBJ_CHANGE, envp);
	}
	if (mgr && mgr->state_changed && state != ISOLATION_GROUP_UNMANAGED)
		mgr->state_changed(mgr, group, state);
}

static void isolation_update_manager_groups(struct isolation_manager *mgr)
{
	struct isolation_group *group;

	list_for_each_entry(group, &mgr->groups, manager_node)
		isolation_group_update_state(group);
}

/*
 * Marks the devices of @group for driver matching: each then asks the group
 * about every driver (@on), or none does, which costs them nothing.
 * A manager sets it after it is set on the group and clears it before it is
 * cleared, so that a device marked always finds its group managed or sees
 * the manager leave: __isolation_match_allowed() decides as the group
 * says.
 */
static void isolation_group_restrict(struct isolation_group *group, bool on)
{
	struct isolation_device *idev;

	lockdep_assert_held(&isolation_lock);

	list_for_each_entry(idev, &group->devices, node)
		WRITE_ONCE(idev->dev->p->isolation_restricted, on);
}

/* Give every group of the merge list of @group its lowest id as context. */
static void isolation_merge_set_context(struct isolation_group *group)
{
	struct isolation_group *tmp;
	int context = group->id;

	list_for_each_entry(tmp, &group->merge_node, merge_node)
		context = min(context, tmp->id);
	WRITE_ONCE(group->context, context);
	list_for_each_entry(tmp, &group->merge_node, merge_node)
		WRITE_ONCE(tmp->context, context);
}

/* Take @group out of its merge list, if it is merged. */
static void isolation_group_leave_merge(struct isolation_group *group)
{
	struct isolation_group *rest;

	lockdep_assert_held(&isolation_lock);

	if (list_empty(&group->merge_node))
		return;

	rest = list_first_entry(&group->merge_node, struct isolation_group,
				merge_node);
	list_del_init(&group->merge_node);
	WRITE_ONCE(group->context, group->id);
	/* Unless @group had the lowest id, the rest keep their context. */
	if (group->id == rest->context)
		isolation_merge_set_context(rest);
}

/* Remove @group from sysfs, from its provider and from the id table. */
static void isolation_group_unpublish(struct isolation_group *group)
{
	lockdep_assert_held(&isolation_lock);

	if (group->dead)
		return;

	isolation_group_leave_merge(group);
	group->dead = true;
	list_del(&group->provider_node);
	xa_erase(&isolation_ids, group->id);
	kobject_uevent(&group->kobj, KOBJ_REMOVE);
	kobject_del(&group->kobj);
}

static void isolation_group_last_put(struct kref *kref)
{
	struct isolation_group *group = container_of(kref, struct isolation_group,
						     users);

	isolation_group_unpublish(group);
	atomic_dec(&isolation_groups_live);
	kobject_put(&group->kobj);
}

static void isolation_group_put_locked(struct isolation_group *group)
{
	lockdep_assert_held(&isolation_lock);
	kref_put(&group->users, isolation_group_last_put);
}

/**
 * isolation_provider_register - register an isolation group provider
 * @prov: the provider, with its name set
 *
 * Return: 0 on success, -EINVAL if @prov has no name, -EEXIST if a provider
 * of the same name is registered, -ENODEV if isolation groups could not be
 * initialized at boot.
 */
int isolation_provider_register(struct isolation_provider *prov)
{
	struct isolation_provider *tmp;

	if (!prov || !prov->name || !*prov->name)
		return -EINVAL;
	if (!isolation_kset)
		return -ENODEV;

	guard(mutex)(&isolation_lock);
	list_for_each_entry(tmp, &isolation_providers, node)
		if (tmp == prov || !strcmp(tmp->name, prov->name))
			return -EEXIST;

	INIT_LIST_HEAD(&prov->groups);
	list_add_tail(&prov->node, &isolation_providers);
	return 0;
}
EXPORT_SYMBOL_GPL(isolation_provider_register);

static void isolation_group_del_device(struct isolation_group *group,
				       struct isolation_device *idev)
{
	struct device *dev = idev->dev;

	lockdep_assert_held(&isolation_lock);

	sysfs_remove_link(&dev->kobj, "isolation_group");
	sysfs_remove_link_from_group(&group->kobj, "devices", dev_name(dev));
	WRITE_ONCE(dev->p->isolation_restricted, false);
	RCU_INIT_POINTER(dev->isolation_group, NULL);
	scoped_guard(mutex, &group->lock)
		list_del(&idev->node);
	put_device(dev);
	kfree(idev);
	isolation_group_update_state(group);
}

/**
 * isolation_provider_unregister - unregister an isolation group provider
 * @prov: a registered provider
 *
 * Removes every device from every group of @prov and removes the groups from
 * sysfs.  Groups still referenced stay in memory, empty and refusing new
 * devices, until their last isolation_group_put(); a manager still set on
 * such a group must still be cleared with isolation_group_clear_manager().
 * Unregistering a provider that is not registered does nothing.
 */
void isolation_provider_unregister(struct isolation_provider *prov)
{
	struct isolation_device *idev, *inext;
	struct isolation_group *group, *next;
	struct isolation_provider *tmp;

	if (!prov)
		return;

	guard(mutex)(&isolation_lock);
	list_for_each_entry(tmp, &isolation_providers, node)
		if (tmp == prov)
			break;
	if (tmp != prov)
		return;

	list_for_each_entry_safe(group, next, &prov->groups, provider_node) {
		/* Keep the group alive while its members drop their refs. */
		kref_get(&group->users);
		list_for_each_entry_safe(idev, inext, &group->devices, node) {
			isolation_group_del_device(group, idev);
			isolation_group_put_locked(group);
		}
		isolation_group_unpublish(group);
		isolation_group_put_locked(group);
	}
	list_del(&prov->node);
}
EXPORT_SYMBOL_GPL(isolation_provider_unregister);

static bool isolation_provider_registered(struct isolation_provider *prov)
{
	struct isolation_provider *tmp;

	list_for_each_entry(tmp, &isolation_providers, node)
		if (tmp == prov)
			return true;
	return false;
}

/**
 * isolation_group_alloc - allocate a new, empty isolation group
 * @prov: the registered provider the group belongs to
 *
 * The group appears in sysfs at once, as /sys/kernel/isolation_groups/<id>.
 * The caller holds one reference, to be dropped with isolation_group_put();
 * each device added to the group holds another, so a provider that drops its
 * reference after populating a group lets the group vanish with its last
 * device.
 *
 * Return: the group, or an ERR_PTR(): -EINVAL if @prov is not registered,
 * -ENOMEM or another errno if the group could not be created.
 */
struct isolation_group *isolation_group_alloc(struct isolation_provider *prov)
{
	struct isolation_group *group;
	u32 id;
	int ret;

	if (!prov)
		return ERR_PTR(-EINVAL);

	group = kzalloc_obj(*group);
	if (!group)
		return ERR_PTR(-ENOMEM);

	kref_init(&group->users);
	mutex_init(&group->lock);
	INIT_LIST_HEAD(&group->devices);
	INIT_LIST_HEAD(&group->manager_node);
	INIT_LIST_HEAD(&group->merge_node);
	group->provider = prov;
	group->kobj.kset = isolation_kset;
	kobject_init(&group->kobj, &isolation_group_ktype);

	mutex_lock(&isolation_lock);
	if (!isolation_provider_registered(prov)) {
		ret = -EINVAL;
		goto err_unlock;
	}

	ret = xa_alloc(&isolation_ids, &id, group, xa_limit_31b, GFP_KERNEL);
	if (ret)
		goto err_unlock;
	group->id = id;
	group->context = id;

	ret = kobject_add(&group->kobj, NULL, "%d", group->id);
	if (ret)
		goto err_erase;

	group->devices_kn = kernfs_find_and_get(group->kobj.sd, "devices");
	if (!group->devices_kn) {
		ret = -ENOMEM;
		goto err_del;
	}

	ret = sysfs_create_groups(&group->kobj, prov->group_groups);
	if (ret)
		goto err_del;

	list_add_tail(&group->provider_node, &prov->groups);
	atomic_inc(&isolation_groups_live);
	kobject_uevent(&group->kobj, KOBJ_ADD);
	mutex_unlock(&isolation_lock);
	return group;

err_del:
	kobject_del(&group->kobj);
err_erase:
	xa_erase(&isolation_ids, group->id);
err_unlock:
	mutex_unlock(&isolation_lock);
	kobject_put(&group->kobj);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(isolation_group_alloc);

/**
 * isolation_group_get - take a reference to an isolation group
 * @group: the group, or NULL
 *
 * Return: @group, for chaining.
 */
struct isolation_group *isolation_group_get(struct isolation_group *group)
{
	if (group)
		kref_get(&group->users);
	return group;
}
EXPORT_SYMBOL_GPL(isolation_group_get);

/**
 * isolation_group_put - drop a reference to an isolation group
 * @group: the group, or NULL
 *
 * Dropping the last reference removes the group from sysfs.  Must not be
 * called from a manager's state_changed() callback.
 */
void isolation_group_put(struct isolation_group *group)
{
	if (group && kref_put_mutex(&group->users, isolation_group_last_put,
				    &isolation_lock))
		mutex_unlock(&isolation_lock);
}
EXPORT_SYMBOL_GPL(isolation_group_put);

/**
 * isolation_group_get_by_id - look up a live group by its id
 * @id: the number that names the group in sysfs
 *
 * Return: the group with a new reference, or NULL if no live group has @id.
 */
struct isolation_group *isolation_group_get_by_id(int id)
{
	struct isolation_group *group;

	if (id < 0)
		return NULL;

	guard(mutex)(&isolation_lock);
	group = xa_load(&isolation_ids, id);
	return isolation_group_get(group);
}
EXPORT_SYMBOL_GPL(isolation_group_get_by_id);

/**
 * isolation_group_get_from_dev - get the group a device belongs to
 * @dev: the device
 *
 * Return: the group with a new reference, or NULL if @dev is in no group.
 */
struct isolation_group *isolation_group_get_from_dev(struct device *dev)
{
	if (!dev)
		return NULL;

	guard(mutex)(&isolation_lock);
	return isolation_group_get(rcu_dereference_protected(dev->isolation_group,
				   lockdep_is_held(&isolation_lock)));
}
EXPORT_SYMBOL_GPL(isolation_group_get_from_dev);

/**
 * isolation_group_id - the number that names a group in sysfs
 * @group: the group
 *
 * Return: the id, a non-negative number, or -EINVAL if @group is NULL.
 */
int isolation_group_id(struct isolation_group *group)
{
	return group ? group->id : -EINVAL;
}
EXPORT_SYMBOL_GPL(isolation_group_id);

/**
 * isolation_group_provider - the provider that made a group
 * @group: the group
 *
 * For a provider that shares the devices of a bus with others, to tell its
 * own groups apart.  A group's provider never changes.
 *
 * Return: the provider, or NULL if @group is NULL.
 */
struct isolation_provider *isolation_group_provider(struct isolation_group *group)
{
	return group ? group->provider : NULL;
}
EXPORT_SYMBOL_GPL(isolation_group_provider);

/**
 * isolation_group_state - the current state of a group
 * @group: the group
 *
 * The state may change as soon as this returns, unless the caller is the
 * group's manager and knows no binding can change.
 *
 * Return: the &enum isolation_group_state of @group.
 */
enum isolation_group_state isolation_group_state(struct isolation_group *group)
{
	return group ? READ_ONCE(group->state) : ISOLATION_GROUP_UNMANAGED;
}
EXPORT_SYMBOL_GPL(isolation_group_state);

/**
 * isolation_group_add_device - add a device to an isolation group
 * @group: a live group
 * @dev: a registered device that is in no group
 *
 * Creates the links ``devices/<name>`` in the group's directory and
 * ``isolation_group`` in the device's, and takes a reference to the group
 * for the device.  If the group is managed, driver matching for @dev is
 * restricted to the manager's drivers from now on; a driver already bound
 * to @dev stays bound and leaves the group %ISOLATION_GROUP_MANAGED until it
 * is unbound.  The device leaves the group when it is deleted, when
 * isolation_group_remove_device() is called, or when the provider
 * unregisters.
 *
 * Return: 0 on success; -EINVAL if an argument is NULL; -ENODEV if the group
 * or the device is being removed or the device is not registered; -EBUSY if
 * the device is already in a group; -EEXIST if the group already links a
 * device of the same name; -ENOMEM.
 */
int isolation_group_add_device(struct isolation_group *group,
			       struct device *dev)
{
	struct isolation_device *idev;
	struct kernfs_node *kn;
	int ret;

	if (!group || !dev)
		return -EINVAL;

	idev = kzalloc_obj(*idev);
	if (!idev)
		return -ENOMEM;

	mutex_lock(&isolation_lock);
	if (group->dead || !device_is_registered(dev) || dev->p->dead) {
		ret = -ENODEV;
		goto err_free;
	}
	if (rcu_access_pointer(dev->isolation_group)) {
		ret = -EBUSY;
		goto err_free;
	}
	kn = kernfs_find_and_get(group->devices_kn, dev_name(dev));
	if (kn) {
		kernfs_put(kn);
		ret = -EEXIST;
		goto err_free;
	}

	ret = sysfs_add_link_to_group(&group->kobj, "devices", &dev->kobj,
				      dev_name(dev));
	if (ret)
		goto err_free;
	ret = sysfs_create_link(&dev->kobj, &group->kobj, "isolation_group");
	if (ret)
		goto err_unlink;

	idev->dev = get_device(dev);
	scoped_guard(mutex, &group->lock)
		list_add_tail(&idev->node, &group->devices);
	kref_get(&group->users);
	WRITE_ONCE(dev->p->isolation_restricted, !!group->manager);
	rcu_assign_pointer(dev->isolation_group, group);
	smp_mb(); /* pairs with isolation_device_binding_changed() */
	isolation_group_update_state(group);
	mutex_unlock(&isolation_lock);
	return 0;

err_unlink:
	sysfs_remove_link_from_group(&group->kobj, "devices", dev_name(dev));
err_free:
	mutex_unlock(&isolation_lock);
	kfree(idev);
	return ret;
}
EXPORT_SYMBOL_GPL(isolation_group_add_device);

/**
 * isolation_group_walk_devices - call a function for each device of a group
 * @group: the group
 * @data: passed to @fn
 * @fn: called for each device until it returns non-zero
 *
 * Safe to call from the show callback of a group attribute.  @fn runs with
 * the group's device list locked, so it must not add or remove devices.
 *
 * Return: the first non-zero value returned by @fn, 0 if there is none, or
 * -EINVAL if an argument is NULL.
 */
int isolation_group_walk_devices(struct isolation_group *group, void *data,
				 int (*fn)(struct device *dev, void *data))
{
	struct isolation_device *idev;
	int ret = 0;

	if (!group || !fn)
		return -EINVAL;

	guard(mutex)(&group->lock);
	list_for_each_entry(idev, &group->devices, node) {
		ret = fn(idev->dev, data);
		if (ret)
			break;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(isolation_group_walk_devices);

static struct isolation_device *
isolation_find_device(struct isolation_group *group, struct device *dev)
{
	struct isolation_device *idev;

	list_for_each_entry(idev, &group->devices, node)
		if (idev->dev == dev)
			return idev;
	return NULL;
}

static int isolation_remove_device_locked(struct device *dev)
{
	struct isolation_group *group;
	struct isolation_device *idev;

	group = rcu_dereference_protected(dev->isolation_group,
					  lockdep_is_held(&isolation_lock));
	if (!group)
		return -ENODEV;

	idev = isolation_find_device(group, dev);
	if (WARN_ON_ONCE(!idev))
		return -ENODEV;

	isolation_group_del_device(group, idev);
	isolation_group_put_locked(group);
	return 0;
}

/**
 * isolation_group_remove_device - remove a device from its isolation group
 * @dev: the device
 *
 * Removes the sysfs links and drops the device's reference to its group,
 * which disappears if that was the last one.  The driver core does this
 * itself when a device in a group is deleted.
 *
 * Return: 0 on success, -EINVAL if @dev is NULL, -ENODEV if @dev is in no
 * group.
 */
int isolation_group_remove_device(struct device *dev)
{
	if (!dev)
		return -EINVAL;

	guard(mutex)(&isolation_lock);
	return isolation_remove_device_locked(dev);
}
EXPORT_SYMBOL_GPL(isolation_group_remove_device);

static bool isolation_manager_registered(struct isolation_manager *mgr)
{
	struct isolation_manager *tmp;

	list_for_each_entry(tmp, &isolation_managers, node)
		if (tmp == mgr)
			return true;
	return false;
}

/**
 * isolation_manager_register - register an isolation group manager
 * @mgr: the manager, with its name and optional callback set
 *
 * Return: 0 on success, -EINVAL if @mgr has no name, -EEXIST if it or a
 * manager of the same name is registered.
 */
int isolation_manager_register(struct isolation_manager *mgr)
{
	struct isolation_manager *tmp;

	if (!mgr || !mgr->name || !*mgr->name)
		return -EINVAL;

	guard(mutex)(&isolation_lock);
	list_for_each_entry(tmp, &isolation_managers, node)
		if (tmp == mgr || !strcmp(tmp->name, mgr->name))
			return -EEXIST;

	INIT_LIST_HEAD(&mgr->groups);
	mgr->nr_drivers = 0;
	list_add_tail(&mgr->node, &isolation_managers);
	return 0;
}
EXPORT_SYMBOL_GPL(isolation_manager_register);

/**
 * isolation_manager_unregister - unregister an isolation group manager
 * @mgr: a registered manager that manages no group and has no driver
 *
 * Return: 0 on success, -EINVAL if @mgr is not registered, -EBUSY if it
 * still manages a group or still has drivers.
 */
int isolation_manager_unregister(struct isolation_manager *mgr)
{
	if (!mgr)
		return -EINVAL;

	scoped_guard(mutex, &isolation_lock) {
		if (!isolation_manager_registered(mgr))
			return -EINVAL;
		if (!list_empty(&mgr->groups) || mgr->nr_drivers)
			return -EBUSY;
		list_del(&mgr->node);
	}

	/* Let sysfs readers that may still see the name finish. */
	synchronize_rcu();
	return 0;
}
EXPORT_SYMBOL_GPL(isolation_manager_unregister);

/**
 * isolation_manager_add_driver - make a driver one of a manager's drivers
 * @mgr: a registered manager
 * @drv: a registered driver of no other manager
 *
 * Devices in groups managed by @mgr may be bound to @drv.  A driver belongs
 * to one manager at most.  It must be removed with
 * isolation_manager_remove_driver() before @mgr unregisters; unregistering
 * the driver removes it too.
 *
 * Return: 0 on success; -EINVAL if an argument is NULL, @mgr is not
 * registered or @drv is not registered; -EEXIST if @drv is already one of
 * @mgr's drivers; -EBUSY if it belongs to another manager.
 */
int isolation_manager_add_driver(struct isolation_manager *mgr,
				 struct device_driver *drv)
{
	struct isolation_manager *owner;

	if (!mgr || !drv)
		return -EINVAL;

	guard(mutex)(&isolation_lock);
	if (!isolation_manager_registered(mgr) || !drv->p)
		return -EINVAL;

	owner = drv->p->isolation_manager;
	if (owner)
		return owner == mgr ? -EEXIST : -EBUSY;

	WRITE_ONCE(drv->p->isolation_manager, mgr);
	mgr->nr_drivers++;
	isolation_update_manager_groups(mgr);
	return 0;
}
EXPORT_SYMBOL_GPL(isolation_manager_add_driver);

static void isolation_driver_clear(struct isolation_manager *mgr,
				   struct device_driver *drv)
{
	WRITE_ONCE(drv->p->isolation_manager, NULL);
	mgr->nr_drivers--;
	isolation_update_manager_groups(mgr);
}

/**
 * isolation_manager_remove_driver - remove a driver from a manager
 * @mgr: the manager
 * @drv: one of @mgr's drivers
 *
 * Devices of @mgr's groups still bound to @drv now count as bound to a
 * foreign driver, so their groups become %ISOLATION_GROUP_MANAGED.
 *
 * Return: 0 on success, -EINVAL if an argument is NULL or @drv is not one of
 * @mgr's drivers.
 */
int isolation_manager_remove_driver(struct isolation_manager *mgr,
				    struct device_driver *drv)
{
	if (!mgr || !drv)
		return -EINVAL;

	guard(mutex)(&isolation_lock);
	if (!drv->p || drv->p->isolation_manager != mgr)
		return -EINVAL;

	isolation_driver_clear(mgr, drv);
	return 0;
}
EXPORT_SYMBOL_GPL(isolation_manager_remove_driver);

/**
 * isolation_group_set_manager - hand an isolation group to a manager
 * @group: a live, unmanaged group
 * @mgr: a registered manager
 *
 * From now on only @mgr's drivers match the devices of @group.  Drivers
 * already bound stay bound; the group is %ISOLATION_GROUP_LOCKED once none of
 * its devices is bound to a driver of another owner, and
 * %ISOLATION_GROUP_MANAGED until then.  The manager holds a reference to the
 * group until isolation_group_clear_manager().
 *
 * Return: 0 on success; -EINVAL if an argument is NULL or @mgr is not
 * registered; -ENODEV if @group has been removed; -EALREADY if @mgr already
 * manages @group; -EBUSY if another manager does.
 */
int isolation_group_set_manager(struct isolation_group *group,
				struct isolation_manager *mgr)
{
	if (!group || !mgr)
		return -EINVAL;

	guard(mutex)(&isolation_lock);
	if (!isolation_manager_registered(mgr))
		return -EINVAL;
	if (group->dead)
		return -ENODEV;
	if (group->manager)
		return group->manager == mgr ? -EALREADY : -EBUSY;

	kref_get(&group->users);
	list_add_tail(&group->manager_node, &mgr->groups);
	WRITE_ONCE(group->manager, mgr);
	isolation_group_restrict(group, true);
	isolation_group_update_state(group);
	return 0;
}
EXPORT_SYMBOL_GPL(isolation_group_set_manager);

/**
 * isolation_group_clear_manager - release an isolation group from its manager
 * @group: a group managed by @mgr
 * @mgr: the manager
 *
 * The group becomes %ISOLATION_GROUP_UNMANAGED and ordinary drivers may bind
 * its devices again: devices left without a driver are probed at once, so
 * the caller must not hold locks that a probe may take.  A merged group is
 * unmerged first.
 * Drivers of @mgr that are still bound stay bound.  Works on a group whose
 * provider is gone, too.
 *
 * Return: 0 on success, -EINVAL if an argument is NULL or @mgr does not
 * manage @group.
 */
int isolation_group_clear_manager(struct isolation_group *group,
				  struct isolation_manager *mgr)
{
	struct isolation_device *idev;
	struct device *dev;

	if (!group || !mgr)
		return -EINVAL;

	mutex_lock(&isolation_lock);
	if (group->manager != mgr) {
		mutex_unlock(&isolation_lock);
		return -EINVAL;
	}

	isolation_group_leave_merge(group);
	isolation_group_restrict(group, false);
	WRITE_ONCE(group->manager, NULL);
	list_del_init(&group->manager_node);
	isolation_group_update_state(group);

	/* Mark the unbound devices, to probe them one by one outside the lock. */
	list_for_each_entry(idev, &group->devices, node)
		idev->reprobe = !READ_ONCE(idev->dev->driver);
	for (;;) {
		dev = NULL;
		list_for_each_entry(idev, &group->devices, node) {
			if (idev->reprobe) {
				idev->reprobe = false;
				dev = get_device(idev->dev);
				break;
			}
		}
		mutex_unlock(&isolation_lock);
		if (!dev)
			break;
		if (device_attach(dev) < 0)
			dev_dbg(dev, "isolation: probe after release failed\n");
		put_device(dev);
		mutex_lock(&isolation_lock);
	}

	/* The manager's reference, taken by isolation_group_set_manager(). */
	isolation_group_put(group);
	return 0;
}
EXPORT_SYMBOL_GPL(isolation_group_clear_manager);

/**
 * isolation_group_merge - let a group share the IOMMU context of another
 * @group: a group locked under @mgr and not merged with any other
 * @target: another group locked under @mgr, possibly merged already
 * @mgr: the manager of both groups
 *
 * Records that @group now uses the same IOMMU context as @target (and as
 * the groups merged with @target): the manager has attached both to one
 * IOMMU domain.  Each group of the merge then shows the same ``context``.
 * The groups stay merged until isolation_group_unmerge(), until the
 * manager is cleared or until the group is removed.
 *
 * Return: 0 on success; -EINVAL if an argument is NULL, @group is @target or
 * @mgr does not manage both; -EPERM if one of them is not
 * %ISOLATION_GROUP_LOCKED; -EALREADY if they are merged already; -EBUSY if
 * @group is merged with other groups; -ENODEV if one was removed.
 */
int isolation_group_merge(struct isolation_group *group,
			  struct isolation_group *target,
			  struct isolation_manager *mgr)
{
	if (!group || !target || !mgr || group == target)
		return -EINVAL;

	guard(mutex)(&isolation_lock);
	if (group->manager != mgr || target->manager != mgr)
		return -EINVAL;
	if (group->dead || target->dead)
		return -ENODEV;
	if (group->state != ISOLATION_GROUP_LOCKED ||
	    target->state != ISOLATION_GROUP_LOCKED)
		return -EPERM;
	if (group->context == target->context)
		return -EALREADY;
	if (!list_empty(&group->merge_node))
		return -EBUSY;

	list_add_tail(&group->merge_node, &target->merge_node);
	/* Only a group of a lower id gives the merge a new context. */
	if (group->id < target->context)
		isolation_merge_set_context(group);
	else
		WRITE_ONCE(group->context, target->context);
	return 0;
}
EXPORT_SYMBOL_GPL(isolation_group_merge);

/**
 * isolation_group_unmerge - give a group an IOMMU context of its own again
 * @group: a merged group
 * @mgr: its manager
 *
 * The groups that stay merged keep sharing their context.
 *
 * Return: 0 on success; -EINVAL if an argument is NULL or @mgr does not
 * manage @group; -EALREADY if @group is not merged.
 */
int isolation_group_unmerge(struct isolation_group *group,
			    struct isolation_manager *mgr)
{
	if (!group || !mgr)
		return -EINVAL;

	guard(mutex)(&isolation_lock);
	if (group->manager != mgr)
		return -EINVAL;
	if (list_empty(&group->merge_node))
		return -EALREADY;

	isolation_group_leave_merge(group);
	return 0;
}
EXPORT_SYMBOL_GPL(isolation_group_unmerge);

/**
 * isolation_group_context - the IOMMU context a group uses
 * @group: the group
 *
 * Groups merged together have the same context and other groups have
 * different ones: it is the lowest id among the merged groups, and the
 * group's own id when it is not merged.  It is the value of the group's
 * ``context`` attribute.
 *
 * Return: the context, a non-negative number, or -EINVAL if @group is NULL.
 */
int isolation_group_context(struct isolation_group *group)
{
	return group ? READ_ONCE(group->context) : -EINVAL;
}
EXPORT_SYMBOL_GPL(isolation_group_context);

/*
 * Driver core hooks, see drivers/base/base.h.
 */

/*
 * Called by driver_match_device() for a device that is in a group; exported
 * for the KUnit benchmark, which calls driver_match_device() from a module.
 */
bool __isolation_match_allowed(const struct device_driver *drv,
			       struct device *dev)
{
	struct isolation_group *group;
	bool allowed = true;

	rcu_read_lock();
	group = rcu_dereference(dev->isolation_group);
	if (group) {
		struct isolation_manager *mgr = READ_ONCE(group->manager);

		allowed = !mgr || isolation_manager_accepts(mgr, dev, drv);
	}
	rcu_read_unlock();

	return allowed;
}
EXPORT_SYMBOL_IF_KUNIT(__isolation_match_allowed);

/*
 * A driver was bound to @dev, or a probe of @dev failed or was undone.  The
 * barrier orders the caller's update of dev->driver before the test of
 * dev->isolation_group, against the opposite order in
 * isolation_group_add_device(), so that one of the two sees the other.
 */
void isolation_device_binding_changed(struct device *dev)
{
	struct isolation_group *group;

	smp_mb(); /* pairs with smp_mb() in isolation_group_add_device() */
	if (!rcu_access_pointer(dev->isolation_group))
		return;

	guard(mutex)(&isolation_lock);
	group = rcu_dereference_protected(dev->isolation_group,
					  lockdep_is_held(&isolation_lock));
	if (group)
		isolation_group_update_state(group);
}

/* @dev is being deleted: it leaves its group. */
void isolation_device_del(struct device *dev)
{
	if (!rcu_access_pointer(dev->isolation_group))
		return;

	guard(mutex)(&isolation_lock);
	isolation_remove_device_locked(dev);
}

/*
 * @drv is being unregistered and is bound to no device any more: it stops
 * being a manager's driver.  Taking the lock unconditionally also keeps
 * drv->p alive for isolation_group_update_state(), which looks at the
 * drivers of group members under the lock.
 */
void isolation_driver_del(struct device_driver *drv)
{
	struct isolation_manager *mgr;

	guard(mutex)(&isolation_lock);
	mgr = drv->p->isolation_manager;
	if (mgr)
		isolation_driver_clear(mgr, drv);
}

#if IS_ENABLED(CONFIG_KUNIT)
/* Number of groups whose references have not all been dropped. */
int isolation_group_live_count(void)
{
	return atomic_read(&isolation_groups_live);
}
EXPORT_SYMBOL_IF_KUNIT(isolation_group_live_count);
#endif

static int __init isolation_init(void)
{
	isolation_kset = kset_create_and_add("isolation_groups", NULL,
					     kernel_kobj);
	return isolation_kset ? 0 : -ENOMEM;
}
postcore_initcall(isolation_init);
