// SPDX-License-Identifier: GPL-2.0-only
/*
 * Isolation group provider for Intel VT-d.
 *
 * VT-d tells devices apart by the requester ID of their DMA, one context
 * entry each.  Devices whose DMA reaches the IOMMU with the same requester ID
 * (behind a PCIe-to-PCI or conventional PCI bridge, or through a DMA alias
 * quirk) cannot be isolated from each other, and neither can devices that
 * may talk peer-to-peer on a path without ACS (functions of a multifunction
 * device, devices below switch or root ports without ACS).  The groups are
 * built from those facts with the PCI core's helpers, following the same
 * rules as the IOMMU core's pci_device_group().
 */

#define pr_fmt(fmt) "DMAR: isolation: " fmt

#include <linux/isolation.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "iommu.h"

/* The ACS controls that keep peer-to-peer traffic away from a device. */
#define INTEL_ISOLATION_ACS_FLAGS \
	(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)

/* Serializes the placement of devices, so that aliases find each other. */
static DEFINE_MUTEX(intel_isolation_lock);

static struct isolation_group *
intel_isolation_alias_group(struct pci_dev *pdev, unsigned long *devfns);

/*
 * The group of another function of @pdev's slot that is not isolated from
 * it by ACS, or of a device aliased with such a function.
 */
static struct isolation_group *
intel_isolation_function_group(struct pci_dev *pdev, unsigned long *devfns)
{
	struct isolation_group *group;
	struct pci_dev *tmp = NULL;

	if (!pdev->multifunction ||
	    pci_acs_enabled(pdev, INTEL_ISOLATION_ACS_FLAGS))
		return NULL;

	for_each_pci_dev(tmp) {
		if (tmp == pdev || tmp->bus != pdev->bus ||
		    PCI_SLOT(tmp->devfn) != PCI_SLOT(pdev->devfn) ||
		    pci_acs_enabled(tmp, INTEL_ISOLATION_ACS_FLAGS))
			continue;

		group = intel_isolation_alias_group(tmp, devfns);
		if (group) {
			pci_dev_put(tmp);
			return group;
		}
	}
	return NULL;
}

/*
 * The group of @pdev, or of a device on its bus that aliases it or that it
 * aliases (DMA alias quirks), directly or through the functions of such a
 * device.  @devfns marks the devices already visited, against alias loops.
 */
static struct isolation_group *
intel_isolation_alias_group(struct pci_dev *pdev, unsigned long *devfns)
{
	struct isolation_group *group;
	struct pci_dev *tmp = NULL;

	if (test_and_set_bit(pdev->devfn & 0xff, devfns))
		return NULL;

	group = isolation_group_get_from_dev(&pdev->dev);
	if (group)
		return group;

	for_each_pci_dev(tmp) {
		if (tmp == pdev || tmp->bus != pdev->bus ||
		    !pci_devs_are_dma_aliases(pdev, tmp))
			continue;

		group = intel_isolation_alias_group(tmp, devfns);
		if (!group)
			group = intel_isolation_function_group(tmp, devfns);
		if (group) {
			pci_dev_put(tmp);
			return group;
		}
	}
	return NULL;
}

struct intel_isolation_alias {
	struct pci_dev *pdev;
	struct isolation_group *group;
};

/* Remembers the last device on the alias path; stops at one with a group. */
static int intel_isolation_alias_cb(struct pci_dev *pdev, u16 alias,
				    void *opaque)
{
	struct intel_isolation_alias *data = opaque;

	data->pdev = pdev;
	data->group = isolation_group_get_from_dev(&pdev->dev);
	return !!data->group;
}

/* The existing group @pdev belongs in, with a reference, or NULL. */
static struct isolation_group *intel_isolation_find_group(struct pci_dev *pdev)
{
	struct intel_isolation_alias data = { };
	struct isolation_group *group;
	DECLARE_BITMAP(devfns, 256) = { };
	struct pci_bus *bus;

	/*
	 * Devices that share a requester ID on the way to the IOMMU share a
	 * context entry: start from the last device on the alias path.
	 */
	if (pci_for_each_dma_alias(pdev, intel_isolation_alias_cb, &data))
		return data.group;
	pdev = data.pdev;

	/* Go upstream as long as peer-to-peer traffic is not ACS-controlled. */
	for (bus = pdev->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		if (!bus->self)
			continue;
		if (pci_acs_path_enabled(bus->self, NULL,
					 INTEL_ISOLATION_ACS_FLAGS))
			break;
		pdev = bus->self;
		group = isolation_group_get_from_dev(&pdev->dev);
		if (group)
			return group;
	}

	group = intel_isolation_alias_group(pdev, devfns);
	if (group)
		return group;

	return intel_isolation_function_group(pdev, devfns);
}

static int intel_isolation_rid_cb(struct pci_dev *pdev, u16 alias, void *opaque)
{
	u32 **pos = opaque;

	*(*pos)++ = (u32)pci_domain_nr(pdev->bus) << 16 | alias;
	return 0;
}

