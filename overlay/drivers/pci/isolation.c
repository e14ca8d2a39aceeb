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
 * Declared by the administrator.  pci=isolation_override= names root and
 * downstream ports that the administrator declares isolating, or not
 * isolating, whatever their ACS says.  The rules then take each such port as
 * declared wherever they read its ACS (as a port and as a function of its
 * slot); nothing else changes: DMA aliases, conventional PCI buses and the
 * IOMMU's own groups join what they join.  A declaration that changes a
 * device's group is named in the group's ``reasons`` and ``overrides``.
 *
 * The IOMMU's groups.  A device shares the isolation group of the devices of
 * its iommu group: the IOMMU cannot split what it groups.  Without a
 * declaration the rules already give each iommu group a single group;
 * with one, this keeps a port declared isolating with the devices below it
 * when the IOMMU core groups them together.
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
 * same alias and function rules, so each of them lies inside one of these,
 * and the devices of an iommu group are put in one group in any case.
 *
 * Locking: pci_isolation_lock serializes placement, so that two devices of
 * one group added at once find each other.  It is taken outside pci_bus_sem
 * and the isolation core's lock.
 */

#define pr_fmt(fmt) "PCI: isolation: " fmt

#include <linux/iommu.h>
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

/*
 * What the administrator declares of a port: pci=isolation_override=
 * "isolating@DEVICE" or "not_isolating@DEVICE", DEVICE as
 * pci_dev_str_match() reads it, entries separated by ';'.
 */
enum pci_isolation_declared {
	PCI_ISOLATION_UNDECLARED,
	PCI_ISOLATION_ISOLATING,
	PCI_ISOLATION_NOT_ISOLATING,
};

static const char * const pci_isolation_declared_name[] = {
	[PCI_ISOLATION_ISOLATING] = "isolating",
	[PCI_ISOLATION_NOT_ISOLATING] = "not_isolating",
};

/**
 * struct pci_isolation_override - one entry of pci=isolation_override=
 * @entry: the entry as given, for messages.
 * @match: the device part of @entry, for pci_dev_str_match().
 * @declared: what the entry declares.
 * @malformed: pci_dev_str_match() could not read @match.
 */
struct pci_isolation_override {
	const char *entry;
	const char *match;
	enum pci_isolation_declared declared;
	bool malformed;
};

/*
 * Set once at boot, before any device is placed, and read-only after, but
 * for @malformed, set before any provider registers.
 */
static char *pci_isolation_override_param __initdata;
static struct pci_isolation_override *pci_isolation_overrides;
static unsigned int pci_isolation_nr_overrides;

/* pci=isolation_override=, from pci_setup(): read at pure_initcall. */
void __init pci_isolation_override_setup(char *str)
{
	pci_isolation_override_param = str;
}

/*
 * Reads one entry, NUL-terminated, into @o; @o->entry is set by the
 * caller.  Return: 0, or -EINVAL if it is not "MODE@DEVICE" with a known
 * MODE and a DEVICE.
 */
static int pci_isolation_override_parse(char *entry,
					struct pci_isolation_override *o)
{
	char *at = strchr(entry, '@');
	int i;

	if (!at || !at[1])
		return -EINVAL;
	for (i = PCI_ISOLATION_ISOLATING; i <= PCI_ISOLATION_NOT_ISOLATING; i++) {
		if (strlen(pci_isolation_declared_name[i]) == at - entry &&
		    !strncmp(entry, pci_isolation_declared_name[i], at - entry)) {
			o->declared = i;
			o->match = at + 1;
			return 0;
		}
	}
	return -EINVAL;
}

static int __init pci_isolation_override_init(void)
{
	char *copy, *param, *entry;
	unsigned int n = 1;

	if (!pci_isolation_override_param || !*pci_isolation_override_param)
		return 0;
	copy = kstrdup(pci_isolation_override_param, GFP_KERNEL);
	if (!copy)
		goto nomem;
	param = copy;
	for (entry = param; (entry = strchr(entry, ';')); entry++)
		n++;
	pci_isolation_overrides = kcalloc(n, sizeof(*pci_isolation_overrides),
					  GFP_KERNEL);
	if (!pci_isolation_overrides) {
		kfree(copy);
		goto nomem;
	}
	while ((entry = strsep(&param, ";"))) {
		struct pci_isolation_override *o =
			&pci_isolation_overrides[pci_isolation_nr_overrides];

		if (!*entry)
			continue;
		o->entry = entry;
		if (pci_isolation_override_parse(entry, o)) {
			pr_err("isolation_override: \"%s\" is not isolating@DEVICE or not_isolating@DEVICE: ignored\n",
			       entry);
			continue;
		}
		pci_isolation_nr_overrides++;
	}
	/* The entries point into the copy, which stays as long as they do. */
	if (!pci_isolation_nr_overrides) {
		kfree(pci_isolation_overrides);
		pci_isolation_overrides = NULL;
		kfree(copy);
	}
	return 0;

nomem:
	pr_err("isolation_override: out of memory: every entry ignored\n");
	return -ENOMEM;
}
pure_initcall(pci_isolation_override_init);

