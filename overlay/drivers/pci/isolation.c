// SPDX-License-Identifier: GPL-2.0-only
/*
 * Isolation groups of PCI devices, from the PCI topology alone.
 *
 * Every provider of isolation groups for PCI devices (an IOMMU driver) places
 * them with pci_isolation_add_device(), so that a device's group is the same
 * under every IOMMU and whatever the order in which devices were added.  The
 * rules:
 *
 * DMA aliases.  Devices whose DMA reaches the IOMMU with one requester ID
 * cannot be told apart.  The last device that pci_for_each_dma_alias() names
 * on the way up, the "alias root", puts its requester ID on the DMA of the
 * device: a PCIe-to-PCI or conventional PCI bridge for the devices below it,
 * the device itself otherwise.  Everything below an alias root shares its
 * group.
 *
 * Peer-to-peer below the root ports.  ACS is an egress control: the ACS
 * controls of a downstream port act on the requests that enter the port from
 * below, and nothing stops a request that entered another port without them
 * from reaching the port's devices.  So the internal bus of a switch isolates
 * the ports on it only if every device on it is a downstream port that
 * enforces Source Validation, P2P Request and Completion Redirect and
 * Upstream Forwarding; a root port or downstream port without them does not
 * isolate the devices below it from itself.  On the path from a device's
 * alias root to its root port, the topmost place that does not isolate (a
 * switch's internal bus, or a port) is the device's "top": the devices on
 * and below it share one group.  A switch whose downstream ports lack ACS is
 * one group with everything below it, switches below it included, while its
 * upstream port stays out of it.
 *
 * The root complex, as the IOMMU core's pci_device_group(): the root bus is
 * not a shared bus, but functions of one multifunction slot without ACS, and
 * devices that DMA alias quirks tie together, share a group with each other
 * and with what shares theirs.  These relations are applied at the top of a
 * device, on the bus of the top.
 *
 * Contexts coarser than the topology.  An IOMMU may translate the DMA of
 * devices that the topology isolates with one context that it cannot split:
 * a PowerPC Partitionable Endpoint has one TCE table for every device below
 * its host bridge.  Its provider names each device's context
 * (&pci_isolation_provider.context), and the devices of one context share a
 * group, with those the rules above put beside them.
 *
 * Never finer than the IOMMU core's groups: those stop climbing at the first
 * bridge whose whole path upstream enforces ACS and group the rest by the
 * same alias and function rules, so each of them lies inside one of these.
 *
 * Locking: pci_isolation_lock serializes placement, so that two devices of
 * one group added at once find each other.  It is taken outside pci_bus_sem
 * and the isolation core's lock.
 */

#define pr_fmt(fmt) "PCI: isolation: " fmt

#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-isolation.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "pci.h"

/* The ACS controls that keep peer-to-peer traffic away from other ports. */
#define PCI_ISOLATION_ACS \
	(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)

static DEFINE_MUTEX(pci_isolation_lock);

/**
 * struct pci_isolation_top - where a device's group begins
 * @dev: the topmost device of the group on the device's path, or the
 *	upstream port of a switch whose internal bus is the top.
 * @below: the top is the internal bus below @dev, which is not in the group.
 * @why: with a reference, the device whose missing ACS made @dev or its
 *	internal bus the top, or NULL when @dev is the device's alias root.
 */
struct pci_isolation_top {
	struct pci_dev *dev;
	struct pci_dev *why;
	bool below;
};

struct pci_isolation_alias {
	struct pci_dev *pdev;
	u16 rid;
};

static int pci_isolation_alias_cb(struct pci_dev *pdev, u16 alias,
				  void *opaque)
{
	struct pci_isolation_alias *a = opaque;

	a->pdev = pdev;
	a->rid = alias;
	return 0;
}

/* The device whose requester ID @pdev's DMA carries to the IOMMU. */
static struct pci_dev *pci_isolation_alias_root(struct pci_dev *pdev,
						u16 *rid)
{
	struct pci_isolation_alias a = {
		.pdev = pdev,
		.rid = pci_dev_id(pdev),
	};

	pci_for_each_dma_alias(pdev, pci_isolation_alias_cb, &a);
	if (rid)
		*rid = a.rid;
	return a.pdev;
}

