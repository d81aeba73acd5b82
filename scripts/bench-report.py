#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw benchmark lines of each kernel into a table and a JSON file.

Usage: bench-report.py OUTDIR KERNEL...

Reads OUTDIR/<kernel>.jsonl (written by scripts/bench.sh), prints one table
per kernel with vmsim's ratio to each kernel memory variant, and writes
OUTDIR/results.json.  Goals are reported, never asserted.
"""
import json
import os
import sys

# (workload, backend to compare with) -> the ratio vmsim aims for
GOALS = {
    ("first-touch", "shared"): 1.5,
    ("first-touch", "private"): 1.0,
}

# Traces: vmsim's refaults should be below the kernel's (ratio < 1), and
# on Zipf within 1.3x of Belady's optimum.
TRACE_GOALS = {
    ("trace-zipf", "belady"): 1.3,
}


# Swap throughput: vmsim / kernel swap >= 1.5 in both directions, and
# vmsim within 2x of the raw device (vmsim / raw >= 0.5).
SWAP_GOAL_KERNEL = 1.5
SWAP_GOAL_RAW = 0.5


def load(path):
    info, results = {}, []
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
            else:
                results.append(obj)
    return info, results


def print_swaps(swaps, raws, ratios):
    """Swap throughput, vmsim beside the kernel's swap and the raw device."""
    print(f"\n{'swap pass':<18}{'vmsim':>9}{'kernel':>9}{'raw':>9}"
          f"{'vs kernel':>12}{'vs raw':>10}{'majflt v/k':>16}  (MiB/s)")
    for w, b in sorted(swaps.items()):
        v, o = b.get("vmsim"), b.get("private")
        # The limit: large sequential I/O, but for random reads (one page
        # per fault) 4 KiB reads.
        pattern, direction = w.split("-")[1:3]
        block = "4k" if (pattern, direction) == ("rand", "read") else "1M"
        raw = raws.get(f"raw-seq-{direction}-{block}")
        cells = "".join(f"{x['rate']:>9.1f}" if x else f"{'-':>9}" for x in (v, o, raw))
        rs = ""
        for other, goal in ((o, SWAP_GOAL_KERNEL), (raw, SWAP_GOAL_RAW)):
            if v and other and other["rate"] > 0:
                ratio = v["rate"] / other["rate"]
                met = ratio >= goal
                rs += f"{ratio:>8.2f}x{' ok' if met else ' <':<3}"
                ratios.append({"workload": w, "versus": other["backend"],
                               "ratio": round(ratio, 3), "goal": goal,
                               "goal_met": met, "metric": "MiB/s"})
            else:
                rs += f"{'-':>11}"
        mf = f"{v['majflt'] if v else '-'}/{o['majflt'] if o else '-'}"
        print(f"{w:<18}{cells}{rs}{mf:>16}")
    for w, r in sorted(raws.items()):
        print(f"  {w:<22}{r['rate']:>9.1f} MiB/s (dd, O_DIRECT)")
    print(f"(working set {next(iter(next(iter(swaps.values())).values()))['pages']} pages, "
          f"4x the pool; kernel = MAP_PRIVATE anon in a memory.max cgroup swapping to an "
          f"identical disk; raw = dd O_DIRECT, 1 MiB blocks, 4 KiB for random reads; "
          f"goals: {SWAP_GOAL_KERNEL}x the kernel, within 2x of raw)")


def main():
    outdir, kernels = sys.argv[1], sys.argv[2:]
    report = {}
    ok = True
    for k in kernels:
        path = os.path.join(outdir, f"{k}.jsonl")
        if not os.path.exists(path):
            print(f"{k}: no results")
            ok = False
            continue
        info, results = load(path)
        rows, traces, swaps, raws = {}, {}, {}, {}
        for r in results:
            if r["workload"].startswith("trace-"):
                traces.setdefault(r["workload"], {})[r["backend"]] = r
            elif r["workload"].startswith("swap-"):
                swaps.setdefault(r["workload"], {})[r["backend"]] = r
            elif r["workload"].startswith("raw-"):
                raws[r["workload"]] = r
            else:
                rows.setdefault((r["workload"], r["threads"]), {})[r["backend"]] = r
        ratios = []
        print(f"\n{k}: kernel {info.get('kernel', '?')}, {info.get('cpus', '?')} CPUs, "
              f"vmsim pool {info.get('pool_mb', '?')} MiB")
        if rows:
            print(f"{'workload':<14}{'thr':>4}{'vmsim':>14}{'shared':>14}{'private':>14}"
                  f"{'vs shared':>11}{'vs private':>12}  unit")
        for (w, t), b in sorted(rows.items()):
            v = b.get("vmsim")
            cells, rs = [], []
            for other in ("shared", "private"):
                o = b.get(other)
                if v and o and o["rate"] > 0:
                    ratio = v["rate"] / o["rate"]
                    goal = GOALS.get((w, other))
                    mark = "" if goal is None else (" ok" if ratio >= goal else " <")
                    rs.append(f"{ratio:>8.2f}x{mark:<3}")
                    ratios.append({"workload": w, "threads": t, "versus": other,
                                   "ratio": round(ratio, 3), "goal": goal,
                                   "goal_met": None if goal is None else ratio >= goal})
                else:
                    rs.append(f"{'-':>11}")
            for name in ("vmsim", "shared", "private"):
                cells.append(f"{b[name]['rate']:>14.0f}" if name in b else f"{'-':>14}")
            unit = (v or next(iter(b.values())))["unit"]
            print(f"{w:<14}{t:>4}{''.join(cells)}{rs[0]}{rs[1]} {unit}")
        if rows:
            print("(ratios: vmsim rate / kernel rate; 'ok' = goal met, '<' = below the goal)")
        if traces:
            print(f"\n{'trace':<14}{'accesses':>10}{'capacity':>10}{'belady':>10}"
                  f"{'vmsim':>10}{'kernel':>10}{'vs kernel':>11}{'vs belady':>11}  (refaults)")
            for w, b in sorted(traces.items()):
                any_r = next(iter(b.values()))
                cells = "".join(f"{b[n]['refaults']:>10}" if n in b else f"{'-':>10}"
                                for n in ("belady", "vmsim", "private"))
                rs = ""
                for other, goal in (("private", 1.0), ("belady", TRACE_GOALS.get((w, "belady")))):
                    v, o = b.get("vmsim"), b.get(other)
                    if v and o and o["refaults"] > 0:
                        ratio = v["refaults"] / o["refaults"]
                        met = None if goal is None else (ratio < goal if other == "private" else ratio <= goal)
                        mark = "" if met is None else (" ok" if met else " >")
                        rs += f"{ratio:>8.2f}x{mark:<3}"
                        ratios.append({"workload": w, "versus": other, "ratio": round(ratio, 3),
                                       "goal": goal, "goal_met": met, "metric": "refaults"})
                    else:
                        rs += f"{'-':>11}"
                print(f"{w:<14}{any_r['accesses']:>10}{any_r['capacity']:>10}{cells}{rs}")
            print("(ratios: vmsim refaults / other refaults, lower is better; 'ok' = goal met,"
                  " '>' = above the goal; kernel = MAP_PRIVATE anon in a memory.max cgroup)")
        if swaps:
            print_swaps(swaps, raws, ratios)
        report[k] = {"info": info, "results": results, "ratios": ratios}
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(f"\nraw results: {os.path.join(outdir, 'results.json')}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