/* Requester IDs, with the aliases, of the PCI devices of a group. */
struct intel_isolation_rids {
	u32 *rid;
	unsigned int nr;
	unsigned int max;
};

static int intel_isolation_count_cb(struct pci_dev *pdev, u16 alias,
				    void *opaque)
{
	(*(unsigned int *)opaque)++;
	return 0;
}

static int intel_isolation_collect(struct device *dev, void *data)
{
	struct intel_isolation_rids *rids = data;
	unsigned int n = 0;
	u32 *pos;

	if (!dev_is_pci(dev))
		return 0;

	pci_for_each_dma_alias(to_pci_dev(dev), intel_isolation_count_cb, &n);
	if (rids->nr + n > rids->max)
		return -E2BIG;
	pos = rids->rid + rids->nr;
	pci_for_each_dma_alias(to_pci_dev(dev), intel_isolation_rid_cb, &pos);
	rids->nr = pos - rids->rid;
	return 0;
}

static int intel_isolation_cmp_rid(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* One "SSSS:BB:DD.F" requester ID per line, sorted, without repeats. */
static ssize_t requester_ids_show(struct isolation_group *group, char *buf)
{
	/* Each line takes 13 bytes: that many fill a page. */
	struct intel_isolation_rids rids = { .max = PAGE_SIZE / 13 };
	unsigned int i;
	ssize_t len = 0;
	int ret;

	rids.rid = kcalloc(rids.max, sizeof(*rids.rid), GFP_KERNEL);
	if (!rids.rid)
		return -ENOMEM;

	ret = isolation_group_walk_devices(group, &rids,
					   intel_isolation_collect);
	if (ret) {
		kfree(rids.rid);
		return ret;
	}

	sort(rids.rid, rids.nr, sizeof(*rids.rid), intel_isolation_cmp_rid,
	     NULL);
	for (i = 0; i < rids.nr; i++) {
		u32 rid = rids.rid[i];

		if (i && rid == rids.rid[i - 1])
			continue;
		len += sysfs_emit_at(buf, len, "%04x:%02x:%02x.%d\n", rid >> 16,
				     PCI_BUS_NUM(rid), PCI_SLOT(rid & 0xff),
				     PCI_FUNC(rid & 0xff));
	}
	kfree(rids.rid);
	return len;
}
static ISOLATION_GROUP_ATTR_RO(requester_ids);

static struct attribute *intel_isolation_attrs[] = {
	&isolation_group_attr_requester_ids.attr,
	NULL,
};
ATTRIBUTE_GROUPS(intel_isolation);

static struct isolation_provider intel_isolation_provider = {
	.name = "intel-iommu",
	.group_groups = intel_isolation_groups,
};

/* Puts @pdev in its group, if it is behind a VT-d unit and in none yet. */
static int intel_isolation_add_device(struct pci_dev *pdev)
{
	struct isolation_group *group;
	int ret;

	if (!device_lookup_iommu(&pdev->dev, NULL, NULL))
		return 0;

	guard(mutex)(&intel_isolation_lock);
	group = isolation_group_get_from_dev(&pdev->dev);
	if (group) {
		isolation_group_put(group);
		return 0;
	}

	group = intel_isolation_find_group(pdev);
	if (!group) {
		group = isolation_group_alloc(&intel_isolation_provider);
		if (IS_ERR(group))
			return PTR_ERR(group);
	}
	/* The device holds the group from now on; it goes with the last one. */
	ret = isolation_group_add_device(group, &pdev->dev);
	isolation_group_put(group);
	return ret;
}

static int intel_isolation_notify(struct notifier_block *nb,
				  unsigned long action, void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);
	int ret;

	/* A deleted device leaves its group through the driver core. */
	if (action != BUS_NOTIFY_ADD_DEVICE)
		return NOTIFY_DONE;

	ret = intel_isolation_add_device(pdev);
	if (ret)
		pci_warn(pdev, "no isolation group: %d\n", ret);
	return NOTIFY_OK;
}

static struct notifier_block intel_isolation_nb = {
	.notifier_call = intel_isolation_notify,
};

/**
 * intel_iommu_isolation_init - register VT-d as an isolation group provider
 *
 * Called once DMA remapping is enabled.  Groups the PCI devices present and
 * those added later.  On failure VT-d works on without isolation groups.
 */
void __init intel_iommu_isolation_init(void)
{
	struct pci_dev *pdev = NULL;
	int ret;

	ret = isolation_provider_register(&intel_isolation_provider);
	if (ret) {
		pr_err("cannot register the provider: %d\n", ret);
		return;
	}

	ret = bus_register_notifier(&pci_bus_type, &intel_isolation_nb);
	if (ret) {
		pr_err("cannot follow PCI hotplug: %d\n", ret);
		isolation_provider_unregister(&intel_isolation_provider);
		return;
	}

	for_each_pci_dev(pdev) {
		ret = intel_isolation_add_device(pdev);
		if (ret)
			pci_warn(pdev, "no isolation group: %d\n", ret);
	}
}
