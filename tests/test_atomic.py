"""An interrupted write never leaves a half-written results folder: killed mid-write, the folder
holds either the complete previous results or the complete new ones."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import numpy as np, pandas as pd
    import recovery
    from recovery.results import Results
    res = recovery.run_case(sys.argv[2])
    big = pd.DataFrame({"x": np.arange(300_000), "y": np.random.default_rng(0).random(300_000)})
    i = 0
    while True:
        i += 1
        tables = dict(res.tables, big=big.assign(iteration=i))
        Results(summary=dict(res.summary, iteration=i), tables=tables).to_dir(Path(sys.argv[1]))
        print(i, flush=True)
    """
)


def _complete(folder: Path) -> int:
    summary = json.loads((folder / "summary.json").read_text())
    i = summary["iteration"]
    big = pd.read_csv(folder / "big.csv")
    assert len(big) == 300_000 and (big["iteration"] == i).all()
    for name in ("magnet_balance", "element_balance", "costs", "capacity"):
        assert (folder / f"{name}.csv").stat().st_size > 0
    return i


def test_killed_writer_leaves_complete_results(tmp_path):
    out = tmp_path / "results"
    toy = Path(__file__).resolve().parent.parent / "models" / "toy"
    seen = []
    for delay in (1.5, 2.3, 3.1):
        p = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(out), str(toy)], stdout=subprocess.PIPE, text=True
        )
        # wait until at least one full write happened, then kill at an arbitrary moment
        first = p.stdout.readline()
        assert first.strip(), "writer produced nothing"
        time.sleep(delay % 1.0 + 0.05)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        assert out.is_dir(), "results folder missing after a kill"
        seen.append(_complete(out))
    assert all(i >= 1 for i in seen)
