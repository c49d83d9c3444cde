"""A Spark standalone cluster on this machine: one master and N workers, each its own JVM.

    python -m c360.warehouse.spark_cluster start    # master on spark://127.0.0.1:7077
    python -m c360.warehouse.spark_cluster status
    python -m c360.warehouse.spark_cluster stop

Then `C360_SPARK_MASTER=spark://127.0.0.1:7077 c360 run --target spark` runs through it.
It uses pyspark's own launcher (`bin/spark-class`), so it needs only the `spark` extra and
Java 17; it imports nothing else from c360 (runnable on a machine without the rest).

Every process is bound to 127.0.0.1 and started in its own process group (a worker's
executors are its children, in its group); `stop` sends SIGTERM to each group, then
SIGKILL to what is left, so nothing outlives it. Logs, pid files and the workers' work
directories live in one state directory (default `$TMPDIR/c360-spark-cluster`).
"""

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
HOST = "127.0.0.1"


class ClusterError(Exception):
    """The cluster could not be started or stopped; one line for the user."""


@dataclass(frozen=True)
class ClusterSpec:
    """Where the cluster lives and how big it is (defaults fit a shared 2-core machine)."""

    state_dir: Path
    port: int = 7077
    webui_port: int = 8080
    workers: int = 2
    worker_cores: int = 1
    worker_memory: str = "1g"
    daemon_memory: str = "512m"  # heap of the master and worker daemons themselves

    @property
    def master_url(self) -> str:
        return f"spark://{HOST}:{self.port}"

    @property
    def status_url(self) -> str:
        return f"http://{HOST}:{self.webui_port}/json/"

    def processes(self) -> list[str]:
        return ["master"] + [f"worker-{i}" for i in range(1, self.workers + 1)]


def default_state_dir() -> Path:
    return Path(tempfile.gettempdir()) / "c360-spark-cluster"


def free_port() -> int:
    """A TCP port nothing listens on now (for tests that must not collide)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def spark_class() -> Path:
    """pyspark's launcher script; its folder's parent is SPARK_HOME."""
    try:
        import pyspark
    except ImportError:
        raise ClusterError(
            'the Spark cluster needs the spark extra: pip install -e ".[spark]" (and Java 17)'
        ) from None
    script = Path(pyspark.__file__).parent / "bin" / "spark-class"
    if not script.exists():
        raise ClusterError(f"pyspark has no launcher at {script}")
    return script


def _environment(spec: ClusterSpec) -> dict[str, str]:
    launcher = spark_class()
    return os.environ | {
        "SPARK_HOME": str(launcher.parent.parent),
        "SPARK_LOCAL_IP": HOST,
        "SPARK_DAEMON_MEMORY": spec.daemon_memory,
        "SPARK_LOG_DIR": str(spec.state_dir / "logs"),
        "SPARK_WORKER_DIR": str(spec.state_dir / "work"),
        "SPARK_NO_DAEMONIZE": "1",
        # executors that run Python (pandas UDFs) use the driver's interpreter
        "PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", sys.executable),
    }


def _command(spec: ClusterSpec, name: str) -> list[str]:
    launcher = str(spark_class())
    if name == "master":
        return [launcher, MASTER_CLASS, "--host", HOST, "--port", str(spec.port),
                "--webui-port", str(spec.webui_port)]  # fmt: skip
    return [
        launcher, WORKER_CLASS, "--host", HOST,
        "--cores", str(spec.worker_cores), "--memory", spec.worker_memory,
        "--work-dir", str(spec.state_dir / "work" / name),
        "--webui-port", "0",  # any free port; the master's page links to it
        spec.master_url,
    ]  # fmt: skip


def _pid_file(spec: ClusterSpec, name: str) -> Path:
    return spec.state_dir / f"{name}.pid"


def _log_file(spec: ClusterSpec, name: str) -> Path:
    return spec.state_dir / "logs" / f"{name}.out"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running(spec: ClusterSpec) -> dict[str, int]:
    """{process name: pid} for this cluster's processes that are alive now."""
    found = {}
    for name in spec.processes():
        try:
            pid = int(_pid_file(spec, name).read_text())
        except (FileNotFoundError, ValueError):
            continue
        if _alive(pid):
            found[name] = pid
    return found


def _launch(spec: ClusterSpec, name: str, env: dict[str, str]) -> int:
    log = _log_file(spec, name)
    with log.open("ab") as out:
        process = subprocess.Popen(
            _command(spec, name),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own process group: stop() kills it with its children
        )
    _pid_file(spec, name).write_text(str(process.pid))
    return process.pid


def master_status(spec: ClusterSpec, timeout: float = 2.0) -> dict | None:
    """The master's JSON status (workers, applications), or None when it does not answer."""
    try:
        with urllib.request.urlopen(spec.status_url, timeout=timeout) as response:
            return json.load(response)
    except (OSError, urllib.error.URLError, ValueError):
        return None