static bool pci_isolation_override_matches(const struct pci_isolation_override *o,
					   struct pci_dev *pdev)
{
	const char *end;

	return !o->malformed && pci_dev_str_match(pdev, o->match, &end) == 1 &&
	       !*end;
}

/* The first entry that names @pdev, or NULL. */
static const struct pci_isolation_override *
pci_isolation_override_of(struct pci_dev *pdev)
{
	unsigned int i;

	for (i = 0; i < pci_isolation_nr_overrides; i++)
		if (pci_isolation_override_matches(&pci_isolation_overrides[i],
						   pdev))
			return &pci_isolation_overrides[i];
	return NULL;
}

/**
 * struct pci_isolation_top - where a device's group begins
 * @dev: the topmost device of the group on the device's path, or the
 *	upstream port of a switch whose internal bus is the top.
 * @why: with a reference, the device whose missing ACS made @dev or its
 *	internal bus the top, or NULL when @dev is the device's alias root.
 * @below: the top is the internal bus below @dev, which is not in the group.
 * @floor: @dev is a port without ACS, declared isolating, that the IOMMU
 *	groups with the devices below it: they share its group.
 */
struct pci_isolation_top {
	struct pci_dev *dev;
	struct pci_dev *why;
	bool below;
	bool floor;
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

/* A root or downstream port: what an administrator may declare. */
static bool pci_isolation_is_port(struct pci_dev *pdev)
{
	return pci_isolation_is_type(pdev, PCI_EXP_TYPE_ROOT_PORT) ||
	       pci_isolation_is_type(pdev, PCI_EXP_TYPE_DOWNSTREAM);
}

/* What the administrator declares of @pdev, a port or not. */
static enum pci_isolation_declared pci_isolation_declared(struct pci_dev *pdev)
{
	const struct pci_isolation_override *o;

