#!/usr/bin/python3
"""Runs lsisol, built with AddressSanitizer and UndefinedBehaviorSanitizer,
on a generated corpus of malformed sysfs trees.

Each tree is a valid fake tree (three groups, devices with and without
drivers, every attribute) with one entry mutated: removed, emptied, filled
with random bytes, a megabyte long, made a directory, a dangling or a
looping symlink, or renamed; and a few whole-tree cases (a thousand groups,
a group of a thousand devices, names at the length limit).  On each tree
lsisol runs four ways (table, --json, a device, a device in JSON).  Every
run must end within ten seconds with status 0 or 1, without a sanitizer
report; status 1 must come with an "lsisol: " message; JSON output must
parse.  The mutations are the same on every run (a fixed seed).

Prints one "RESULT: ok|fail lsisol-fuzz.KIND" line per kind of mutation
and exits non-zero if any failed.
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SRC = os.path.join(TOP, "overlay", "tools", "isolation", "lsisol.c")


def base_tree(root):
    """The valid tree: groups 2, 7 and 10 of intel-iommu."""
    pci = os.path.join(root, "devices", "pci0000:00")
    groups = os.path.join(root, "kernel", "isolation_groups")
    bus = os.path.join(root, "bus", "pci")
    os.makedirs(os.path.join(bus, "devices"))
    os.makedirs(groups)

    def dev(name, driver=None):
        d = os.path.join(pci, name)
        os.makedirs(d)
        os.symlink("../../../devices/pci0000:00/" + name,
                   os.path.join(bus, "devices", name))
        if driver:
            os.makedirs(os.path.join(bus, "drivers", driver), exist_ok=True)
            os.symlink("../../../bus/pci/drivers/" + driver,
                       os.path.join(d, "driver"))

    def group(gid, mgr, state, devs, ids, reasons=""):
        g = os.path.join(groups, str(gid))
        os.makedirs(os.path.join(g, "devices"))
        for attr, val in (("provider", "intel-iommu\n"), ("manager", mgr + "\n"),
                          ("state", state + "\n"), ("context", "%d\n" % gid),
                          ("iommu_ids", ids), ("reasons", reasons)):
            with open(os.path.join(g, attr), "w") as f:
                f.write(val)
        for d in devs:
            os.symlink("../../../../devices/pci0000:00/" + d,
                       os.path.join(g, "devices", d))
            os.symlink("../../../kernel/isolation_groups/%d" % gid,
                       os.path.join(pci, d, "isolation_group"))

    dev("0000:00:1f.0", "serial")
    dev("0000:00:1f.2")
    dev("0000:00:03.0", "vfio-pci")
    dev("0000:00:04.0", "vfio-pci")
    dev("0000:00:05.0", "e1000e")
    group(2, "", "unmanaged", ["0000:00:1f.0", "0000:00:1f.2"],
          "0000:00:1f.0\n0000:00:1f.2\n",
          "0000:00:1f.0 function of multifunction slot 0000:00:1f without ACS\n"
          "0000:00:1f.2 function of multifunction slot 0000:00:1f without ACS\n")
    group(7, "vfio", "locked", ["0000:00:04.0"], "0000:00:04.0\n")
    group(10, "vfio", "managed", ["0000:00:03.0"], "0000:00:03.0\n")


def entries(root):
    """Every file, link and directory below root, as relative paths."""
    out = []
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            out.append(os.path.relpath(os.path.join(d, n), root))
    return sorted(out)


def remove(p):
    if os.path.islink(p) or os.path.isfile(p):
        os.unlink(p)
    elif os.path.isdir(p):
        shutil.rmtree(p)


def mutations(rng):
    """(kind, function(path)) pairs, each applied to one entry."""
    def write(p, data):
        remove(p)
        with open(p, "wb") as f:
            f.write(data)

    def garbage(p):
        write(p, bytes(rng.randrange(256) for _ in range(4096)))

    def as_dir(p):
        remove(p)
        os.makedirs(os.path.join(p, "x"))

    def dangling(p):
        remove(p)
        os.symlink("../nonexistent/../../x", p)

    def loop(p):
        remove(p)
        os.symlink(os.path.basename(p), p)

    def rename(p):
        os.rename(p, os.path.join(os.path.dirname(p),
                                  rng.choice(["-1", "abc", "99999999999999999999",
                                              "0x10", " 2", "2\n", "%s%n"])))

    return [
        ("remove", remove),
        ("empty", lambda p: write(p, b"")),
        ("garbage", garbage),
        ("huge", lambda p: write(p, b"x" * (1 << 20))),
        ("escapes", lambda p: write(p, b'"\\\x01\x7f\xff%s%n\t\n\n')),
        ("directory", as_dir),
        ("dangling", dangling),
        ("loop", loop),
        ("rename", rename),
    ]


def whole_tree_cases(root):
    """(kind, function(root)) for changes to the tree as a whole."""
    groups = os.path.join(root, "kernel", "isolation_groups")

    def many_groups(r):
        for i in range(100, 1100):
            g = os.path.join(groups, str(i))
            os.makedirs(os.path.join(g, "devices"))
            with open(os.path.join(g, "state"), "w") as f:
                f.write("unmanaged\n")

    def big_group(r):
        pci = os.path.join(r, "devices", "pci0000:00")
        for i in range(1000):
            name = "0001:%02x:%02x.%d" % (i // 256, (i // 8) % 32, i % 8)
            os.makedirs(os.path.join(pci, name))
            os.symlink("../../../../devices/pci0000:00/" + name,
                       os.path.join(groups, "2", "devices", name))

    def long_names(r):
        name = "n" * 255
        os.makedirs(os.path.join(groups, "3", "devices"))
        os.symlink("/" + "d/" * 1000, os.path.join(groups, "3", "devices", name))
        with open(os.path.join(groups, "3", "provider"), "w") as f:
            f.write("p" * 4095)

    def stray_file(r):
        with open(os.path.join(groups, "README"), "w") as f:
            f.write("not a group\n")

    return [("many-groups", many_groups), ("big-group", big_group),
            ("long-names", long_names), ("stray-file", stray_file)]


def run(lsisol, root, args):
    """None if lsisol behaved, else what went wrong."""
    try:
        p = subprocess.run([lsisol, "--sysfs", root] + args, capture_output=True,
                           timeout=10, env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1",
                                                UBSAN_OPTIONS="halt_on_error=1"))
    except subprocess.TimeoutExpired:
        return "no answer in 10 s"
    err = p.stderr.decode("utf-8", "replace")
    if "Sanitizer" in err or "runtime error:" in err:
        return "sanitizer: " + err[:600]
    if p.returncode not in (0, 1):
        return "exit status %d: %s" % (p.returncode, err[:300])
    if p.returncode == 1 and not err.startswith("lsisol: "):
        return "status 1 without a message: %r" % err[:300]
    if p.returncode == 0 and "--json" in args:
        try:
            json.loads(p.stdout)
        except ValueError as e:
            return "invalid JSON (%s): %r" % (e, p.stdout[:300])
    return None


def main():
    tmp = tempfile.mkdtemp(prefix="lsisol-fuzz-")
    try:
        lsisol = os.path.join(tmp, "lsisol")
        subprocess.run(["gcc", "-O1", "-g", "-Wall", "-Wextra", "-Werror",
                        "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                        "-fno-omit-frame-pointer", "-o", lsisol, SRC], check=True)
        rng = random.Random(2012)
        base = os.path.join(tmp, "base")
        base_tree(base)
        argsets = [[], ["--json"], ["00:1f.2"], ["--json", "0000:00:03.0"]]
        results = {}
        cases = []
        for path in entries(base):
            for kind, fn in mutations(rng):
                cases.append((kind, path, lambda r, fn=fn, path=path: fn(os.path.join(r, path))))
        for kind, fn in whole_tree_cases(base):
            cases.append((kind, "", fn))
        tree = os.path.join(tmp, "tree")
        for kind, path, fn in cases:
            res = results.setdefault(kind, [0, None])
            if res[1]:
                continue
            shutil.rmtree(tree, ignore_errors=True)
            shutil.copytree(base, tree, symlinks=True)
            try:
                fn(tree)
            except OSError:
                continue  # a mutation that does not apply to this entry
            for args in argsets:
                why = run(lsisol, tree, args)
                res[0] += 1
                if why:
                    res[1] = "%s on %s, lsisol %s: %s" % (kind, path or "the tree",
                                                          " ".join(args), why)
                    break
        failed = False
        for kind, (n, why) in results.items():
            if why:
                failed = True
                print("RESULT: fail lsisol-fuzz.%s: %s" % (kind, why))
            else:
                print("RESULT: ok lsisol-fuzz.%s (%d runs)" % (kind, n))
        print("lsisol-fuzz: %d trees, %d runs" % (
            len(cases), sum(n for n, _ in results.values())))
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
