#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw benchmark lines of each kernel into tables, a JSON file and plots.

Usage: bench-report.py OUTDIR KERNEL...

Reads OUTDIR/<kernel>.jsonl (written by scripts/bench.sh), prints tables per
kernel with vmsim's ratio to each kernel memory variant, writes
OUTDIR/results.json and, with gnuplot, OUTDIR/ratios-<kernel>.png and
OUTDIR/zipf-<kernel>.png.  Goals are reported, never asserted.
"""
import json
import os
import shutil
import subprocess
import sys

KERNEL_SIDES = ("shared", "private")
# vmsim's other replacement policies, run beside the default (faclock).
OTHER_POLICIES = ("lru2", "clock", "fifo", "random")

# A goal: (comparison, value) on vmsim's figure over the other's.
GOALS = {
    ("first-touch", "shared"): (">=", 1.5),
    ("first-touch", "private"): (">=", 1.0),
    # page_fault3's loop on a resident object: 3x a tmpfs file.
    ("remap", "tmpfs"): (">=", 3.0),
    # Traces, for the default policy: fewer refaults than the kernel on
    # every trace, and (on 6.12) Zipf at most 0.80x the kernel and within
    # 1.15x of A0, the loop at most 0.30x, hot+scan at most 0.20x; on no
    # trace more than 5% worse than lru2.
    ("trace-*", "shared"): ("<", 1.0),
    ("trace-*", "private"): ("<", 1.0),
    ("trace-zipf", "shared"): ("<=", 0.80),
    ("trace-zipf", "private"): ("<=", 0.80),
    ("trace-zipf", "a0"): ("<=", 1.15),
    ("trace-loop", "shared"): ("<=", 0.30),
    ("trace-loop", "private"): ("<=", 0.30),
    ("trace-hotscan", "shared"): ("<=", 0.20),
    ("trace-hotscan", "private"): ("<=", 0.20),
    ("trace-*", "vmsim-lru2"): ("<=", 1.05),
    # Swap: 1.5x the kernel's throughput, within 2x of the raw device.
    ("swap-*", "shared"): (">=", 1.5),
    ("swap-*", "private"): (">=", 1.5),
    ("swap-*", "dd"): (">=", 0.5),
}
# Far memory over NBD: ahead of the kernel's swap on the same kind of
# device at every latency; sequential swap-in within 2x of the raw device.
FAR_GOAL = (">", 1.0)
FAR_RAW_GOAL = (">=", 0.5)
SCALE_GOAL = (">=", 1.8)        # 2 threads over 1, on vmsim
META_GOAL = ("<=", 16.0)        # bytes of metadata per pool page
OPS = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, "<": lambda a, b: a < b,
       ">": lambda a, b: a > b}


def goal_for(workload, versus):
    """The goal of vmsim's ratio to @versus on @workload, or None."""
    return GOALS.get((workload, versus)) or GOALS.get((workload.split("-")[0] + "-*", versus))


def judge(value, goal):
    """None (no goal), True or False."""
    return None if goal is None else OPS[goal[0]](value, goal[1])


def mark(met):
    return "" if met is None else (" ok" if met else " !")


def load(path):
    info, results, series = {}, [], []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                print(f"{path}:{n}: unreadable line skipped: {line.strip()[:60]}",
                      file=sys.stderr)
                continue
            if "kernel" in obj:
                info = obj
            elif "series" in obj:
                series.append(obj)
            else:
                results.append(obj)
    return info, results, series


