"""Garbage-collector pauses of every process of a benchmark's gunicorn, by second.

bench/load.py puts this folder on the server's PYTHONPATH with BENCH_GC_LOG naming a
file: Python then imports this module at start (site.py's sitecustomize), in the master
before the app is preloaded, so every forked worker inherits the callback. Each process
adds up its collections' pauses per second of time.monotonic() (the clock of the load
generator's event loop, system-wide on Linux) and appends one line per second that had
any: pid, second, milliseconds paused in generations 0, 1 and 2, the number of
generation-2 collections, the longest single pause, and the CPU milliseconds of all of
them (a pause far longer than its CPU is the process waiting for a core, not collecting).
Nothing here runs in production; BENCH_PROFILE_DIR (below) profiles each worker.
"""

import gc
import os
import time

_PATH = os.environ.get("BENCH_GC_LOG")


class _Pauses:
    def __init__(self, path: str):
        self.path = path
        self.started = 0.0
        self.started_cpu = 0.0
        self.second = -1
        self.row = [0.0, 0.0, 0.0, 0, 0.0, 0.0]  # ms in gen 0, 1, 2; gen-2 count; longest ms; CPU ms

    def __call__(self, phase: str, info: dict) -> None:
        now = time.monotonic()
        if phase == "start":
            self.started, self.started_cpu = now, time.thread_time()
            return
        paused = (now - self.started) * 1000
        cpu = (time.thread_time() - self.started_cpu) * 1000
        second = int(now)
        if second != self.second:
            self.flush()
            self.second = second
        generation = info["generation"]
        self.row[generation] += paused
        if generation == 2:
            self.row[3] += 1
        self.row[4] = max(self.row[4], paused)
        self.row[5] += cpu

    def flush(self) -> None:
        if self.second >= 0 and any(self.row):
            gen0, gen1, gen2, full, longest, cpu = self.row
            line = f"{os.getpid()} {self.second} {gen0:.3f} {gen1:.3f} {gen2:.3f} {full} {longest:.3f} {cpu:.3f}\n"
            with open(self.path, "a") as log:  # one short append, atomic on Linux
                log.write(line)
        self.row = [0.0, 0.0, 0.0, 0, 0.0, 0.0]


if _PATH:
    gc.callbacks.append(_Pauses(_PATH))


def _profile_each_worker(directory: str) -> None:
    """With BENCH_PROFILE_DIR set, each process forked from here (gunicorn's workers) runs
    under cProfile on its CPU clock and writes <pid>.prof to that folder when it exits."""
    import atexit
    import cProfile

    def start() -> None:
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        atexit.register(lambda: (profile.disable(), profile.dump_stats(f"{directory}/{os.getpid()}.prof")))

    os.register_at_fork(after_in_child=start)


if os.environ.get("BENCH_PROFILE_DIR"):
    _profile_each_worker(os.environ["BENCH_PROFILE_DIR"])
