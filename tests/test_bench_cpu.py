"""The load bench shows CPU per request by role, read from ``/proc`` around each run. A database backend that ends
in a run (its connection aged out) and the one that replaces it once made the database's share negative."""

import subprocess
import sys

from bench import bench_http


def test_a_process_replaced_during_a_run_leaves_no_negative_share():
    before = {(10, 1): ("postgres", 5.0), (11, 1): ("postgres", 2.0), (20, 1): ("web", 30.0)}
    # Backend 10 ended; 12 started and spent 0.5 s; a new process reusing pid 11 is not the old 11.
    after = {(11, 9): ("postgres", 0.25), (12, 7): ("postgres", 0.5), (20, 1): ("web", 31.5)}
    spent = bench_http._cpu_by_role(before, after)
    assert spent == {"postgres": 0.75, "web": 1.5}


def test_a_child_that_burns_cpu_between_two_reads_is_counted_under_its_role():
    """Through the real ``/proc``: a process whose command line names gunicorn spins for 0.3 s between the reads."""
    spin = (
        "import sys, time\n"
        "sys.stdin.readline()\n"
        "end = time.process_time() + 0.3\n"
        "while time.process_time() < end: pass\n"
        "print('spun', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", spin, "gunicorn"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        before = bench_http._proc_cpu()
        child.stdin.write("spin\n")
        child.stdin.flush()
        assert child.stdout.readline() == "spun\n"
        after = bench_http._proc_cpu()
    finally:
        child.communicate("\n", timeout=10)
    mine = [key for key in after if key[0] == child.pid]
    assert len(mine) == 1 and after[mine[0]][0] == "web"
    assert bench_http._cpu_by_role(before, after)["web"] >= 0.25