class Report:
    """One kernel's results, and vmsim's ratios to the others as they are printed."""

    def __init__(self, info, results, series):
        self.info, self.results, self.series = info, results, series
        self.ratios = []

    def find(self, prefix, label=None):
        """{workload: {backend: result}} for the workloads starting with @prefix,
        and with label @label (None: without one, as on the local disk)."""
        found = {}
        for r in self.results:
            if r["workload"].startswith(prefix) and "backend" in r and \
               r.get("label") == label:
                found.setdefault(r["workload"], {})[r["backend"]] = r
        return found

    def labels(self, prefix):
        """The labels of the @prefix workloads, in the order they ran."""
        seen = []
        for r in self.results:
            if r["workload"].startswith(prefix) and r.get("label") not in seen + [None]:
                seen.append(r["label"])
        return seen

    def compare(self, v, o, key, workload, **what):
        """vmsim's @key over another result's: a table cell, and a record."""
        if not v or not o or not o.get(key) or v.get(key) is None:
            return f"{'-':>11}"
        ratio = v[key] / o[key]
        goal = what.pop("goal", goal_for(workload, o["backend"]))
        met = judge(ratio, goal)
        self.ratios.append(dict(workload=workload, **what, versus=o["backend"],
                                metric=key, ratio=round(ratio, 3),
                                goal=None if goal is None else f"{goal[0]} {goal[1]}",
                                goal_met=met))
        return f"{ratio:>8.2f}x{mark(met):<3}"

    # ---- first-touch and re-touch, by one thread ---------------------------
    def print_speed(self):
        rows = {}
        for r in self.results:
            if r["workload"] in ("first-touch", "retouch") and \
               r.get("threads", 1) == 1 and r.get("procs", 1) == 1:
                w = r["workload"]
                if r.get("settle_ms") == 0:
                    w += ", no settle"
                rows.setdefault(w, {})[r["backend"]] = r
        if not rows:
            return
        # The no-settle row has vmsim alone: beside the same kernel figures.
        for w, b in rows.items():
            if w.endswith(", no settle"):
                for n in KERNEL_SIDES:
                    if n in rows.get(w.split(",")[0], {}):
                        b.setdefault(n, rows[w.split(",")[0]][n])
        print(f"\n{'workload':<24}{'vmsim':>12}{'shared':>12}{'private':>12}"
              f"{'vs shared':>11}{'vs private':>11}{'majflt v/s/p':>15}  (pages/s)")
        for w, b in sorted(rows.items()):
            cells = "".join(f"{b[n]['rate']:>12,.0f}" if n in b else f"{'-':>12}"
                            for n in ("vmsim",) + KERNEL_SIDES)
            rs = "".join(self.compare(b.get("vmsim"), b.get(o), "rate", w.split(",")[0],
                                      threads=1, procs=1,
                                      settle="none" if "settle" in w else "until zeroed")
                         for o in KERNEL_SIDES)
            mf = "/".join(str(b[n].get("majflt", "-")) if n in b else "-"
                          for n in ("vmsim",) + KERNEL_SIDES)
            print(f"{w:<24}{cells}{rs}{mf:>15}")
        print("(256 MiB, median of 5; ratios: vmsim rate / kernel rate; 'ok' = goal met,"
              " '!' = goal not met; no settle: vmsim's zeroing worker given no idle time"
              " before each pass)")

    # ---- page_fault3's loop: map, write every page, unmap ------------------
    def print_remap(self):
        rows = {}
        for r in self.results:
            if r["workload"] == "remap":
                name = r["backend"]
                if name == "vmsim" and r.get("write_notify") == "N":
                    name = "vmsim-pte"
                rows.setdefault(r.get("procs", 1), {})[name] = r
        if not rows:
            return
        names = ("vmsim", "vmsim-pte", "tmpfs", "private")
        print(f"\n{'remap':<14}" + "".join(f"{n:>12}" for n in names)
              + f"{'vs tmpfs':>11}{'pte/tmpfs':>11}{'pte/priv':>11}  (pages/s)")
        for procs, b in sorted(rows.items()):
            cells = "".join(f"{b[n]['rate']:>12,.0f}" if n in b else f"{'-':>12}" for n in names)
            rs = self.compare(b.get("vmsim"), b.get("tmpfs"), "rate", "remap", procs=procs)
            pte = b.get("vmsim-pte")
            rs += "".join(self.compare(pte, b.get(o), "rate", "remap", procs=procs,
                                       write_notify="N") for o in ("tmpfs", "private"))
            print(f"{procs} proc{'s' if procs > 1 else ' ':<9}{cells}{rs}")
        print("(will-it-scale's page_fault3: each process maps its own resident 128 MiB object,"
              " writes every page, unmaps, 10 passes; vmsim-pte = vmsim with write_notify=N;"
              " private = fresh anonymous memory each pass, page_fault1's loop)")

    # ---- the CPU the guest got ----------------------------------------------
    def cpu(self):
        """{group: arithmetic on 2 threads over 1} from the spin runs of each group."""
        spins = {}
        for r in self.results:
            if r["workload"] == "spin" and r.get("procs", 1) == 1:
                spins.setdefault(r.get("label", "?"), {})[r["threads"]] = r["rate"]
        return {g: round(s[2] / s[1], 2) for g, s in spins.items() if s.get(1) and s.get(2)}

    def print_cpu(self, cpu):
        if cpu:
            print("CPU the guest got from the shared host (arithmetic on 2 threads / 1 thread, "
                  "2.0 = both vCPUs ran): " + ", ".join(f"{g} {x:.2f}x" for g, x in cpu.items()))

    # ---- first-touch by several threads and processes ----------------------
    def scaling(self, r, one, config, goal=None):
        """A rate and, but for one thread, its scaling over @one's (recorded)."""
        if not r:
            return f"{'-':>19}"
        if config == (1, 1) or not one or not one["rate"]:
            return f"{r['rate']:>11,.0f}{'':>8}"
        ratio = r["rate"] / one["rate"]
        met = judge(ratio, goal)
        self.ratios.append(dict(workload=r["workload"], procs=config[0], threads=config[1],
                                backend=r["backend"], versus="one thread", metric="scaling",
                                ratio=round(ratio, 3),
                                goal=None if goal is None else f"{goal[0]} {goal[1]}",
                                goal_met=met))
        return f"{r['rate']:>11,.0f}{ratio:>6.2f}x{mark(met):<2}"

    def print_scale(self):
        configs, spins = {}, {}
        for r in self.results:
            if r["workload"] == "first-touch":
                configs.setdefault((r.get("procs", 1), r.get("threads", 1)), {})[r["backend"]] = r
            elif r["workload"] == "spin" and r.get("label") == "scale":
                spins[(r.get("procs", 1), r["threads"])] = r
        if len(configs) < 2 or (1, 1) not in configs:
            return
        names = ("vmsim",) + KERNEL_SIDES
        print(f"\n{'first-touch':<12}{'cpu':>8}" + "".join(f"{n:>11}{'':>8}" for n in names)
              + f"{'vs shared':>11}{'vs private':>11}  (pages/s, x one thread)")
        for config, b in sorted(configs.items(), key=lambda c: (c[0][0] > 1, c[0])):
            procs, threads = config
            label = f"{procs} procs" if procs > 1 else \
                f"{threads} thread{'s' if threads > 1 else ''}"
            spin, spin1 = spins.get(config), spins.get((1, 1))
            cpu = f"{spin['rate'] / spin1['rate']:>7.2f}x" if spin and spin1 else f"{'-':>8}"
            goal = SCALE_GOAL if config == (1, 2) else None
            cells = "".join(self.scaling(b.get(n), configs[(1, 1)].get(n), config,
                                         goal if n == "vmsim" else None) for n in names)
            if config == (1, 1):
                rs = f"{'(above)':>11}{'(above)':>11}"
            else:
                rs = "".join(self.compare(b.get("vmsim"), b.get(o), "rate", "first-touch",
                                          threads=threads, procs=procs, goal=None)
                             for o in KERNEL_SIDES)
            print(f"{label:<12}{cpu}{cells}{rs}")
        print(f"(256 MiB in N slices, one per thread or process, median of 5; cpu = arithmetic "
              f"alone on as many threads, x one thread: the CPU the {self.info.get('cpus', '?')}"
              f"-CPU guest got from the shared host; goal: vmsim 2 threads >= "
              f"{SCALE_GOAL[1]}x one thread)")
        for config, r in sorted(spins.items()):
            self.scaling(r, spins.get((1, 1)), config)

    # ---- traces: refaults, speed and major faults ---------------------------
    def print_traces(self):
        traces = self.find("trace-")
        if not traces:
            return
        policies = tuple(f"vmsim-{q}" for q in OTHER_POLICIES)
        names = ("belady", "a0", "vmsim") + policies + KERNEL_SIDES
        short = {"vmsim": "faclock", **{f"vmsim-{q}": q for q in OTHER_POLICIES}}
        print(f"\n{'trace':<14}{'accesses':>9}{'cap':>6}"
              + "".join(f"{short.get(n, n):>9}" for n in names) + "  (refaults)")
        for w, b in sorted(traces.items()):
            any_r = next(iter(b.values()))
            cells = "".join(f"{b[n]['refaults']:>9}" if n in b else f"{'-':>9}" for n in names)
            print(f"{w:<14}{any_r['accesses']:>9}{any_r['capacity']:>6}{cells}")
        print("(vmsim's policies: faclock is the default; kernel = anon memory in a"
              " memory.max cgroup swapping to an identical disk)")
        versus = KERNEL_SIDES + ("belady", "a0", "vmsim-lru2")
        print(f"\n{'default policy':<14}" + "".join(f"{'vs ' + short.get(o, o):>12}" for o in versus)
              + "  (faclock refaults / other refaults, lower is better)")
        for w, b in sorted(traces.items()):
            rs = "".join(f"{self.compare(b.get('vmsim'), b.get(o), 'refaults', w):>12}"
                         for o in versus)
            print(f"{w:<14}{rs}")
        print(f"\n{'trace':<14}" + "".join(f"{short.get(n, n):>10}" for n in names[2:])
              + f"  (accesses/s, seed {any_r.get('seed', '?')})")
        for w, b in sorted(traces.items()):
            cells = "".join(f"{b[n]['rate']:>10,.0f}" if n in b else f"{'-':>10}"
                            for n in names[2:])
            print(f"{w:<14}{cells}")

    def trace_refaults(self):
        """(trace, {backend: refaults}) for the policies plot."""
        return {w: {n: r["refaults"] for n, r in b.items()}
                for w, b in self.find("trace-").items()}

    # ---- swap throughput ----------------------------------------------------
    def print_swaps(self):
        swaps, raws = self.find("swap-"), self.find("raw-")
        if not swaps:
            return
        names = ("vmsim",) + KERNEL_SIDES
        print(f"\n{'swap pass':<16}" + "".join(f"{n:>9}" for n in names + ("raw",))
              + f"{'vs shared':>11}{'vs private':>11}{'vs raw':>11}{'majflt v/s/p':>20}"
              f"{'refaults v/s/p':>22}{'swap out:in (kpages) v/s/p':>34}  (MiB/s)")
        for w, b in sorted(swaps.items()):
            # The limit: large sequential I/O, but for random reads (one page
            # per fault) 4 KiB reads.
            pattern, direction = w.split("-")[1:3]
            block = "4k" if (pattern, direction) == ("rand", "read") else "1M"
            raw = raws.get(f"raw-seq-{direction}-{block}", {}).get("dd")
            cells = "".join(f"{x['rate']:>9.1f}" if x else f"{'-':>9}"
                            for x in [b.get(n) for n in names] + [raw])
            rs = "".join(self.compare(b.get("vmsim"), o, "rate", w)
                         for o in [b.get(n) for n in KERNEL_SIDES] + [raw])
            mf, rf = ("/".join(str(b[n].get(k, "-")) if n in b else "-" for n in names)
                      for k in ("majflt", "refaults"))
            io = "/".join(f"{b[n]['pswpout'] / 1000:.0f}:{b[n]['pswpin'] / 1000:.0f}"
                          if n in b and "pswpout" in b[n] else "-" for n in names)
            print(f"{w:<16}{cells}{rs}{mf:>20}{rf:>22}{io:>34}")
        for w, r in sorted(raws.items()):
            print(f"  {w:<22}{r['dd']['rate']:>9.1f} MiB/s (dd, O_DIRECT)")
        pages = next(iter(next(iter(swaps.values())).values()))["pages"]
        print(f"(working set {pages} pages, 4x the pool; kernel = anon memory in a memory.max "
              f"cgroup swapping to an identical disk; raw = dd O_DIRECT, 1 MiB blocks, 4 KiB for "
              f"random reads; swap out:in = pages written to and read from swap in the pass, "
              f"in thousands; goals: 1.5x the kernel, within 2x of raw)")

    # ---- far memory: swap over NBD, with added latency ---------------------
    def print_far(self):
        labels = self.labels("swap-")
        if not labels:
            return
        print(f"\n{'far memory (NBD)':<26}{'vmsim':>9}{'kernel':>9}{'raw':>9}"
              f"{'vs kernel':>11}{'vs raw':>11}{'majflt v/k':>16}  (MiB/s)")
        for label in labels:
            swaps, raws = self.find("swap-", label), self.find("raw-", label)
            for w, b in sorted(swaps.items()):
                pattern, direction = w.split("-")[1:3]
                block = "4k" if (pattern, direction) == ("rand", "read") else "1M"
                raw = raws.get(f"raw-seq-{direction}-{block}", {}).get("dd")
                v, k = b.get("vmsim"), b.get("private")
                cells = "".join(f"{x['rate']:>9.1f}" if x else f"{'-':>9}" for x in (v, k, raw))
                lat = label.split("-", 1)[1]
                rs = self.compare(v, k, "rate", w, latency=lat, goal=FAR_GOAL) + \
                    (self.compare(v, raw, "rate", w, latency=lat, goal=FAR_RAW_GOAL)
                     if w == "swap-seq-read" and lat == "0" else f"{'':>11}")
                mf = "/".join(str(x.get("majflt", "-")) if x else "-" for x in (v, k))
                print(f"{label + ' ' + w[5:]:<26}{cells}{rs}{mf:>16}")
        print("(the far machine is an nbdkit memory server in the guest, over TCP on lo, with "
              "the latency added per round trip by netem; kernel = anon memory in a memory.max "
              "cgroup swapping to a second, identical NBD device; raw = dd O_DIRECT on it; "
              "goals: vmsim ahead of the kernel at every latency, sequential swap-in within 2x "
              "of raw at latency 0)")

    # ---- metadata ------------------------------------------------------------
    def metadata(self):
        """vmsim's metadata per page, measured from the meminfo snapshots."""
        snaps = {(r["label"], r["mb"]): r for r in self.results if r["workload"] == "meminfo"}

        def cost_kb(mb):        # free memory a pool of @mb took beyond its frames
            return snaps[("load-before", mb)]["free_kb"] - snaps[("load-after", mb)]["free_kb"] \
                - mb * 1024

        meta = {}
        try:
            small, large = 128, 512
            frames = (large - small) * 256
            meta["load_bytes_per_frame"] = (cost_kb(large) - cost_kb(small)) * 1024 / frames
            meta["load_fixed_kb"] = cost_kb(small) - meta["load_bytes_per_frame"] * small * 256 / 1024
            meta["load_bytes_per_frame_all_in"] = cost_kb(large) * 1024 / (large * 256)
            before = next(s for (label, _), s in snaps.items() if label == "populate-before")
            after = next(s for (label, _), s in snaps.items() if label == "populate-after")
            pages = after["pages"]

            def per_page(key):
                return (after[key] - before[key]) * 1024 / pages
            meta["populated_pages"] = pages
            meta["populate_bytes_per_page"] = -per_page("free_kb")
            meta["kernel_page_tables_bytes_per_page"] = per_page("PageTables")
            meta["shadow_bytes_per_page"] = meta["populate_bytes_per_page"] - \
                meta["kernel_page_tables_bytes_per_page"]
            meta["shadow_bytes_per_page_vmsim_says"] = per_page("vmsim_PageTables")
            # The goal is judged on the whole cost of loading, fixed costs
            # (module, threads, workqueues) spread over the 512 MiB pool.
            meta["bytes_per_pool_page"] = meta["load_bytes_per_frame_all_in"] + \
                meta["shadow_bytes_per_page"]
            meta["goal"] = f"{META_GOAL[0]} {META_GOAL[1]}"
            meta["goal_met"] = judge(meta["bytes_per_pool_page"], META_GOAL)
            on, off = snaps[("swapon-after", large)], snaps[("swapon-before", large)]
            slots = (on["vmsim_SwapTotal"] - off["vmsim_SwapTotal"]) / 4
            meta["swap_slots"] = slots
            meta["swap_bytes_per_slot"] = (off["free_kb"] - on["free_kb"]) * 1024 / slots
        except (KeyError, StopIteration, ZeroDivisionError):
            pass
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in meta.items()}

    def print_metadata(self, meta):
        if "bytes_per_pool_page" not in meta:
            return
        rows = (
            ("pool load, per frame (128 -> 512 MiB pool)", "load_bytes_per_frame", "0 (struct page)"),
            ("pool load, all in, 512 MiB pool", "load_bytes_per_frame_all_in", ""),
            ("populated page: all kernel memory", "populate_bytes_per_page", ""),
            ("  of which the kernel's own page tables", "kernel_page_tables_bytes_per_page", "8.016"),
            ("  of which vmsim's shadow tables", "shadow_bytes_per_page", "8.016"),
            ("  (vmsim's PageTables says)", "shadow_bytes_per_page_vmsim_says", ""),
            ("vmsim metadata per pool page (all in + shadow)", "bytes_per_pool_page", "8.016"),
            ("swap slot (not a pool page)", "swap_bytes_per_slot", "4.125"),
        )
        print(f"\n{'vmsim metadata':<48}{'measured':>10}{'by design':>17}  (bytes)")
        for label, key, design in rows:
            if key in meta:
                goal = mark(meta["goal_met"]) if key == "bytes_per_pool_page" else ""
                print(f"{label:<48}{meta[key]:>10.2f}{design:>17}{goal}")
        print(f"(free memory incl. per-CPU lists, after drop_caches and stat_refresh; fixed cost of "
              f"loading: {meta['load_fixed_kb']:.0f} kB; {meta['populated_pages']} pages "
              f"populated; goal: <= {META_GOAL[1]:.0f} bytes per pool page beyond struct page)")


