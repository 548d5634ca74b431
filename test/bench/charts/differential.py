"""Chart of one differential run (npm run test:differential -- --json FILE): per-operation settle
latency and API requests, Go apinetlet v0.3.0 against this project, grouped by operation type.

    python3 test/bench/charts/differential.py FILE test/bench/differential.png
"""
import json
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

data = json.load(open(sys.argv[1]))
out = sys.argv[2]
by_op = defaultdict(lambda: {"go_s": [], "ts_s": [], "go_r": [], "ts_r": []})
for r in data["results"]:
    s = r["step"]
    op = s["op"].split(" ")[0]
    by_op[op]["go_s"].append(s["settle"]["go"])
    by_op[op]["ts_s"].append(s["settle"]["ts"])
    by_op[op]["go_r"].append(s["requests"]["go"])
    by_op[op]["ts_r"].append(s["requests"]["ts"])
ops = sorted(by_op, key=lambda o: -len(by_op[o]["go_s"]))
mean = lambda xs: sum(xs) / len(xs) if xs else 0  # noqa: E731

fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(11, 7), sharex=True)
x = range(len(ops))
w = 0.4
ax1.bar([i - w / 2 for i in x], [mean(by_op[o]["go_s"]) for o in ops], w, label="Go apinetlet v0.3.0")
ax1.bar([i + w / 2 for i in x], [mean(by_op[o]["ts_s"]) for o in ops], w, label="this project (local stack)")
ax1.set_ylabel("mean settle time (s)")
ax1.legend()
ax1.set_title(f"Differential run: seed {data['seed']}, {len(data['results'])} steps")
ax2.bar([i - w / 2 for i in x], [mean(by_op[o]["go_r"]) for o in ops], w)
ax2.bar([i + w / 2 for i in x], [mean(by_op[o]["ts_r"]) for o in ops], w)
ax2.set_ylabel("API requests per operation")
ax2.set_xticks(list(x))
ax2.set_xticklabels([f"{o}\n(n={len(by_op[o]['go_s'])})" for o in ops], rotation=45, ha="right", fontsize=8)
fig.tight_layout()
fig.savefig(out, dpi=110)
print(f"wrote {out}")
