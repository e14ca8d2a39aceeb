// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO as the manager of isolation groups.
 *
 * While userspace holds a group, through an open group file
 * (/dev/vfio/$GROUP) or a device file bound to iommufd, VFIO manages the
 * isolation group of its devices: driver matching then accepts only VFIO's
 * drivers, and the group is locked once no device is bound to another
 * driver.  The drivers of VFIO are the drivers that register VFIO devices,
 * and it also accepts the PCI drivers that manage DMA ownership themselves
 * (driver_managed_dma: pcieport, pci-stub), the drivers that
 * iommu_group_claim_dma_owner() tolerates, so that the group is locked
 * exactly when VFIO calls it viable.
 *
 * Groups whose devices VFIO attaches to one IOMMU domain (of a type1
 * container, an iommufd IOAS or an iommufd page table) are merged: VFIO
 * records the domain of each group it manages, and a group that joins a
 * domain is merged with a group already on it.
 *
 * Locking: vfio_isolation_lock protects the user counts, and orders the
 * setting and clearing of the manager.  It is taken outside the isolation
 * core's lock.  Releasing the last user probes the group's unbound devices
 * under it, and a VFIO driver's probe takes the locks of VFIO groups and
 * device sets: so claims and releases are made without a device lock, a
 * VFIO group's locks or a device set's lock held.
 *
 * An isolation group may span several VFIO groups (iommu groups), whose
 * devices can reach each other without the IOMMU seeing it: they are one
 * unit of ownership.  So all of them can be used by one container or one
 * iommufd context at a time, the group's owner: attaching a VFIO group to
 * a container, or to an iommufd context, and binding a device file to an
 * iommufd context, fail with -EBUSY while another owner uses the
 * isolation group.
 *
 * vfio_isolation_merge_lock protects the recorded domains and owners and
 * orders merging.  It is taken under a device set's lock, a container's
 * group_lock and a VFIO group's device_lock, and outside the isolation
 * core's lock.  vfio_isolation_list changes under both locks, so that
 * either one allows walking it.
 */

#include <linux/iommu.h>
#include <linux/isolation.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include "vfio.h"

/**
 * struct vfio_isolation - an isolation group that VFIO manages
 * @node: entry in vfio_isolation_list.
 * @group: the group.
 * @users: the group files and device files that hold the group.
 * @domain: the IOMMU domain that VFIO attached the group's devices to.
 * @attached: the attachments to @domain recorded and not yet undone.
 * @owner: the container or iommufd context that uses the group, or NULL.
 * @owned: the uses of the group by @owner not yet ended.
 */
struct vfio_isolation {
	struct list_head node;
	struct isolation_group *group;
	unsigned int users;
	struct iommu_domain *domain;
	unsigned int attached;
	const void *owner;
	unsigned int owned;
};

static DEFINE_MUTEX(vfio_isolation_lock);
static DEFINE_MUTEX(vfio_isolation_merge_lock);
static LIST_HEAD(vfio_isolation_list);

/*
 * As VFIO's viability test: a PCI driver that manages DMA ownership itself
 * does not use the kernel's DMA API on the device behind userspace's back.
 */
static bool vfio_isolation_allows_driver(const struct isolation_manager *mgr,
					 struct device *dev,
					 const struct device_driver *drv)
{
	return dev_is_pci(dev) && to_pci_driver(drv)->driver_managed_dma;
}

static struct isolation_manager vfio_isolation_manager = {
	.name = "vfio",
	.allows_driver = vfio_isolation_allows_driver,
};

static struct vfio_isolation *vfio_isolation_find(struct isolation_group *group)
{
	struct vfio_isolation *vi;

	lockdep_assert(lockdep_is_held(&vfio_isolation_lock) ||
		       lockdep_is_held(&vfio_isolation_merge_lock));
	list_for_each_entry(vi, &vfio_isolation_list, node)
		if (vi->group == group)
			return vi;
	return NULL;
}

/*
 * Take the isolation group of @dev over for one more user.  Returns the
 * group with a reference for the user, NULL if @dev is in no isolation
 * group, or an ERR_PTR(): -EBUSY if another manager has the group.
 */
struct isolation_group *vfio_isolation_claim(struct device *dev)
{
	struct isolation_group *group;
	struct vfio_isolation *vi;
	int ret;

	group = isolation_group_get_from_dev(dev);
	if (!group)
		return NULL;

	mutex_lock(&vfio_isolation_lock);
	vi = vfio_isolation_find(group);
	if (vi) {
		vi->users++;
		mutex_unlock(&vfio_isolation_lock);
		return group;
	}

	vi = kzalloc_obj(*vi);
	if (!vi) {
		ret = -ENOMEM;
		goto err_put;
	}
	ret = isolation_group_set_manager(group, &vfio_isolation_manager);
	if (ret)
		goto err_free;
	vi->group = group;
	vi->users = 1;
	mutex_lock(&vfio_isolation_merge_lock);
	list_add(&vi->node, &vfio_isolation_list);
	mutex_unlock(&vfio_isolation_merge_lock);
	mutex_unlock(&vfio_isolation_lock);
	return group;

err_free:
	kfree(vi);
err_put:
	mutex_unlock(&vfio_isolation_lock);
	isolation_group_put(group);
	return ERR_PTR(ret);
}

/*
 * Drop a user of @group, as returned by vfio_isolation_claim().  The last
 * one gives the group back: its unbound devices are probed by ordinary
 * drivers, so no lock a probe may need can be held here.
 */