# ---- plots ---------------------------------------------------------------------
def gnuplot_terminal():
    """The PNG terminal this gnuplot has, or None (with a message) without gnuplot."""
    if not shutil.which("gnuplot"):
        print("gnuplot not found (apt-get install gnuplot-nox): no PNG plots", file=sys.stderr)
        return None
    for term in ("pngcairo", "png"):
        if subprocess.run(["gnuplot", "-e", f"set terminal {term}"],
                          capture_output=True).returncode == 0:
            return term
    print("gnuplot has no PNG terminal: no PNG plots", file=sys.stderr)
    return None


def gnuplot(term, png, script):
    head = f"set terminal {term} size 1100,650 noenhanced\nset output '{png}'\n"
    run = subprocess.run(["gnuplot"], input=head + script, text=True, capture_output=True)
    if run.returncode != 0:
        print(f"gnuplot failed on {png}: {run.stderr.strip()[:300]}", file=sys.stderr)
        return False
    print(f"plot: {png}")
    return True


def datablock(name, rows):
    return f"${name} << EOD\n" + "".join(" ".join(str(x) for x in r) + "\n" for r in rows) + "EOD\n"


def ratio_label(r):
    """A workload's name on the plot, with its threads or processes."""
    if r.get("procs", 1) > 1:
        return f"{r['workload']} {r['procs']}p"
    if r.get("threads", 1) > 1:
        return f"{r['workload']} {r['threads']}t"
    return r["workload"]