static bool pci_isolation_is_type(struct pci_dev *pdev, int type)
{
	return pci_is_pcie(pdev) && pci_pcie_type(pdev) == type;
}

/* A root or downstream port that enforces the isolating ACS controls. */
static bool pci_isolation_port_isolates(struct pci_dev *pdev)
{
	return (pci_isolation_is_type(pdev, PCI_EXP_TYPE_ROOT_PORT) ||
		pci_isolation_is_type(pdev, PCI_EXP_TYPE_DOWNSTREAM)) &&
	       pci_acs_enabled(pdev, PCI_ISOLATION_ACS);
}

/*
 * The first device on @bus, the internal bus of a switch, that is not a
 * downstream port with the isolating ACS controls, with a reference; NULL
 * when the bus isolates its ports from each other.
 */
static struct pci_dev *pci_isolation_switch_leak(struct pci_bus *bus)
{
	struct pci_dev *tmp, *leak = NULL;

	down_read(&pci_bus_sem);
	list_for_each_entry(tmp, &bus->devices, bus_list) {
		if (!pci_isolation_is_type(tmp, PCI_EXP_TYPE_DOWNSTREAM) ||
		    !pci_acs_enabled(tmp, PCI_ISOLATION_ACS)) {
			leak = pci_dev_get(tmp);
			break;
		}
	}
	up_read(&pci_bus_sem);
	return leak;
}

static void pci_isolation_set_top(struct pci_isolation_top *top,
				  struct pci_dev *dev, struct pci_dev *why,
				  bool below)
{
	pci_dev_put(top->why);
	top->dev = dev;
	top->why = why;
	top->below = below;
}

/*
 * The topmost place on the path from @root, an alias root, to its root port
 * that does not isolate what is below it.  Release with
 * pci_isolation_put_top().
 */
static void pci_isolation_find_top(struct pci_dev *root,
				   struct pci_isolation_top *top)
{
	struct pci_bus *bus;

	*top = (struct pci_isolation_top){ .dev = root };
	for (bus = root->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		struct pci_dev *bridge = bus->self, *leak;

		/* The virtual bus of SR-IOV virtual functions has no bridge. */
		if (!bridge)
			continue;
		if (pci_isolation_is_type(bridge, PCI_EXP_TYPE_UPSTREAM)) {
			leak = pci_isolation_switch_leak(bus);
			if (leak)
				pci_isolation_set_top(top, bridge, leak, true);
		} else if (!pci_isolation_port_isolates(bridge)) {
			pci_isolation_set_top(top, bridge, pci_dev_get(bridge),
					      false);
		}
	}
}

static void pci_isolation_put_top(struct pci_isolation_top *top)
{
	pci_dev_put(top->why);
	top->why = NULL;
}

/*
 * Whether the devices below @pdev share the group of @pdev when @pdev is
 * their top: a port without ACS, a PCIe-to-PCI or conventional bridge.  The
 * internal bus of a switch is a top of its own.
 */
static bool pci_isolation_covers_below(struct pci_dev *pdev)
{
	return pdev->subordinate &&
	       !pci_isolation_is_type(pdev, PCI_EXP_TYPE_UPSTREAM) &&
	       !pci_isolation_port_isolates(pdev);
}

/*
 * The PCI core marks a function other than 0 as multifunction only after
 * the bus notifiers for its addition have run, so that a function that is
 * hot-added or found by a rescan looks single-function when a provider
 * places it.  The rules take it for what it is, a function of a
 * multifunction slot; virtual functions are not.
 */
static bool pci_isolation_in_mf_slot(struct pci_dev *pdev)
{
	return pdev->multifunction ||
	       (PCI_FUNC(pdev->devfn) && !pdev->is_virtfn);
}

