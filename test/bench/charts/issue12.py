"""Charts of the issue-12 benchmarks (not needed by CI; python3 + matplotlib).

  python3 test/bench/charts/issue12.py converge tmp/converge-1000.json [tmp/converge-5000.json ...] test/bench/convergence.png
  python3 test/bench/charts/issue12.py admission tmp/admission-ratio.json test/bench/admission-ratio.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def converge(inputs, out):
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for path in inputs:
        d = json.load(open(path))
        ms = sorted(t["ms"] for t in d["times"])
        n = len(ms)
        ax.plot([m / 1000 for m in ms], [100 * (i + 1) / n for i in range(n)], label=f"{d['objects']} objects (wall {d['wallMs'] / 1000:.0f} s)")
    ax.set_xlabel("create → converged (s)")
    ax.set_ylabel("objects converged (%)")
    ax.set_title("Convergence through the whole local stack (all six kinds)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def admission(path, out):
    rows = json.load(open(path))
    conns = [r["connections"] for r in rows]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    w = 0.35
    xs = range(len(conns))
    a1.bar([x - w / 2 for x in xs], [r["admission"]["p99"] for r in rows], w, label="admission p99")
    a1.bar([x + w / 2 for x in xs], [r["bare"]["p99"] for r in rows], w, label="bare Hono p99")
    a1.set_xticks(list(xs), [str(c) for c in conns])
    a1.set_xlabel("connections")
    a1.set_ylabel("ms")
    a1.legend()
    a2.bar([x - w / 2 for x in xs], [r["admission"]["rps"] for r in rows], w, label="admission")
    a2.bar([x + w / 2 for x in xs], [r["bare"]["rps"] for r in rows], w, label="bare Hono")
    a2.set_xticks(list(xs), [str(c) for c in conns])
    a2.set_xlabel("connections")
    a2.set_ylabel("req/s")
    a2.legend()
    fig.suptitle("Admission webhook vs a bare Hono app (autocannon, same run)")
    fig.tight_layout()
    fig.savefig(out, dpi=120)


if __name__ == "__main__":
    if sys.argv[1] == "converge":
        converge(sys.argv[2:-1], sys.argv[-1])
    else:
        admission(sys.argv[2], sys.argv[3])