def ratio_panel(title, chosen):
    """One panel of plot_ratios(): bars at x = 3 * workload + kernel variant."""
    labels = list(dict.fromkeys(ratio_label(r) for r in chosen))
    x = {id(r): labels.index(ratio_label(r)) * 3 + KERNEL_SIDES.index(r["versus"]) for r in chosen}
    goals = [(x[id(r)] - 0.45, float(r["goal"].split()[1]), 0.9, 0) for r in chosen if r["goal"]]
    values = [r["ratio"] for r in chosen if r["ratio"] > 0] + [g[1] for g in goals] + [1]
    script = "".join(datablock(side, [(x[id(r)], r["ratio"]) for r in chosen
                                      if r["versus"] == side] or [(0, "NaN")])
                     for side in KERNEL_SIDES)
    script += datablock("goals", goals or [(0, "NaN", 0, 0)])
    tics = ", ".join(f'"{label}" {i * 3 + 0.5}' for i, label in enumerate(labels))
    return script + (
        f"set title '{title}'\nset xtics ({tics})\n"
        f"set xrange [-1:{len(labels) * 3 - 1}]\n"
        f"set yrange [{min(values) / 1.5}:{max(values) * 1.5}]\n"
        "plot $shared using 1:2 with boxes lc rgb '#4477aa' title 'vs shared', "
        "$private using 1:2 with boxes lc rgb '#ee7733' title 'vs private', "
        "$goals using 1:2:3:4 with vectors nohead lw 3 lc rgb '#cc0000' title 'goal', "
        "1 with lines dt 2 lc rgb 'black' notitle\n")