/* pci_acs_enabled() for @pdev as a function of a multifunction slot. */
static bool pci_isolation_function_acs(struct pci_dev *pdev)
{
	int ret;

	if (pdev->multifunction || !pci_isolation_in_mf_slot(pdev))
		return pci_acs_enabled(pdev, PCI_ISOLATION_ACS);

	ret = pci_dev_specific_acs_enabled(pdev, PCI_ISOLATION_ACS);
	if (ret >= 0)
		return ret > 0;
	if (!pci_is_pcie(pdev))
		return false;
	switch (pci_pcie_type(pdev)) {
	case PCI_EXP_TYPE_ENDPOINT:
	case PCI_EXP_TYPE_UPSTREAM:
	case PCI_EXP_TYPE_LEG_END:
	case PCI_EXP_TYPE_RC_END:
		return pci_acs_flags_enabled(pdev, PCI_ISOLATION_ACS);
	default:
		return pci_acs_enabled(pdev, PCI_ISOLATION_ACS);
	}
}

/* Functions of one multifunction slot that ACS does not keep apart. */
static bool pci_isolation_functions(struct pci_dev *a, struct pci_dev *b)
{
	return PCI_SLOT(a->devfn) == PCI_SLOT(b->devfn) &&
	       (pci_isolation_in_mf_slot(a) || pci_isolation_in_mf_slot(b)) &&
	       !pci_isolation_function_acs(a) &&
	       !pci_isolation_function_acs(b);
}

/*
 * The devices on the bus of @pdev that share its group through the
 * relations of the root complex (functions without ACS, DMA alias quirks),
 * directly or through each other: their devfns are set in @devfns, that of
 * @pdev included.
 */
static void pci_isolation_relatives(struct pci_dev *pdev,
				    unsigned long *devfns)
{
	struct pci_dev *tmp, *m;
	bool more = true;

	bitmap_zero(devfns, 256);
	__set_bit(pdev->devfn, devfns);

	down_read(&pci_bus_sem);
	while (more) {
		more = false;
		list_for_each_entry(tmp, &pdev->bus->devices, bus_list) {
			if (test_bit(tmp->devfn, devfns))
				continue;
			list_for_each_entry(m, &pdev->bus->devices, bus_list) {
				if (!test_bit(m->devfn, devfns))
					continue;
				if (pci_devs_are_dma_aliases(m, tmp) ||
				    pci_isolation_functions(m, tmp)) {
					__set_bit(tmp->devfn, devfns);
					more = true;
					break;
				}
			}
		}
	}
	up_read(&pci_bus_sem);
}

/**
 * struct pci_isolation_found - the groups found where a device belongs
 * @dev: a device of each distinct group found, with a reference.
 * @group: the group of each, compared only, never dereferenced.
 * @nr: number of distinct groups recorded in @dev.
 * @more: more distinct groups than @dev holds were seen.
 */
struct pci_isolation_found {
	struct pci_dev *dev[2];
	const struct isolation_group *group[2];
	unsigned int nr;
	bool more;
};

static int pci_isolation_found_cb(struct pci_dev *pdev, void *data)
{
	struct pci_isolation_found *found = data;
	const struct isolation_group *group;
	unsigned int i;

	group = rcu_access_pointer(pdev->dev.isolation_group);
	if (!group)
		return 0;
	for (i = 0; i < found->nr; i++)
		if (found->group[i] == group)
			return 0;
	if (found->nr == ARRAY_SIZE(found->dev)) {
		found->more = true;
		return 0;
	}
	found->group[found->nr] = group;
	found->dev[found->nr++] = pci_dev_get(pdev);
	return 0;
}

/* Records the groups of @pdev and, if they share its group, of those below. */
static void pci_isolation_find_from(struct pci_dev *pdev, bool below,
				    struct pci_isolation_found *found)
{
	if (!below)
		pci_isolation_found_cb(pdev, found);
	if (below || pci_isolation_covers_below(pdev))
		pci_walk_bus(pdev->subordinate, pci_isolation_found_cb, found);
}

/* The groups of the other devices that @pprov translates with @pdev's context. */
static void pci_isolation_find_context(struct pci_isolation_provider *pprov,
				       struct pci_dev *pdev,
				       struct pci_isolation_found *found)
{
	const void *context = pprov->context(pdev);
	struct pci_dev *tmp = NULL;

	if (!context)
		return;
	for_each_pci_dev(tmp)
		if (tmp != pdev && pprov->context(tmp) == context)
			pci_isolation_found_cb(tmp, found);
}

/*
 * The groups of the devices that by the rules, and by the contexts of
 * @pprov if it is a PCI provider, share a group with @pdev.
 */
