"""How many generator worker processes this machine can take, and workers that die with their
parent.

A worker holds its own copy of the hidden population (about 1 KiB a customer) besides the
interpreter and its libraries, so the count is capped by the usable CPUs and by the memory
available; asking for more gets the cap, never more processes. A worker started here exits
when the process that started it dies (Linux: the kernel's parent-death signal; elsewhere a
watchdog thread that polls the parent's pid), so a killed `c360 generate` leaves no
orphans spinning.
"""

import os
import signal
import sys
import threading

WORKER_BASE_BYTES = 256 << 20  # an interpreter with numpy and pyarrow, and a chunk's buffers
BYTES_PER_CUSTOMER = 2 << 10  # the population and its behaviour arrays, with room to spare
PR_SET_PDEATHSIG = 1


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def available_memory() -> int | None:
    """Bytes of memory available to new processes (Linux's MemAvailable), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def population_bytes(customers: int) -> int:
    return customers * BYTES_PER_CUSTOMER


def worker_limit(requested: int, customers: int) -> int:
    """Worker processes to start: `requested` (0 = as many as useful), capped by the usable
    CPUs and the available memory; at least 1 (1 = in this process, no pool)."""
    cap = usable_cpus()
    memory = available_memory()
    if memory is not None:
        # the parent keeps its own copy of the population while the workers run
        spare = memory - population_bytes(customers)
        cap = min(cap, spare // (WORKER_BASE_BYTES + population_bytes(customers)))
    wanted = cap if requested <= 0 else min(requested, cap)
    return max(1, int(wanted))


def die_with_parent(parent_pid: int) -> None:
    """In a worker: exit when `parent_pid` dies. Call first thing in the worker."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def _watch_parent(parent_pid: int, interval: float = 1.0) -> None:
    stop = threading.Event()
    while not stop.wait(interval):
        if os.getppid() != parent_pid:
            os._exit(1)
