"""Every command against bad flags and bad homes, as a user runs it: `python -m c360 ...` in a
subprocess with its own C360_HOME. Each must exit non-zero with exactly one line on stderr,
no traceback, not the safety net's "unexpected" line (that would be a bug reaching it), and
leave every file under the home as it was.

A read-only home and a full disk are made with a private mount namespace (`unshare -rm`: a
read-only bind mount, a tiny tmpfs), which works as root too, where chmod would not stop
anyone; where unshare is not allowed they use chmod when not root, and otherwise skip.
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_built_home, make_bronze

TINY = ["--customers", "30", "--transactions", "900", "--workers", "1"]
TINY_CSV = str(Path(__file__).parent / "ingest" / "tiny_transactions.csv")
WRITERS = [
    ["build"],
    ["refresh"],
    ["train"],
    ["score"],
    ["clv", "--holdout-days", "0"],
    ["uplift"],
    ["run"],
    ["generate", *TINY, "--force"],
    ["generate", "--days", "1"],
    ["import", "--transactions", TINY_CSV, "--force"],
]
TIMEOUT = 300


def tree(home: Path) -> dict[str, str]:
    """Every entry under `home`: directories, and files with their sha256. Lock files
    (`*.lock`, which flock works on and which name their last holder) are left out: a
    writer may take the lock before it finds out that it cannot go on, and they stay by
    design."""
    if not home.exists():
        return {}
    if home.is_file():
        return {".": hashlib.sha256(home.read_bytes()).hexdigest()}
    found = {}
    for path in sorted(home.rglob("*")):
        key = str(path.relative_to(home))
        if path.name.endswith(".lock") and path.is_file():
            continue
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_dir():
            found[key] = "dir"
        else:
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def c360(home: Path | str, args: list[str], wrap: list[str] | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("C360_", "STREAMLIT_"))}
    env |= {"C360_HOME": str(home), "PYTHONPATH": os.pathsep.join(sys.path)}
    argv = [*(wrap or []), sys.executable, "-m", "c360", *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def assert_one_line_refusal(result, args) -> None:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    shown = f"{args}: exit {result.returncode}\nstderr:\n{result.stderr[-3000:]}"
    assert result.returncode != 0, shown
    assert "Traceback" not in result.stderr, shown
    assert len(lines) == 1, shown
    assert lines[0].startswith("error: "), shown
    assert "unexpected" not in lines[0], shown


@pytest.fixture(scope="module")
def tiny_bronze(tmp_path_factory) -> Path:
    return make_bronze(
        tmp_path_factory.mktemp("tiny") / "bronze", workers=1, customers=30, transactions=900
    )


@pytest.fixture()
def bronze_home(tmp_path, tiny_bronze) -> Path:
    """A home with a small bronze layer and nothing built."""
    home = tmp_path / "home"
    shutil.copytree(tiny_bronze, home / "bronze")
    return home


# --- bad flags ---------------------------------------------------------------------------

BAD_FLAGS = [
    ["generate", "--scale", "nan"],
    ["generate", "--scale", "inf"],
    ["generate", "--as-of", "0001-01-01", *TINY],
    ["generate", "--as-of", "9999-12-31", *TINY],
    ["generate", "--customers", "1e9"],
    ["generate", "--customers", "1000000000", "--transactions", "2000000000"],
    ["generate", "--customers", "10", "--transactions", "100000000000"],
    ["generate", "--workers", "-3", *TINY[:4], "--force"],
    ["generate", "--workers", "0", *TINY[:4], "--force"],
    ["generate", "--seed", "-1", *TINY],
    ["generate", "--days", "0"],
    ["generate", "--days", "100000000"],
    ["run", "--scale", "nan"],
    ["run", "--scale", "inf"],
    ["build", "--target", "nope"],
    ["daily", "--retries", "-1"],
    ["daily", "--retry-delay", "nan"],
    ["daily", "--retry-delay", "-5"],
    ["daily", "--refit-every", "-2"],
    ["daily", "--seed", "-1"],
    ["train", "--seed", "-5"],
    ["clv", "--discount-rate", "nan"],
    ["clv", "--holdout-days", "-1"],
    ["clv", "--holdout-days", "1000000"],
    ["uplift", "--holdout-share", "nan"],
    ["uplift", "--learner", "z"],
    ["ask"],
    ["ask", "--engine", "bogus", "How many customers?"],
    ["app", "--port", "0"],
    ["app", "--server.enableXsrfProtection", "off"],
    ["nonsense-command"],
]


@pytest.mark.parametrize("args", BAD_FLAGS, ids=" ".join)
def test_bad_flags_are_one_line_and_change_nothing(bronze_home, args):
    before = tree(bronze_home)
    result = c360(bronze_home, args)
    assert_one_line_refusal(result, args)
    assert tree(bronze_home) == before


# --- bad homes ---------------------------------------------------------------------------

EVERY_COMMAND = [*WRITERS, ["ask", "How many customers?"]]


@pytest.mark.parametrize("args", EVERY_COMMAND, ids=" ".join)
def test_home_that_is_a_file(tmp_path, args):
    home = tmp_path / "home"
    home.write_text("not a directory\n")
    result = c360(home, args)
    assert_one_line_refusal(result, args)
    assert home.read_text() == "not a directory\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


@pytest.mark.parametrize(
    "args", [["build"], ["train"], ["generate", *TINY], ["ask", "How many?"]], ids=" ".join
)
def test_home_under_proc(args):
    result = c360("/proc/self/c360-home", args)
    assert_one_line_refusal(result, args)


BAD_MANIFESTS = {
    "truncated": '{"as_of_date": "2025-',
    "empty object": "{}",
    "a list": "[]",
    "as-of not a date": '{"as_of_date": "2025-13-45", "rows": {"transactions": 1}}',
    "generated, keys missing": '{"generator_version": 3, "as_of_date": "2025-12-31", '
    '"rows": {"transactions": 900}}',
    "not utf-8": "\udcff\udcfe",
}
MANIFEST_CASES = [
    *[(name, ["build"]) for name in BAD_MANIFESTS],
    *[(name, ["generate", "--days", "1"]) for name in BAD_MANIFESTS],
    ("empty object", ["refresh"]),
]


@pytest.mark.parametrize(
    ("name", "args"), MANIFEST_CASES, ids=[f"{n} {' '.join(a)}" for n, a in MANIFEST_CASES]
)
def test_corrupt_manifest(bronze_home, name, args):
    manifest = BAD_MANIFESTS[name]
    path = bronze_home / "bronze" / "_manifest.json"
    path.write_bytes(manifest.encode("utf-8", "surrogateescape"))
    before = tree(bronze_home)
    result = c360(bronze_home, args)
    assert_one_line_refusal(result, args)
    assert tree(bronze_home) == before


# --- read-only home and full disk --------------------------------------------------------


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt 2>/dev/null || "
         "mount -t tmpfs -o size=1m tmpfs /tmp"],
        capture_output=True,
    )  # fmt: skip
    return probe.returncode == 0


UNSHARE = _can_unshare()


def read_only(home: Path) -> list[str] | None:
    """A command prefix that runs with `home` read-only; None after chmod (not root)."""
    if UNSHARE:
        script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"'
        return ["unshare", "-rm", "sh", "-c", script, str(home)]
    if os.geteuid() == 0:
        pytest.skip("no mount namespace here, and chmod does not stop root")
    for path in [home, *home.rglob("*")]:
        if path.is_dir():
            path.chmod(0o555)
        else:
            path.chmod(0o444)
    return None


@pytest.mark.parametrize("args", WRITERS, ids=" ".join)
def test_read_only_home_is_refused_by_every_writer(bronze_home, args):
    before = tree(bronze_home)
    result = c360(bronze_home, args, wrap=read_only(bronze_home))
    assert_one_line_refusal(result, args)
    assert "Read-only file system" in result.stderr or "Permission denied" in result.stderr
    assert tree(bronze_home) == before


def test_read_only_home_still_answers_questions(built_home, tmp_path):
    home = copy_built_home(built_home, tmp_path / "home").home
    before = tree(home)
    args = ["ask", "How many customers are in each segment?"]
    result = c360(home, args, wrap=read_only(home))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "has the most customers" in result.stdout
    assert len(result.stderr.strip().splitlines()) <= 1  # a warning that nothing is logged
    assert tree(home) == before


FULL_DISK = r"""
set -e
src=$0 mnt=$1 out=$2; shift 2
size=$(du -sb "$src" | cut -f1)
mount -t tmpfs -o size=$((size + 4194304)) tmpfs "$mnt"
cp -a "$src/." "$mnt/"
dd if=/dev/zero of="$mnt/.filler" bs=65536 2>/dev/null || true
listing() {
  cd "$mnt" && {
    find . -type f ! -name '*.lock' -exec sha256sum {} +
    find . -type d
  } | sort
}
listing >"$out/before"
set +e
C360_HOME="$mnt" "$@" >"$out/stdout" 2>"$out/stderr"
echo $? >"$out/rc"
listing >"$out/after"
"""


# Before the per-home lock work of issue 16, `c360 train` staged into this fixed name and left
# it behind when it failed; the unique staging that replaces it is removed on failure.
FIXED_STAGING = "./.model-staging"


@pytest.mark.skipif(not UNSHARE, reason="a tmpfs needs a mount namespace (unshare -rm)")
@pytest.mark.parametrize(
    "args",
    [
        ["train"],
        ["score"],
        ["import", "--transactions", TINY_CSV, "--force"],
        ["ask", "How many customers are in each segment?"],
    ],
    ids=" ".join,
)
def test_full_disk(built_home, tmp_path, args):
    source = copy_built_home(built_home, tmp_path / "home").home
    mount, out = tmp_path / "mnt", tmp_path / "out"
    mount.mkdir()
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("C360_", "STREAMLIT_"))}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    argv = ["unshare", "-rm", "sh", "-c", FULL_DISK, str(source), str(mount), str(out)]
    argv += [sys.executable, "-m", "c360", *args]
    subprocess.run(argv, env=env, check=True, timeout=TIMEOUT)
    result = subprocess.CompletedProcess(
        args,
        int((out / "rc").read_text()),
        (out / "stdout").read_text(),
        (out / "stderr").read_text(),
    )
    before, after = (set((out / name).read_text().splitlines()) for name in ("before", "after"))
    if args[0] == "ask":  # reading needs no space; only the question log is lost
        assert result.returncode == 0, result.stderr
        assert "has the most customers" in result.stdout
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) <= 1
        assert all("logs" in line for line in before ^ after), before ^ after
    else:
        assert_one_line_refusal(result, args)
        assert "No space left on device" in result.stderr
        left = {line.split()[-1] for line in after - before}
        if left and all(p == FIXED_STAGING or p.startswith(FIXED_STAGING + "/") for p in left):
            pytest.xfail("a failed train leaves its fixed-name staging; issue 16's lock work")
        assert after == before