static void pci_isolation_find(struct pci_isolation_provider *pprov,
			       struct pci_dev *pdev,
			       struct pci_isolation_found *found)
{
	struct pci_isolation_top top;
	DECLARE_BITMAP(devfns, 256);
	struct pci_dev *tmp;
	unsigned int devfn;

	pci_isolation_find_top(pci_isolation_alias_root(pdev, NULL), &top);
	if (top.below) {
		pci_isolation_find_from(top.dev, true, found);
		goto out;
	}

	pci_isolation_relatives(top.dev, devfns);
	for_each_set_bit(devfn, devfns, 256) {
		tmp = pci_get_slot(top.dev->bus, devfn);
		if (!tmp)
			continue;
		pci_isolation_find_from(tmp, false, found);
		pci_dev_put(tmp);
	}
out:
	pci_isolation_put_top(&top);
	if (pprov && pprov->context)
		pci_isolation_find_context(pprov, pdev, found);
}

/* @pdev joins the devices of two groups: say which, and leave it out. */
static void pci_isolation_refuse(struct pci_dev *pdev,
				 struct pci_isolation_found *found)
{
	struct isolation_group *a, *b;

	a = isolation_group_get_from_dev(&found->dev[0]->dev);
	b = isolation_group_get_from_dev(&found->dev[1]->dev);
	pci_err(pdev, "isolation: not isolated from isolation groups %d (%s) and %d (%s), which stay apart: left out of every group\n",
		isolation_group_id(a), pci_name(found->dev[0]),
		isolation_group_id(b), pci_name(found->dev[1]));
	isolation_group_put(b);
	isolation_group_put(a);
}

static struct pci_isolation_provider *
pci_isolation_to_pprov(struct isolation_provider *prov);

/**
 * pci_isolation_add_device - put a PCI device in its isolation group
 * @prov: the registered provider whose groups hold the devices of @pdev's
 *	topology
 * @pdev: a registered PCI device that the provider's IOMMU translates
 *
 * Joins @pdev to the existing group that the rules give it, or to a new
 * group of @prov when no device of that group has one yet.  If @prov is
 * the provider of a &struct pci_isolation_provider, its contexts count.  If the group is
 * managed, driver matching for @pdev is restricted at once.  If @pdev joins
 * devices of two groups (which only a device that changes the isolation of
 * devices already present can do, such as a downstream port without ACS
 * added to a switch whose ports all had it), the groups stay as they are
 * and @pdev is left out of every group, with a message: a device in no
 * group is isolated from nothing, and no manager can take it.
 *
 * Return: 0 on success or if @pdev is in a group already; -EINVAL if an
 * argument is NULL; -EBUSY if @pdev joins two groups; another errno of
 * isolation_group_alloc() or isolation_group_add_device().
 */
int pci_isolation_add_device(struct isolation_provider *prov,
			     struct pci_dev *pdev)
{
	struct pci_isolation_found found = { };
	struct isolation_group *group = NULL;
	unsigned int i;
	int ret;

	if (!prov || !pdev)
		return -EINVAL;

	guard(mutex)(&pci_isolation_lock);
	if (rcu_access_pointer(pdev->dev.isolation_group))
		return 0;

	pci_isolation_find(pci_isolation_to_pprov(prov), pdev, &found);
	if (found.nr > 1 || found.more) {
		pci_isolation_refuse(pdev, &found);
		ret = -EBUSY;
		goto out;
	}
	if (found.nr)
		group = isolation_group_get_from_dev(&found.dev[0]->dev);
	if (!group)
		group = isolation_group_alloc(prov);
	if (IS_ERR(group)) {
		ret = PTR_ERR(group);
		goto out;
	}
	/* The device holds the group from now on; it goes with the last one. */
	ret = isolation_group_add_device(group, &pdev->dev);
	isolation_group_put(group);
out:
	for (i = 0; i < found.nr; i++)
		pci_dev_put(found.dev[i]);
	return ret;
}
EXPORT_SYMBOL_GPL(pci_isolation_add_device);