	if (!pci_isolation_nr_overrides || !pci_isolation_is_port(pdev))
		return PCI_ISOLATION_UNDECLARED;
	o = pci_isolation_override_of(pdev);
	return o ? o->declared : PCI_ISOLATION_UNDECLARED;
}

/*
 * Whether @pdev enforces the isolating ACS controls: for a port, as the
 * administrator declares if @declared and there is a declaration.
 */
static bool pci_isolation_acs(struct pci_dev *pdev, bool declared)
{
	if (declared) {
		switch (pci_isolation_declared(pdev)) {
		case PCI_ISOLATION_ISOLATING:
			return true;
		case PCI_ISOLATION_NOT_ISOLATING:
			return false;
		default:
			break;
		}
	}
	return pci_acs_enabled(pdev, PCI_ISOLATION_ACS);
}

/* A port whose declaration says other than its ACS. */
static bool pci_isolation_overridden(struct pci_dev *pdev)
{
	return pci_isolation_declared(pdev) != PCI_ISOLATION_UNDECLARED &&
	       pci_isolation_acs(pdev, true) != pci_isolation_acs(pdev, false);
}

/* A root or downstream port that isolates the devices below it. */
static bool pci_isolation_port_isolates(struct pci_dev *pdev, bool declared)
{
	return pci_isolation_is_port(pdev) && pci_isolation_acs(pdev, declared);
}

/*
 * The first device on @bus, the internal bus of a switch, that is not a
 * downstream port with the isolating ACS controls, with a reference; NULL
 * when the bus isolates its ports from each other.
 */
static struct pci_dev *pci_isolation_switch_leak(struct pci_bus *bus,
						 bool declared)
{
	struct pci_dev *tmp, *leak = NULL;

	down_read(&pci_bus_sem);
	list_for_each_entry(tmp, &bus->devices, bus_list) {
		if (!pci_isolation_is_type(tmp, PCI_EXP_TYPE_DOWNSTREAM) ||
		    !pci_isolation_acs(tmp, declared)) {
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

/* Whether @a is @pdev or a bridge above it. */
static bool pci_isolation_is_above(struct pci_dev *a, struct pci_dev *pdev)
{
	for (; pdev; pdev = pci_upstream_bridge(pdev))
		if (pdev == a)
			return true;
	return false;
}

static bool pci_isolation_covers_below(struct pci_dev *pdev, bool declared);

/*
 * The topmost root or downstream port, @root or on its path, whose own ACS
 * does not isolate the devices below it (declared or not), or NULL.  The
 * IOMMU core's pci_device_group() climbs from a device through every
 * bridge whose path upstream lacks ACS, so it groups such a port with
 * every device below it, whatever is declared.
 */
static struct pci_dev *pci_isolation_floor(struct pci_dev *root)
{
	struct pci_dev *floor = NULL;
	struct pci_bus *bus;

	if (root->subordinate && pci_isolation_is_port(root) &&
	    !pci_isolation_acs(root, false))
		floor = root;
	for (bus = root->bus; !pci_is_root_bus(bus); bus = bus->parent)
		if (bus->self && pci_isolation_is_port(bus->self) &&
		    !pci_isolation_acs(bus->self, false))
			floor = bus->self;
	return floor;
}

/*
 * Where a declaration would put @top below the floor of @root, the top is
 * the floor instead, with the devices below it: a declaration never splits
 * what the IOMMU groups.
 */
static void pci_isolation_apply_floor(struct pci_dev *root,
				      struct pci_isolation_top *top)
{
	struct pci_dev *floor = pci_isolation_floor(root);
	bool holds;

	if (!floor)
		return;
	/* A top that holds the floor and the devices below it stays. */
	holds = top->below ? top->dev != floor :
			     pci_isolation_covers_below(top->dev, true);
	if (holds && pci_isolation_is_above(top->dev, floor))
		return;
	pci_isolation_set_top(top, floor, pci_dev_get(floor), false);
	top->floor = true;
}

/*
 * The topmost place on the path from @root, an alias root, to its root port
 * that does not isolate what is below it, the ports taken as the
 * administrator declares them if @declared.  Release with
 * pci_isolation_put_top().
 */
static void pci_isolation_find_top(struct pci_dev *root,
				   struct pci_isolation_top *top, bool declared)
{
	struct pci_bus *bus;

	*top = (struct pci_isolation_top){ .dev = root };
	for (bus = root->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		struct pci_dev *bridge = bus->self, *leak;

		/* The virtual bus of SR-IOV virtual functions has no bridge. */
		if (!bridge)
			continue;
		if (pci_isolation_is_type(bridge, PCI_EXP_TYPE_UPSTREAM)) {
			leak = pci_isolation_switch_leak(bus, declared);
			if (leak)
				pci_isolation_set_top(top, bridge, leak, true);
		} else if (!pci_isolation_port_isolates(bridge, declared)) {
			pci_isolation_set_top(top, bridge, pci_dev_get(bridge),
					      false);
		}
	}
	if (declared && pci_isolation_nr_overrides)
		pci_isolation_apply_floor(root, top);
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
static bool pci_isolation_covers_below(struct pci_dev *pdev, bool declared)
{
	return pdev->subordinate &&
	       !pci_isolation_is_type(pdev, PCI_EXP_TYPE_UPSTREAM) &&
	       !pci_isolation_port_isolates(pdev, declared);
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

/*
 * pci_acs_enabled() for @pdev as a function of a multifunction slot, a
 * port as declared if @declared.
 */
static bool pci_isolation_function_acs(struct pci_dev *pdev, bool declared)
{
	int ret;

	if (pdev->multifunction || !pci_isolation_in_mf_slot(pdev) ||
	    pci_isolation_is_port(pdev))
		return pci_isolation_acs(pdev, declared);

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
static bool pci_isolation_functions(struct pci_dev *a, struct pci_dev *b,
				    bool declared)
{
	return PCI_SLOT(a->devfn) == PCI_SLOT(b->devfn) &&
	       (pci_isolation_in_mf_slot(a) || pci_isolation_in_mf_slot(b)) &&
	       !pci_isolation_function_acs(a, declared) &&
	       !pci_isolation_function_acs(b, declared);
}

/*
 * The devices on the bus of @pdev that share its group through the
 * relations of the root complex (functions without ACS, DMA alias quirks),
 * directly or through each other: their devfns are set in @devfns, that of
 * @pdev included.  Ports are taken as declared if @declared.
 */
static void pci_isolation_relatives(struct pci_dev *pdev,
				    unsigned long *devfns, bool declared)
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
				    pci_isolation_functions(m, tmp, declared)) {
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

/*
 * Records the groups of @pdev and, if they share its group (@cover: they
 * do), of those below.
 */
static void pci_isolation_find_from(struct pci_dev *pdev, bool below,
				    bool cover,
				    struct pci_isolation_found *found)
{
	if (!below)
		pci_isolation_found_cb(pdev, found);
	if (below || cover || pci_isolation_covers_below(pdev, true))
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

	pci_isolation_find_top(pci_isolation_alias_root(pdev, NULL), &top, true);
	if (top.below) {
		pci_isolation_find_from(top.dev, true, false, found);
		goto out;
	}

	pci_isolation_relatives(top.dev, devfns, true);
	for_each_set_bit(devfn, devfns, 256) {
		tmp = pci_get_slot(top.dev->bus, devfn);
		if (!tmp)
			continue;
		pci_isolation_find_from(tmp, false,
					top.floor && tmp == top.dev, found);
		pci_dev_put(tmp);
	}
out:
	pci_isolation_put_top(&top);
	if (pprov && pprov->context)
		pci_isolation_find_context(pprov, pdev, found);
}

static int pci_isolation_iommu_cb(struct device *dev, void *data)
{
	if (dev_is_pci(dev))
		pci_isolation_found_cb(to_pci_dev(dev), data);
	return 0;
}

/* The groups of the devices of @pdev's iommu group. */
static void pci_isolation_find_iommu(struct pci_dev *pdev,
				     struct pci_isolation_found *found)
{
	struct iommu_group *group = iommu_group_get(&pdev->dev);

	if (!group)
		return;
	iommu_group_for_each_dev(group, found, pci_isolation_iommu_cb);
	iommu_group_put(group);
}

/**
 * struct pci_isolation_ports - ports whose declaration shapes a group
 * @dev: each port, with a reference.
 * @nr: number of ports in @dev.
 * @max: number of entries allocated at @dev.
 * @nearest: the first port found, the nearest to the device on its path.
 * @nomem: a port was left out for want of memory.
 */
struct pci_isolation_ports {
	struct pci_dev **dev;
	unsigned int nr;
	unsigned int max;
	struct pci_dev *nearest;
	bool nomem;
};

/* Adds @pdev if its declaration says other than its ACS.  Any context. */
static void pci_isolation_ports_add(struct pci_isolation_ports *ports,
				    struct pci_dev *pdev)
{
	struct pci_dev **dev;
	unsigned int i;

	if (!pci_isolation_overridden(pdev))
		return;
	for (i = 0; i < ports->nr; i++)
		if (ports->dev[i] == pdev)
			return;
	if (ports->nr == ports->max) {
		dev = krealloc_array(ports->dev, ports->max + 8, sizeof(*dev),
				     GFP_ATOMIC);
		if (!dev) {
			ports->nomem = true;
			return;
		}
		ports->dev = dev;
		ports->max += 8;
	}
	if (!ports->nr)
		ports->nearest = pdev;
	ports->dev[ports->nr++] = pci_dev_get(pdev);
}

static void pci_isolation_ports_clear(struct pci_isolation_ports *ports)
{
	while (ports->nr)
		pci_dev_put(ports->dev[--ports->nr]);
	ports->nearest = NULL;
}

static void pci_isolation_ports_put(struct pci_isolation_ports *ports)
{
	pci_isolation_ports_clear(ports);
	kfree(ports->dev);
	ports->dev = NULL;
	ports->nearest = NULL;
	ports->max = 0;
}

static int pci_isolation_cmp_pdev(const void *a, const void *b)
{
	return strcmp(pci_name(*(struct pci_dev * const *)a),
		      pci_name(*(struct pci_dev * const *)b));
}

/*
 * The ports whose declaration by the administrator makes the group of
 * @pdev other than their ACS would: when the rules place @pdev otherwise
 * without the declarations, the declared ports on its path that their
 * declaration changes, and the slot functions of its top.
 */
static void pci_isolation_declared_ports(struct pci_dev *pdev,
					 struct pci_isolation_ports *ports)
{
	DECLARE_BITMAP(with, 256);
	DECLARE_BITMAP(without, 256);
	struct pci_isolation_top a, b;
	struct pci_dev *root, *tmp;
	struct pci_bus *bus;
	bool differ;

	if (!pci_isolation_nr_overrides)
		return;
	root = pci_isolation_alias_root(pdev, NULL);
	pci_isolation_find_top(root, &a, true);
	pci_isolation_find_top(root, &b, false);
	differ = a.dev != b.dev || a.below != b.below;
	if (!differ && !a.below) {
		pci_isolation_relatives(a.dev, with, true);
		pci_isolation_relatives(a.dev, without, false);
		differ = !bitmap_equal(with, without, 256) ||
			 pci_isolation_covers_below(a.dev, true) !=
			 pci_isolation_covers_below(a.dev, false);
	}
	if (differ) {
		/* What is declared below a floor counts for nothing. */
		pci_isolation_ports_add(ports, root);
		if (a.floor && a.dev == root)
			pci_isolation_ports_clear(ports);
		for (bus = root->bus; !pci_is_root_bus(bus); bus = bus->parent) {
			if (!bus->self)
				continue;
			if (a.floor && a.dev == bus->self) {
				pci_isolation_ports_clear(ports);
				continue;
			}
			if (!pci_isolation_is_type(bus->self,
						   PCI_EXP_TYPE_UPSTREAM)) {
				pci_isolation_ports_add(ports, bus->self);
				continue;
			}
			down_read(&pci_bus_sem);
			list_for_each_entry(tmp, &bus->devices, bus_list)
				pci_isolation_ports_add(ports, tmp);
			up_read(&pci_bus_sem);
		}
		if (!a.below) {
			down_read(&pci_bus_sem);
			list_for_each_entry(tmp, &a.dev->bus->devices, bus_list)
				if (PCI_SLOT(tmp->devfn) == PCI_SLOT(a.dev->devfn))
					pci_isolation_ports_add(ports, tmp);
			up_read(&pci_bus_sem);
		}
	}
	pci_isolation_put_top(&b);
	pci_isolation_put_top(&a);
	sort(ports->dev, ports->nr, sizeof(*ports->dev),
	     pci_isolation_cmp_pdev, NULL);
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

/*
 * @pdev goes to the group of @with only because they share an iommu group:
 * if a declaration would have parted them, say that it cannot.
 */
static void pci_isolation_no_split(struct pci_dev *pdev, struct pci_dev *with)
{
	struct pci_isolation_ports ports = { };
	struct iommu_group *group;

	pci_isolation_declared_ports(pdev, &ports);
	if (ports.nr) {
		group = iommu_group_get(&pdev->dev);
		pci_info(pdev, "isolation: the administrator override of %s cannot split iommu group %d: stays with %s\n",
			 pci_name(ports.nearest),
			 group ? iommu_group_id(group) : -1, pci_name(with));
		iommu_group_put(group);
	}
	pci_isolation_ports_put(&ports);
}

/*
 * If the IOMMU's floor keeps @pdev with a port that a declaration would
 * have parted it from, say so, naming the nearest port so declared.
 */
static void pci_isolation_floor_note(struct pci_dev *pdev)
{
	struct pci_dev *root = pci_isolation_alias_root(pdev, NULL);
	struct pci_dev *port = NULL, *tmp;
	struct pci_isolation_top top;

	pci_isolation_find_top(root, &top, true);
	if (top.floor && top.dev != root) {
		for (tmp = root; tmp; tmp = pci_upstream_bridge(tmp)) {
			if (pci_isolation_overridden(tmp) &&
			    pci_isolation_declared(tmp) == PCI_ISOLATION_ISOLATING) {
				port = tmp;
				break;
			}
			if (tmp == top.dev)
				break;
		}
		pci_info(pdev, "isolation: the IOMMU groups it with %s, which the administrator override of %s cannot split\n",
			 pci_name(top.dev), pci_name(port ? port : top.dev));
	}
	pci_isolation_put_top(&top);
}

static struct pci_isolation_provider *
pci_isolation_to_pprov(struct isolation_provider *prov);

/**
 * pci_isolation_add_device - put a PCI device in its isolation group
 * @prov: the registered provider whose groups hold the devices of @pdev's
 *	topology
 * @pdev: a registered PCI device that the provider's IOMMU translates
 *
 * Joins @pdev to the existing group that the rules, and its iommu group,
 * give it, or to a new group of @prov when no device of that group has one
 * yet.  If @prov is
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
	unsigned int i, nr;
	int ret;

	if (!prov || !pdev)
		return -EINVAL;

	guard(mutex)(&pci_isolation_lock);
	if (rcu_access_pointer(pdev->dev.isolation_group))
		return 0;

	pci_isolation_find(pci_isolation_to_pprov(prov), pdev, &found);
	if (pci_isolation_nr_overrides)
		pci_isolation_floor_note(pdev);
	nr = found.nr;
	pci_isolation_find_iommu(pdev, &found);
	if (found.nr > nr && !found.more && pci_isolation_nr_overrides)
		pci_isolation_no_split(pdev, found.dev[nr]);
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

/* Why @pdev, which does not isolate, does not. */
static const char *pci_isolation_without(struct pci_dev *pdev)
{
	if (pci_isolation_declared(pdev) == PCI_ISOLATION_NOT_ISOLATING)
		return "declared not isolating by administrator override";
	return "without ACS";
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
		*function = pci_isolation_functions(pdev, tmp, true);
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
 * The first rule on the way from @pdev to the top of its group is named;
 * a port that the administrator declared not isolating is named so
 * ("... declared not isolating by administrator override").
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

	pci_isolation_find_top(root, &top, true);
	if (top.floor) {
		if (top.dev != root)
			len = scnprintf(buf, size,
					"the IOMMU groups it with %s %s without ACS",
					pci_isolation_kind(top.dev),
					pci_name(top.dev));
		else if (pci_isolation_has_children(root))
			len = scnprintf(buf, size,
					"%s without ACS that the IOMMU groups with the devices below it",
					pci_isolation_kind(root));
	} else if (top.below) {
		len = scnprintf(buf, size,
				"peer-to-peer inside switch %s (%s %s %s)",
				pci_name(top.dev), pci_isolation_kind(top.why),
				pci_name(top.why),
				pci_isolation_without(top.why));
	} else if (top.dev != root) {
		len = scnprintf(buf, size, "peer-to-peer below %s %s %s",
				pci_isolation_kind(top.dev), pci_name(top.dev),
				pci_isolation_without(top.dev));
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

	if (pci_isolation_covers_below(pdev, true) &&
	    pci_isolation_has_children(pdev)) {
		if (pci_is_pcie(pdev) &&
		    pci_pcie_type(pdev) != PCI_EXP_TYPE_PCI_BRIDGE &&
		    pci_pcie_type(pdev) != PCI_EXP_TYPE_PCIE_BRIDGE)
			return scnprintf(buf, size,
					 "%s %s above the devices below it",
					 pci_isolation_kind(pdev),
					 pci_isolation_without(pdev));
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

/* Appends "; " and a part to the reason of @len bytes in @buf. */
static __printf(4, 5) ssize_t pci_isolation_append(char *buf, size_t size,
						   ssize_t len,
						   const char *fmt, ...)
{
	va_list args;

	if (len)
		len += scnprintf(buf + len, size - len, "; ");
	va_start(args, fmt);
	len += vscnprintf(buf + len, size - len, fmt, args);
	va_end(args);
	return len;
}

/* "isolated by administrator override of A, B": the ports declared isolating. */
static ssize_t pci_isolation_declared_reason(struct pci_isolation_ports *ports,
					     char *buf, size_t size,
					     ssize_t len)
{
	const char *sep = "isolated by administrator override of ";
	unsigned int i, named = 0, left = 0;

	for (i = 0; i < ports->nr; i++) {
		if (pci_isolation_declared(ports->dev[i]) !=
		    PCI_ISOLATION_ISOLATING)
			continue;
		if (named == 8) {
			left++;
			continue;
		}
		if (named)
			len += scnprintf(buf + len, size - len, ", %s",
					 pci_name(ports->dev[i]));
		else
			len = pci_isolation_append(buf, size, len, "%s%s", sep,
						   pci_name(ports->dev[i]));
		named++;
	}
	if (named && ports->nomem)
		len += scnprintf(buf + len, size - len, " and more");
	else if (left)
		len += scnprintf(buf + len, size - len, " and %u more", left);
	return len;
}

static int pci_isolation_first_other(struct device *dev, void *data)
{
	struct pci_dev **other = data;

	if (!dev_is_pci(dev) || to_pci_dev(dev) == *other)
		return 0;
	*other = pci_dev_get(to_pci_dev(dev));
	return 1;
}

/* "shares iommu group N with D": the IOMMU cannot split it. */
static ssize_t pci_isolation_iommu_reason(struct pci_dev *pdev, char *buf,
					  size_t size, ssize_t len)
{
	struct iommu_group *group = iommu_group_get(&pdev->dev);
	struct pci_dev *other = pdev;

	if (!group)
		return len;
	if (iommu_group_for_each_dev(group, &other,
				     pci_isolation_first_other) > 0) {
		len = pci_isolation_append(buf, size, len,
					   "shares iommu group %d with %s, which the IOMMU cannot split",
					   iommu_group_id(group),
					   pci_name(other));
		pci_dev_put(other);
	}
	iommu_group_put(group);
	return len;
}

/*
 * Why @pdev, of a group of @pprov, cannot be isolated from the other devices
 * of its group, the parts separated by "; ": the reason of its context if
 * it has one, that of the topology, the ports declared isolating that make
 * its group smaller, and its iommu group if it has no other reason.  For a
 * device alone in its group (@alone), only the ports.
 */
static ssize_t pci_isolation_dev_reason(struct pci_isolation_provider *pprov,
					struct pci_dev *pdev, char *buf,
					size_t size, bool alone)
{
	struct pci_isolation_ports ports = { };
	ssize_t len = 0, n;

	buf[0] = '\0';
	if (!alone && pprov->context && pprov->context_reason &&
	    pprov->context(pdev)) {
		len = pprov->context_reason(pdev, buf, size);
		if (len < 0)
			return len;
	}
	if (!alone && (size_t)len + 3 <= size) {
		n = pci_isolation_reason(pdev, buf + len + (len ? 2 : 0),
					 size - len - (len ? 2 : 0));
		if (n > 0 && len) {
			memcpy(buf + len, "; ", 2);
			len += 2;
		}
		if (n > 0)
			len += n;
		else
			buf[len] = '\0';
	}
	pci_isolation_declared_ports(pdev, &ports);
	n = pci_isolation_declared_reason(&ports, buf, size, len);
	if (!alone && !n)
		n = pci_isolation_iommu_reason(pdev, buf, size, n);
	pci_isolation_ports_put(&ports);
	return n;
}

/* The PCI devices of @group, sorted by name, with a reference; NULL if none. */
static int pci_isolation_group_devs(struct isolation_group *group,
				    struct pci_isolation_devs *devs)
{
	int ret;

	*devs = (struct pci_isolation_devs){ };
	ret = isolation_group_walk_devices(group, &devs->max,
					   pci_isolation_count);
	if (ret || !devs->max)
		return ret;
	devs->dev = kcalloc(devs->max, sizeof(*devs->dev), GFP_KERNEL);
	if (!devs->dev)
		return -ENOMEM;
	/* A device added since it was counted is left out of this read. */
	isolation_group_walk_devices(group, devs, pci_isolation_collect);
	sort(devs->dev, devs->nr, sizeof(*devs->dev), pci_isolation_cmp_name,
	     NULL);
	return 0;
}

static void pci_isolation_put_devs(struct pci_isolation_devs *devs)
{
	while (devs->nr)
		put_device(devs->dev[--devs->nr]);
	kfree(devs->dev);
}

/*
 * One line per device with a reason: "<device> <reason>", sorted by name.
 * In a group of one, only a device that a declared port keeps alone has a
 * reason.  The devices are collected first, so that no lock of the group is
 * held while the topology is read.
 */
static ssize_t reasons_show(struct isolation_group *group, char *buf)
{
	struct pci_isolation_provider *pprov =
		container_of(isolation_group_provider(group),
			     struct pci_isolation_provider, provider);
	struct pci_isolation_devs devs;
	char line[256];
	unsigned int i;
	ssize_t len = 0, n;
	int ret;

	ret = pci_isolation_group_devs(group, &devs);
	if (ret)
		return ret;
	for (i = 0; i < devs.nr; i++) {
		if (!dev_is_pci(devs.dev[i]))
			continue;
		n = pci_isolation_dev_reason(pprov, to_pci_dev(devs.dev[i]),
					     line, sizeof(line), devs.nr == 1);
		if (n > 0)
			len += sysfs_emit_at(buf, len, "%s %s\n",
					     dev_name(devs.dev[i]), line);
	}
	pci_isolation_put_devs(&devs);
	return len;
}
static ISOLATION_GROUP_ATTR_RO(reasons);

/*
 * The ports whose declaration by the administrator shapes the group: one
 * line each, "<port> isolating" or "<port> not_isolating", sorted, without
 * repeats; empty for a group that ACS alone shapes.
 */
static ssize_t overrides_show(struct isolation_group *group, char *buf)
{
	struct pci_isolation_ports ports = { };
	struct pci_isolation_devs devs;
	unsigned int i;
	ssize_t len = 0;
	int ret;

	if (!pci_isolation_nr_overrides)
		return 0;
	ret = pci_isolation_group_devs(group, &devs);
	if (ret)
		return ret;
	/* The ports of every device, gathered in one set. */
	for (i = 0; i < devs.nr; i++)
		if (dev_is_pci(devs.dev[i]))
			pci_isolation_declared_ports(to_pci_dev(devs.dev[i]),
						     &ports);
	pci_isolation_put_devs(&devs);

	if (ports.nomem) {
		len = -ENOMEM;
		goto out;
	}
	sort(ports.dev, ports.nr, sizeof(*ports.dev), pci_isolation_cmp_pdev,
	     NULL);
	for (i = 0; i < ports.nr; i++) {
		enum pci_isolation_declared d =
			pci_isolation_declared(ports.dev[i]);

		len += sysfs_emit_at(buf, len, "%s %s\n",
				     pci_name(ports.dev[i]),
				     pci_isolation_declared_name[d]);
	}
out:
	pci_isolation_ports_put(&ports);
	return len;
}
static ISOLATION_GROUP_ATTR_RO(overrides);

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

/*
 * Whether the ACS capability of @pdev has the isolating controls, enabled
 * or not: at boot, ACS is enabled only as devices are configured for DMA.
 */
static bool pci_isolation_acs_capable(struct pci_dev *pdev)
{
	u16 cap;

	if (!pdev->acs_cap ||
	    pci_read_config_word(pdev, pdev->acs_cap + PCI_ACS_CAP, &cap))
		return false;
	return (cap & PCI_ISOLATION_ACS) == PCI_ISOLATION_ACS;
}

/*
 * Says what the declarations make of @pdev: a warning for a port that one
 * names (the first entry that does counts), an error for a later entry
 * that declares otherwise, and for a device that is not a port.  Return:
 * whether an entry names @pdev.
 */
static bool pci_isolation_override_report(struct pci_dev *pdev)
{
	const struct pci_isolation_override *first = NULL, *o;
	bool acs = pci_isolation_acs_capable(pdev);
	unsigned int i;

	for (i = 0; i < pci_isolation_nr_overrides; i++) {
		o = &pci_isolation_overrides[i];
		if (!pci_isolation_override_matches(o, pdev))
			continue;
		if (!pci_isolation_is_port(pdev)) {
			pci_err(pdev, "isolation: isolation_override \"%s\": not a root port or switch downstream port: ignored\n",
				o->entry);
		} else if (!first) {
			first = o;
			if (o->declared == PCI_ISOLATION_ISOLATING)
				pci_warn(pdev, "isolation: declared isolating by administrator override (\"%s\"): %s\n",
					 o->entry, acs ? "as its ACS can make it" :
					 "its ACS cannot: isolation assumed, not proven");
			else
				pci_warn(pdev, "isolation: declared not isolating by administrator override (\"%s\"): %s\n",
					 o->entry, acs ? "its ACS is not trusted" :
					 "as its ACS cannot isolate");
		} else if (o->declared != first->declared) {
			pci_err(pdev, "isolation: isolation_override \"%s\": \"%s\" before it counts: ignored\n",
				o->entry, first->entry);
		}
	}
	return first;
}

static int pci_isolation_override_notify(struct notifier_block *nb,
					 unsigned long action, void *data)
{
	if (action == BUS_NOTIFY_ADD_DEVICE)
		pci_isolation_override_report(to_pci_dev(data));
	return NOTIFY_DONE;
}

static struct notifier_block pci_isolation_override_nb = {
	.notifier_call = pci_isolation_override_notify,
};

/*
 * Once the PCI devices present at boot are known, before any IOMMU driver
 * places them: a message for each declared port, each entry that cannot
 * be read and each entry that names no device; hot-added devices are
 * reported as they come.
 */
static int __init pci_isolation_override_check(void)
{
	struct pci_dev *pdev = NULL;
	unsigned int i;

	if (!pci_isolation_nr_overrides)
		return 0;
	for (i = 0; i < pci_isolation_nr_overrides; i++) {
		struct pci_isolation_override *o = &pci_isolation_overrides[i];
		bool named = false;
		const char *end;

		for_each_pci_dev(pdev) {
			int ret = pci_dev_str_match(pdev, o->match, &end);

			if (ret < 0 || (ret > 0 && *end)) {
				o->malformed = true;
				pci_dev_put(pdev);
				break;
			}
			named |= ret > 0;
		}
		if (o->malformed)
			pr_err("isolation_override: \"%s\": no device can be read from \"%s\": ignored\n",
			       o->entry, o->match);
		else if (!named)
			pr_err("isolation_override: \"%s\" names no PCI device present: nothing declared\n",
			       o->entry);
	}
	bus_register_notifier(&pci_bus_type, &pci_isolation_override_nb);
	for_each_pci_dev(pdev)
		pci_isolation_override_report(pdev);
	return 0;
}
fs_initcall_sync(pci_isolation_override_check);

/* The attributes of the groups of every pci_isolation_provider. */
static struct attribute *pci_isolation_attrs[] = {
	&isolation_group_attr_iommu_ids.attr,
	&isolation_group_attr_reasons.attr,
	&isolation_group_attr_overrides.attr,
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