def plot_ratios(term, png, kernel, ratios):
    """vmsim / kernel per workload, a bar per kernel variant, a segment at each goal."""
    panels = []
    for metric, title in (("rate", "throughput: vmsim / kernel, higher is better"),
                          ("refaults", "refaults: vmsim / kernel, lower is better")):
        chosen = [r for r in ratios if r["metric"] == metric and r["versus"] in KERNEL_SIDES]
        if chosen:
            panels.append(ratio_panel(f"{kernel}: {title}", chosen))
    if not panels:
        return False
    script = (f"set multiplot layout 1,{len(panels)}\nset logscale y\nset style fill solid 0.8\n"
              "set boxwidth 0.9\nset grid y\nset key tmargin center horizontal\n"
              "set xtics rotate by -40\n"
              "set ytics (0.02, 0.05, 0.1, 0.2, 0.5, 1, 1.5, 2, 3, 5, 10, 20)\n")
    return gnuplot(term, png, script + "".join(panels) + "unset multiplot\n")


def plot_series(term, png, kernel, series):
    """Free frames and the LRU lists of vmsim's pool during the Zipf run."""
    if not series:
        return False
    fields = ["MemFree", "Active", "Inactive"]
    # vmsim's pages are all anonymous: the (anon) lines repeat the others.
    if any(s.get("Active(anon)") != s.get("Active") for s in series):
        fields += ["Active(anon)", "Inactive(anon)"]
    rows = [(s["t"],) + tuple(s.get(f, 0) / 1024 for f in fields) for s in series]
    script = datablock("s", rows)
    script += (f"set title '{kernel}: vmsim pool during the Zipf 0.99 trace "
               f"(sampled every {series[0].get('interval_ms', '?')} ms from /proc/vmsim_meminfo)'\n"
               "set xlabel 'seconds'\nset ylabel 'MiB'\nset grid\nset key outside right\n"
               "set yrange [0:*]\nplot " +
               ", ".join(f"$s using 1:{i + 2} with lines lw 2 title '{f}'"
                         for i, f in enumerate(fields)) + "\n")
    return gnuplot(term, png, script)