static const char *pci_isolation_kind(struct pci_dev *pdev)
{
	if (!pci_is_pcie(pdev))
		return pdev->subordinate ? "PCI bridge" : "device";

	switch (pci_pcie_type(pdev)) {
	case PCI_EXP_TYPE_ROOT_PORT:
		return "root port";
	case PCI_EXP_TYPE_DOWNSTREAM:
		return "switch downstream port";
	case PCI_EXP_TYPE_UPSTREAM:
		return "switch upstream port";
	case PCI_EXP_TYPE_PCI_BRIDGE:
		return "PCIe-to-PCI bridge";
	case PCI_EXP_TYPE_PCIE_BRIDGE:
		return "PCI-to-PCIe bridge";
	default:
		return "device";
	}
}

/*
 * The first other device of the bus of @pdev that is directly related to it
 * (a function of its slot without ACS, or tied by a DMA alias quirk), with
 * a reference, or NULL.
 */
static struct pci_dev *pci_isolation_first_relative(struct pci_dev *pdev,
						    bool *function)
{
	struct pci_dev *tmp, *rel = NULL;

	down_read(&pci_bus_sem);
	list_for_each_entry(tmp, &pdev->bus->devices, bus_list) {
		if (tmp == pdev)
			continue;
		*function = pci_isolation_functions(pdev, tmp);
		if (*function || pci_devs_are_dma_aliases(pdev, tmp)) {
			rel = pci_dev_get(tmp);
			break;
		}
	}
	up_read(&pci_bus_sem);
	return rel;
}

/* Whether a device below @pdev is on the PCI device list. */
static bool pci_isolation_has_children(struct pci_dev *pdev)
{
	bool ret;

	if (!pdev->subordinate)
		return false;
	down_read(&pci_bus_sem);
	ret = !list_empty(&pdev->subordinate->devices);
	up_read(&pci_bus_sem);
	return ret;
}

/**
 * pci_isolation_reason - why a PCI device cannot be isolated from others
 * @pdev: the device
 * @buf: where to write the reason, a line without its newline
 * @size: size of @buf
 *
 * Names the rule of the PCI topology that puts @pdev in a group with other
 * devices and the device responsible, for example "shares requester ID
 * 0000:02:00.0 of PCIe-to-PCI bridge 0000:01:00.0" or "peer-to-peer inside
 * switch 0000:01:00.0 (switch downstream port 0000:02:00.0 without ACS)".
 * The first rule on the way from @pdev to the top of its group is named.
 *
 * Return: the length written, 0 (and an empty string) if no rule ties
 * @pdev to another device, or -EINVAL if an argument is NULL or @size is 0.
 */
ssize_t pci_isolation_reason(struct pci_dev *pdev, char *buf, size_t size)
{
	struct pci_isolation_top top;
	struct pci_dev *root, *rel;
	bool function = false;
	ssize_t len = 0;
	u16 rid;

	if (!pdev || !buf || !size)
		return -EINVAL;

	root = pci_isolation_alias_root(pdev, &rid);
	if (root != pdev)
		return scnprintf(buf, size,
				 "shares requester ID %04x:%02x:%02x.%d of %s %s",
				 pci_domain_nr(pdev->bus), PCI_BUS_NUM(rid),
				 PCI_SLOT(rid & 0xff), PCI_FUNC(rid & 0xff),
				 pci_isolation_kind(root), pci_name(root));

	pci_isolation_find_top(root, &top);
	if (top.below) {
		len = scnprintf(buf, size,
				"peer-to-peer inside switch %s (%s %s without ACS)",
				pci_name(top.dev), pci_isolation_kind(top.why),
				pci_name(top.why));
	} else if (top.dev != root) {
		len = scnprintf(buf, size, "peer-to-peer below %s %s without ACS",
				pci_isolation_kind(top.dev), pci_name(top.dev));
	}
	pci_isolation_put_top(&top);
	if (len)
		return len;

	rel = pci_isolation_first_relative(pdev, &function);
	if (rel) {
		if (function)
			len = scnprintf(buf, size,
					"function of multifunction slot %04x:%02x:%02x without ACS",
					pci_domain_nr(pdev->bus),
					pdev->bus->number,
					PCI_SLOT(pdev->devfn));
		else
			len = scnprintf(buf, size, "DMA alias quirk with %s",
					pci_name(rel));
		pci_dev_put(rel);
		return len;
	}

	if (pci_isolation_covers_below(pdev) &&
	    pci_isolation_has_children(pdev)) {
		if (pci_is_pcie(pdev) &&
		    pci_pcie_type(pdev) != PCI_EXP_TYPE_PCI_BRIDGE &&
		    pci_pcie_type(pdev) != PCI_EXP_TYPE_PCIE_BRIDGE)
			return scnprintf(buf, size,
					 "%s without ACS above the devices below it",
					 pci_isolation_kind(pdev));
		return scnprintf(buf, size,
				 "%s whose requester ID the devices below it share",
				 pci_isolation_kind(pdev));
	}

	buf[0] = '\0';
	return 0;
}
EXPORT_SYMBOL_GPL(pci_isolation_reason);