void vfio_isolation_release(struct isolation_group *group)
{
	struct vfio_isolation *vi;

	if (IS_ERR_OR_NULL(group))
		return;

	mutex_lock(&vfio_isolation_lock);
	vi = vfio_isolation_find(group);
	if (!WARN_ON(!vi) && !--vi->users) {
		mutex_lock(&vfio_isolation_merge_lock);
		list_del(&vi->node);
		mutex_unlock(&vfio_isolation_merge_lock);
		kfree(vi);
		/* This also undoes a merge that detaching did not. */
		isolation_group_clear_manager(group, &vfio_isolation_manager);
	}
	mutex_unlock(&vfio_isolation_lock);
	isolation_group_put(group);
}

/* Whether a group that VFIO holds may be used: no foreign driver in it. */
bool vfio_isolation_locked(struct isolation_group *group)
{
	return IS_ERR_OR_NULL(group) ||
	       isolation_group_state(group) == ISOLATION_GROUP_LOCKED;
}

/*
 * VFIO attached @dev to a domain of userspace.  Its isolation group, held
 * by a user, now uses that domain's IOMMU context: if another group that
 * VFIO manages is on the same domain, the two are merged.  Each call is
 * paired with a vfio_isolation_detached() when the attachment ends.
 */
void vfio_isolation_attached(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);
	struct isolation_group *group;
	struct vfio_isolation *vi, *other;
	int ret;

	/* Only the paging domains that VFIO and iommufd allocate. */
	if (!domain || domain->type != IOMMU_DOMAIN_UNMANAGED)
		return;
	group = isolation_group_get_from_dev(dev);
	if (!group)
		return;

	mutex_lock(&vfio_isolation_merge_lock);
	vi = vfio_isolation_find(group);
	if (!vi)
		goto out_unlock;
	vi->attached++;
	if (vi->domain == domain)
		goto out_unlock;
	/* A group moved to another domain (iommufd's replace) leaves its set. */
	if (vi->domain)
		isolation_group_unmerge(group, &vfio_isolation_manager);
	vi->domain = domain;
	list_for_each_entry(other, &vfio_isolation_list, node) {
		if (other == vi || other->domain != domain)
			continue;
		ret = isolation_group_merge(group, other->group,
					    &vfio_isolation_manager);
		if (ret && ret != -EALREADY)
			pr_warn("vfio: cannot merge isolation group %d into %d: %d\n",
				isolation_group_id(group),
				isolation_group_id(other->group), ret);
		break;
	}
out_unlock:
	mutex_unlock(&vfio_isolation_merge_lock);
	isolation_group_put(group);
}

/*
 * An attachment of a device of @group, recorded by vfio_isolation_attached(),
 * ended.  When none is left, the group no longer shares a domain: it is
 * unmerged.
 */
void vfio_isolation_group_detached(struct isolation_group *group)
{
	struct vfio_isolation *vi;

	if (IS_ERR_OR_NULL(group))
		return;

	mutex_lock(&vfio_isolation_merge_lock);
	vi = vfio_isolation_find(group);
	if (vi && vi->attached && !--vi->attached) {
		vi->domain = NULL;
		isolation_group_unmerge(group, &vfio_isolation_manager);
	}
	mutex_unlock(&vfio_isolation_merge_lock);
}

/* As vfio_isolation_group_detached(), for the isolation group of @dev. */
void vfio_isolation_detached(struct device *dev)
{
	struct isolation_group *group = isolation_group_get_from_dev(dev);

	vfio_isolation_group_detached(group);
	isolation_group_put(group);
}

/*
 * @owner, a container or an iommufd context, starts using @group, held by
 * a user: allowed when no other owner uses it.  Returns 0 or -EBUSY; each
 * success is paired with a vfio_isolation_unuse().
 */
int vfio_isolation_use(struct isolation_group *group, const void *owner)
{
	struct vfio_isolation *vi;
	int ret = 0;

	if (IS_ERR_OR_NULL(group))
		return 0;

	mutex_lock(&vfio_isolation_merge_lock);
	vi = vfio_isolation_find(group);
	if (!WARN_ON(!vi)) {
		if (vi->owner && vi->owner != owner) {
			ret = -EBUSY;
		} else {
			vi->owner = owner;
			vi->owned++;
		}
	}
	mutex_unlock(&vfio_isolation_merge_lock);
	return ret;
}

/* @owner ends a use of @group recorded by vfio_isolation_use(). */
void vfio_isolation_unuse(struct isolation_group *group, const void *owner)
{
	struct vfio_isolation *vi;

	if (IS_ERR_OR_NULL(group))
		return;

	mutex_lock(&vfio_isolation_merge_lock);
	vi = vfio_isolation_find(group);
	if (vi && !WARN_ON(vi->owner != owner || !vi->owned) && !--vi->owned)
		vi->owner = NULL;
	mutex_unlock(&vfio_isolation_merge_lock);
}

/* @drv registered a VFIO device: it is one of VFIO's drivers. */
void vfio_isolation_add_driver(struct device_driver *drv)
{
	int ret;

	if (!drv)
		return;

	ret = isolation_manager_add_driver(&vfio_isolation_manager, drv);
	if (ret && ret != -EEXIST)
		pr_warn("vfio: %s is no isolation driver of vfio: %d\n",
			drv->name, ret);
}

int __init vfio_isolation_init(void)
{
	return isolation_manager_register(&vfio_isolation_manager);
}

void vfio_isolation_exit(void)
{
	WARN_ON(isolation_manager_unregister(&vfio_isolation_manager));
}