def plot_policies(term, png, kernel, refaults):
    """Refaults per policy per trace, beside the kernel's and the floors."""
    if not refaults:
        return False
    cols = ["belady", "a0", "vmsim"] + [f"vmsim-{q}" for q in OTHER_POLICIES] + list(KERNEL_SIDES)
    title = {"vmsim": "faclock (default)", **{f"vmsim-{q}": q for q in OTHER_POLICIES}}
    # One colour each (gnuplot's own cycle has eight): floors grey, the
    # default blue, the kernel's sides dark.
    colour = {"belady": "#bbbbbb", "a0": "#888888", "vmsim": "#0077bb", "vmsim-lru2": "#ee7733",
              "vmsim-clock": "#ddcc44", "vmsim-fifo": "#33bbee", "vmsim-random": "#cc3311",
              "shared": "#222222", "private": "#aa3377"}
    traces = sorted(refaults)
    rows = [[w.replace("trace-", "")] + [refaults[w].get(c, "NaN") for c in cols] for w in traces]
    script = datablock("r", rows)
    script += (f"set title '{kernel}: refaults per replacement policy and trace (lower is better)'\n"
               "set style data histograms\nset style histogram clustered gap 1\n"
               "set style fill solid 0.85 border -1\nset logscale y\nset grid y\n"
               "set key outside right\nset ylabel 'refaults'\nset yrange [1:*]\n"
               "plot " + ", ".join(f"$r using {i + 2}:xtic(1) lc rgb '{colour[c]}' "
                                   f"title '{title.get(c, c)}'"
                                   for i, c in enumerate(cols)) + "\n")
    return gnuplot(term, png, script)