struct pci_isolation_devs {
	struct device **dev;
	unsigned int nr;
	unsigned int max;
};

static int pci_isolation_collect(struct device *dev, void *data)
{
	struct pci_isolation_devs *devs = data;

	if (devs->nr == devs->max)
		return -E2BIG;
	devs->dev[devs->nr++] = get_device(dev);
	return 0;
}

static int pci_isolation_count(struct device *dev, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

static int pci_isolation_cmp_name(const void *a, const void *b)
{
	return strcmp(dev_name(*(struct device * const *)a),
		      dev_name(*(struct device * const *)b));
}

/*
 * Why @pdev, of a group of @pprov, cannot be isolated from the other devices
 * of its group: the reason of its context if it has one, then that of the
 * topology.
 */
static ssize_t pci_isolation_dev_reason(struct pci_isolation_provider *pprov,
					struct pci_dev *pdev, char *buf,
					size_t size)
{
	ssize_t len, n;

	if (!pprov->context || !pprov->context_reason || !pprov->context(pdev))
		return pci_isolation_reason(pdev, buf, size);

	len = pprov->context_reason(pdev, buf, size);
	if (len < 0 || (size_t)len + 3 > size)
		return len;
	/* "<context's reason>; <topology's reason>" */
	n = pci_isolation_reason(pdev, buf + len + 2, size - len - 2);
	if (n <= 0) {
		buf[len] = '\0';
		return len;
	}
	memcpy(buf + len, "; ", 2);
	return len + 2 + n;
}

/*
 * One line per device of a group of several: "<device> <reason>", sorted by
 * name.  The devices are collected first, so that no lock of the group is
 * held while the topology is read.
 */
static ssize_t reasons_show(struct isolation_group *group, char *buf)
{
	struct pci_isolation_provider *pprov =
		container_of(isolation_group_provider(group),
			     struct pci_isolation_provider, provider);
	struct pci_isolation_devs devs = { };
	char line[256];
	unsigned int i;
	ssize_t len = 0, n;
	int ret;

	ret = isolation_group_walk_devices(group, &devs.max,
					   pci_isolation_count);
	if (ret)
		return ret;
	if (devs.max < 2)
		return 0;

	devs.dev = kcalloc(devs.max, sizeof(*devs.dev), GFP_KERNEL);
	if (!devs.dev)
		return -ENOMEM;
	/* A device added since it was counted is left out of this read. */
	isolation_group_walk_devices(group, &devs, pci_isolation_collect);
	sort(devs.dev, devs.nr, sizeof(*devs.dev), pci_isolation_cmp_name,
	     NULL);

	for (i = 0; i < devs.nr; i++) {
		if (devs.nr > 1 && dev_is_pci(devs.dev[i])) {
			n = pci_isolation_dev_reason(pprov,
						     to_pci_dev(devs.dev[i]),
						     line, sizeof(line));
			if (n > 0)
				len += sysfs_emit_at(buf, len, "%s %s\n",
						     dev_name(devs.dev[i]),
						     line);
		}
		put_device(devs.dev[i]);
	}
	kfree(devs.dev);
	return len;
}
static ISOLATION_GROUP_ATTR_RO(reasons);

struct pci_isolation_ids {
	u64 *id;
	unsigned int nr;
	unsigned int max;
	const struct pci_isolation_provider *pprov;
};

static int pci_isolation_add_id(u64 id, void *data)
{
	struct pci_isolation_ids *ids = data;

	if (ids->nr == ids->max)
		return -E2BIG;
	ids->id[ids->nr++] = id;
	return 0;
}

static int pci_isolation_collect_ids(struct device *dev, void *data)
{
	struct pci_isolation_ids *ids = data;

	if (!dev_is_pci(dev))
		return 0;
	return ids->pprov->walk_ids(to_pci_dev(dev), pci_isolation_add_id, ids);
}

static int pci_isolation_cmp_id(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The IDs by which the provider's IOMMU tells the group's devices apart: one
 * per line, sorted, without repeats, written as the provider's id_format
 * says.  -E2BIG if they do not fit in a page.
 */
static ssize_t iommu_ids_show(struct isolation_group *group, char *buf)
{
	struct pci_isolation_provider *pprov =
		container_of(isolation_group_provider(group),
			     struct pci_isolation_provider, provider);
	/* The shortest line, "0x0\n", takes 4 bytes. */
	struct pci_isolation_ids ids = { .max = PAGE_SIZE / 4, .pprov = pprov };
	unsigned int i;
	ssize_t len = 0;
	int ret;

	ids.id = kcalloc(ids.max, sizeof(*ids.id), GFP_KERNEL);
	if (!ids.id)
		return -ENOMEM;

	ret = isolation_group_walk_devices(group, &ids,
					   pci_isolation_collect_ids);
	if (ret)
		goto out;

	sort(ids.id, ids.nr, sizeof(*ids.id), pci_isolation_cmp_id, NULL);
	for (i = 0; i < ids.nr; i++) {
		u64 id = ids.id[i];
		u16 rid = id & 0xffff;
		u8 devfn = rid & 0xff;
		int n;

		if (i && id == ids.id[i - 1])
			continue;
		if (pprov->id_format == PCI_ISOLATION_ID_RID)
			n = snprintf(buf + len, PAGE_SIZE - len,
				     "%04x:%02x:%02x.%d\n", (u32)(id >> 16),
				     PCI_BUS_NUM(rid), PCI_SLOT(devfn),
				     PCI_FUNC(devfn));
		else
			n = snprintf(buf + len, PAGE_SIZE - len, "0x%llx\n", id);
		if (n >= PAGE_SIZE - len) {
			ret = -E2BIG;
			goto out;
		}
		len += n;
	}
	ret = len;
out:
	kfree(ids.id);
	return ret;
}
static ISOLATION_GROUP_ATTR_RO(iommu_ids);

struct pci_isolation_id_walk {
	pci_isolation_id_fn fn;
	void *data;
};

static int pci_isolation_rid_cb(struct pci_dev *pdev, u16 alias, void *data)
{
	struct pci_isolation_id_walk *walk = data;

	return walk->fn((u64)pci_domain_nr(pdev->bus) << 16 | alias,
			walk->data);
}

/**
 * pci_isolation_walk_rids() - call @fn for each requester ID of a device
 * @pdev: PCI device
 * @fn: called with each requester ID, with the PCI segment in bits 31:16,
 *	that @pdev's DMA can carry to the IOMMU: its own and its DMA aliases
 *	(pci_for_each_dma_alias()); a non-zero return stops the walk
 * @data: passed to @fn
 *
 * The &pci_isolation_provider.walk_ids of an IOMMU that tells devices
 * apart by requester ID.
 *
 * Return: 0, or the first non-zero return of @fn.
 */
int pci_isolation_walk_rids(struct pci_dev *pdev, pci_isolation_id_fn fn,
			    void *data)
{
	struct pci_isolation_id_walk walk = { .fn = fn, .data = data };

	return pci_for_each_dma_alias(pdev, pci_isolation_rid_cb, &walk);
}
EXPORT_SYMBOL_GPL(pci_isolation_walk_rids);

/* The attributes of the groups of every pci_isolation_provider. */
static struct attribute *pci_isolation_attrs[] = {
	&isolation_group_attr_iommu_ids.attr,
	&isolation_group_attr_reasons.attr,
	NULL,
};
ATTRIBUTE_GROUPS(pci_isolation);

/* Only registration gives a provider the attributes of PCI groups. */
static struct pci_isolation_provider *
pci_isolation_to_pprov(struct isolation_provider *prov)
{
	if (prov->group_groups != pci_isolation_groups)
		return NULL;
	return container_of(prov, struct pci_isolation_provider, provider);
}

/*
 * Places @pdev if @pprov translates it.  A device that joins two groups, or
 * that is going away, is left out with a message and 0; any other error is
 * returned.
 */
static int pci_isolation_provider_add(struct pci_isolation_provider *pprov,
				      struct pci_dev *pdev)
{
	int ret;

	if (!pprov->translates(pdev))
		return 0;
	ret = pci_isolation_add_device(&pprov->provider, pdev);
	if (ret == -EBUSY || ret == -ENODEV)
		return 0;
	if (ret)
		pci_warn(pdev, "isolation: no isolation group: %d\n", ret);
	return ret;
}

static int pci_isolation_notify(struct notifier_block *nb,
				unsigned long action, void *data)
{
	struct pci_isolation_provider *pprov =
		container_of(nb, struct pci_isolation_provider, nb);

	/* A deleted device leaves its group through the driver core. */
	if (action != BUS_NOTIFY_ADD_DEVICE)
		return NOTIFY_DONE;
	/* device_add() goes on regardless: the device stays in no group. */
	pci_isolation_provider_add(pprov, to_pci_dev(data));
	return NOTIFY_OK;
}

/**
 * pci_isolation_provider_register - register a provider of PCI isolation groups
 * @pprov: the provider, with its name, translates, walk_ids and id_format
 *	set, and its group_groups not: registration gives its groups the
 *	attributes ``iommu_ids`` and ``reasons``
 *
 * Registers @pprov->provider and puts each PCI device present, and each
 * one added later, that @pprov->translates() in its group, by
 * pci_isolation_add_device().  A device that joins two groups is left out
 * of every group, with a message.  If a device present cannot be placed
 * for another reason, such as -ENOMEM, registration fails and every group
 * it made is removed; a device added later that cannot be placed is left
 * out of every group, with a message.
 *
 * Return: 0 on success; -EINVAL if @pprov lacks a method or has
 * group_groups of its own; an errno of isolation_provider_register(),
 * bus_register_notifier() or pci_isolation_add_device(), with nothing
 * registered.
 */
int pci_isolation_provider_register(struct pci_isolation_provider *pprov)
{
	struct pci_dev *pdev = NULL;
	int ret;

	if (!pprov || !pprov->translates || !pprov->walk_ids ||
	    pprov->provider.group_groups)
		return -EINVAL;

	pprov->provider.group_groups = pci_isolation_groups;
	ret = isolation_provider_register(&pprov->provider);
	if (ret) {
		pprov->provider.group_groups = NULL;
		return ret;
	}

	pprov->nb.notifier_call = pci_isolation_notify;
	ret = bus_register_notifier(&pci_bus_type, &pprov->nb);
	if (ret)
		goto err_unregister;

	/* A device added meanwhile is placed once: the second add finds it. */
	for_each_pci_dev(pdev) {
		ret = pci_isolation_provider_add(pprov, pdev);
		if (ret) {
			pci_dev_put(pdev);
			goto err_notifier;
		}
	}
	return 0;

err_notifier:
	bus_unregister_notifier(&pci_bus_type, &pprov->nb);
err_unregister:
	isolation_provider_unregister(&pprov->provider);
	pprov->provider.group_groups = NULL;
	return ret;
}
EXPORT_SYMBOL_GPL(pci_isolation_provider_register);

/**
 * pci_isolation_provider_unregister - unregister a provider of PCI isolation groups
 * @pprov: a provider registered with pci_isolation_provider_register()
 *
 * Stops placing added devices and unregisters @pprov->provider, which
 * takes its groups away (see isolation_provider_unregister()).
 */
void pci_isolation_provider_unregister(struct pci_isolation_provider *pprov)
{
	bus_unregister_notifier(&pci_bus_type, &pprov->nb);
	isolation_provider_unregister(&pprov->provider);
	pprov->provider.group_groups = NULL;
}
EXPORT_SYMBOL_GPL(pci_isolation_provider_unregister);