def alive_workers(status: dict | None) -> int:
    return sum(1 for w in (status or {}).get("workers", []) if w.get("state") == "ALIVE")


def _last_line(path: Path) -> str:
    try:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except FileNotFoundError:
        return "no log"
    return lines[-1][:300] if lines else "empty log"


def start(spec: ClusterSpec, timeout: float = 180.0) -> dict:
    """Start the master and the workers; return the master's status once every worker
    registered. On any failure, stop what was started and raise ClusterError."""
    if running(spec):
        raise ClusterError(f"a cluster is already running from {spec.state_dir}; stop it first")
    for port in (spec.port, spec.webui_port):
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                raise ClusterError(f"port {port} on {HOST} is in use; choose other ports")
    (spec.state_dir / "logs").mkdir(parents=True, exist_ok=True)
    (spec.state_dir / "work").mkdir(parents=True, exist_ok=True)
    env = _environment(spec)
    try:
        _launch(spec, "master", env)
        _wait(spec, lambda status: status is not None, "the master", timeout)
        for name in spec.processes()[1:]:
            _launch(spec, name, env)
        return _wait(
            spec,
            lambda status: alive_workers(status) >= spec.workers,
            f"{spec.workers} workers to register",
            timeout,
        )
    except BaseException:
        stop(spec)
        raise


def _wait(spec: ClusterSpec, ready, what: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = master_status(spec)
        if ready(status):
            return status
        dead = [name for name in spec.processes() if _pid_file(spec, name).exists()]
        dead = [name for name in dead if name not in running(spec)]
        if dead:
            log = _log_file(spec, dead[0])
            raise ClusterError(f"{dead[0]} exited while waiting for {what}: {_last_line(log)}")
        if time.monotonic() > deadline:
            raise ClusterError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.5)


def kill(spec: ClusterSpec, name: str, grace: float = 10.0) -> None:
    """Stop one process and its group (a worker's executors too): SIGTERM, then SIGKILL."""
    pid_file = _pid_file(spec, name)
    try:
        pid = int(pid_file.read_text())
    except (FileNotFoundError, ValueError):
        return
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _group_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _group_alive(pid):
        _signal_group(pid, signal.SIGKILL)
        while _group_alive(pid):
            time.sleep(0.1)
    pid_file.unlink(missing_ok=True)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    with contextlib.suppress(ChildProcessError):  # reap our own leader: zombies count
        os.waitpid(pgid, os.WNOHANG)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(spec: ClusterSpec) -> None:
    """Stop the workers first (they would otherwise try to reconnect), then the master."""
    for name in reversed(spec.processes()):
        kill(spec, name)


def _spec(args: argparse.Namespace) -> ClusterSpec:
    return ClusterSpec(
        state_dir=Path(args.dir),
        port=args.port,
        webui_port=args.webui_port,
        workers=args.workers,
        worker_cores=args.worker_cores,
        worker_memory=args.worker_memory,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m c360.warehouse.spark_cluster",
        description="Start, inspect or stop a Spark standalone cluster on 127.0.0.1.",
    )
    parser.add_argument("action", choices=["start", "status", "stop"])
    parser.add_argument(
        "--dir",
        default=str(default_state_dir()),
        help="state directory: pid files, logs, work dirs [%(default)s]",
    )
    parser.add_argument("--port", type=int, default=7077, help="master port [%(default)s]")
    parser.add_argument(
        "--webui-port",
        type=int,
        default=8080,
        help="master web UI and JSON status port [%(default)s]",
    )
    parser.add_argument("--workers", type=int, default=2, help="workers [%(default)s]")
    parser.add_argument("--worker-cores", type=int, default=1, help="cores each [%(default)s]")
    parser.add_argument("--worker-memory", default="1g", help="memory each [%(default)s]")
    args = parser.parse_args(argv)  # fmt: skip
    spec = _spec(args)
    try:
        if args.action == "start":
            status = start(spec)
            print(f"{spec.master_url}: {alive_workers(status)} workers alive; "
                  f"logs in {spec.state_dir / 'logs'}")  # fmt: skip
        elif args.action == "stop":
            stop(spec)
            print(f"stopped the cluster in {spec.state_dir}")
        else:
            status = master_status(spec)
            processes = running(spec)
            if status is None:
                print(f"no master answers at {spec.status_url}; "
                      f"running: {', '.join(processes) or 'nothing'}")  # fmt: skip
                return 1
            apps = len(status.get("activeapps", []))
            print(f"{spec.master_url}: {alive_workers(status)} workers alive, "
                  f"{apps} running applications; processes: {', '.join(processes)}")  # fmt: skip
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
