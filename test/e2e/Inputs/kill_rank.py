"""Kills (SIGKILL) one MPI rank of a running program once its results.json
holds some finished runs (ranks-kill.test).

usage: kill_rank.py PROGRAM RANK RESULTS_JSON MIN_RUNS

PROGRAM is the executable's path, which tells its ranks from other
processes; the rank is read from Open MPI's OMPI_COMM_WORLD_RANK in the
process's environment. Prints the run count seen and exits non-zero if no
such rank or no such runs appear within a minute.
"""
import json
import os
import signal
import sys
import time


def finished_runs(path):
    try:
        with open(path) as f:
            return len(json.load(f)["runs"])
    except (OSError, ValueError, KeyError):
        return 0


def rank_pid(program, rank):
    want = ("OMPI_COMM_WORLD_RANK=%d" % rank).encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.path.realpath("/proc/%s/exe" % pid) != program:
                continue
            with open("/proc/%s/environ" % pid, "rb") as f:
                if want in f.read().split(b"\0"):
                    return int(pid)
        except OSError:
            pass
    return None


def main(program, rank, results, min_runs):
    program = os.path.realpath(program)
    deadline = time.time() + 60
    while time.time() < deadline:
        runs = finished_runs(results)
        pid = rank_pid(program, int(rank))
        if runs >= int(min_runs) and pid:
            os.kill(pid, signal.SIGKILL)
            print("killed rank %s after %d finished runs" % (rank, runs))
            return 0
        time.sleep(0.05)
    print("no rank %s with %s finished runs" % (rank, min_runs))
    return 1


sys.exit(main(*sys.argv[1:]))