HOG_GOAL = ("<=", 1.25)


def throughput_key(r):
    """What identifies a throughput result across two runs, or None."""
    if r.get("unit") not in ("pages/s", "MiB/s", "accesses/s") or "backend" not in r:
        return None
    if r["workload"] in ("spin",) or r["workload"].startswith("raw-"):
        return None
    name = r["workload"] + (f" {r['label']}" if r.get("label") else "")
    if r.get("settle_ms") == 0:
        name += ", no settle"
    backend = r["backend"]
    if backend == "vmsim" and r.get("write_notify") == "N":
        backend = "vmsim-pte"
    if backend == "vmsim" and r.get("policy") not in (None, "faclock"):
        return None
    return (name, r.get("procs", 1), r.get("threads", 1)), backend


def print_hog(kernel, quiet, hog, ratios):
    """How far each side's figures fell under a host CPU hog, and vmsim's fall
    over the kernel's (goal: at most 1.25x)."""
    def rates(results):
        out = {}
        for r in results:
            k = throughput_key(r)
            if k and r.get("rate"):
                out.setdefault(k[0], {})[k[1]] = r["rate"]
        return out
    q, h = rates(quiet), rates(hog)
    rows = sorted(set(q) & set(h))
    if not rows:
        return
    print(f"\n{kernel}: under a host CPU hog (a busy loop on host CPU 0 during the whole run);"
          " fall = quiet rate / hog rate, higher is a deeper fall")
    print(f"{'workload':<30}{'vmsim':>9}{'pte':>7}{'shared':>9}{'private':>9}{'tmpfs':>8}"
          f"{'vmsim/kernel':>15}")
    for key in rows:
        falls = {b: q[key][b] / h[key][b] for b in q[key] if b in h[key] and h[key][b]}
        base = (key[0].split(",")[0],) + key[1:]   # no settle: vmsim alone
        for b in ("shared", "private"):
            if b not in falls and base in q and base in h and b in q[base] and b in h[base]:
                falls[b] = q[base][b] / h[base][b]
        kern = [falls[b] for b in ("shared", "private", "tmpfs") if b in falls]
        cells = "".join(f"{falls[b]:>{w}.2f}x" if b in falls else f"{'-':>{w + 1}}"
                        for b, w in (("vmsim", 8), ("vmsim-pte", 6), ("shared", 8),
                                     ("private", 8), ("tmpfs", 7)))
        rel = ""
        if "vmsim" in falls and kern:
            ratio = falls["vmsim"] / min(kern)
            met = judge(ratio, HOG_GOAL)
            ratios.append(dict(workload=key[0], procs=key[1], threads=key[2],
                               versus="kernel's fall under a host hog", metric="fall",
                               ratio=round(ratio, 3), goal=f"{HOG_GOAL[0]} {HOG_GOAL[1]}",
                               goal_met=met))
            rel = f"{ratio:>11.2f}x{mark(met):<3}"
        name = key[0] + (f", {key[1]} procs" if key[1] > 1 else "") + \
            (f", {key[2]} threads" if key[2] > 1 else "")
        print(f"{name:<30}{cells}{rel}")
    print("(vmsim/kernel: vmsim's fall over the smallest of the kernel's; goal at most 1.25x)")


def main():
    outdir, kernels = sys.argv[1], sys.argv[2:]
    report = {}
    ok = True
    term = gnuplot_terminal()
    for k in kernels:
        path = os.path.join(outdir, f"{k}.jsonl")
        if not os.path.exists(path):
            print(f"{k}: no results")
            ok = False
            continue
        rep = Report(*load(path))
        info = rep.info
        print(f"\n{k}: kernel {info.get('kernel', '?')}, {info.get('cpus', '?')} CPUs, "
              f"vmsim pool {info.get('pool_mb', '?')} MiB, seed {info.get('seed', '?')}")
        cpu = rep.cpu()
        rep.print_cpu(cpu)
        rep.print_speed()
        rep.print_remap()
        rep.print_scale()
        rep.print_traces()
        rep.print_swaps()
        rep.print_far()
        meta = rep.metadata()
        rep.print_metadata(meta)
        plots = []
        if term:
            for name, fn, data in (("ratios", plot_ratios, rep.ratios),
                                   ("zipf", plot_series, rep.series),
                                   ("policies", plot_policies, rep.trace_refaults())):
                png = os.path.join(outdir, f"{name}-{k}.png")
                if fn(term, png, k, data):
                    plots.append(png)
        if k.endswith("+hog") and k[:-4] in report:
            print_hog(k[:-4], report[k[:-4]]["results"], rep.results, rep.ratios)
        report[k] = {"info": info, "results": rep.results, "ratios": rep.ratios,
                     "metadata": meta, "cpu": cpu, "zipf_series": rep.series, "plots": plots}
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(f"\nraw results: {os.path.join(outdir, 'results.json')}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
