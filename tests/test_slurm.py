"""runners/slurm/ on a real Slurm: a single-node cluster started here, on localhost.

munged, slurmctld and slurmd (Debian's munge and slurm-wlm) run from a temporary folder with a
configuration of their own (their own munge key and socket, their own ports), so nothing of the
machine's own Slurm, if any, is touched. grade-class.sh submits a small class as a job array of
two shards and a merge job; the merged gradebook must equal one unsharded grade-all run, byte
for byte. Without Slurm installed, or without root to start slurmd, the test fails and says why:
CI installs them (apt-get install -y slurm-wlm munge).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from support import REPO
from test_instructor_inputs import ADD, MUL, course, grade_all

DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch", "sinfo")
INSTALL = "apt-get install -y slurm-wlm munge (as root; CI's set-up installs them)"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(what: str, ready, timeout: float, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {log}\n{log.read_text(errors='replace')[-2000:]}" for log in logs if log.exists())
    pytest.fail(f"{what} did not come up within {timeout:g} s\n{tails}")


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    """A running single-node Slurm: the environment (SLURM_CONF) its commands need."""
    missing = [name for name in DAEMONS if shutil.which(name) is None]
    if missing:
        pytest.fail(f"Slurm cannot run here: {', '.join(missing)} not installed; {INSTALL}")
    if os.geteuid() != 0:
        pytest.fail("Slurm cannot run here: slurmd must be started as root (it runs each job as its user)")
    root = tmp_path_factory.mktemp("slurm")
    for folder in ("state", "spool", "munge"):
        (root / folder).mkdir()
    os.chmod(root, 0o755)
    (root / "munge").chmod(0o700)
    key = root / "munge" / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    socket_path = root / "munge" / "munge.socket"
    host = socket.gethostname().split(".")[0]
    conf = root / "slurm.conf"
    conf.write_text(f"""ClusterName=autogradertest
SlurmctldHost={host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
AuthType=auth/munge
AuthInfo=socket={socket_path}
CredType=cred/munge
MailProg=/bin/true
StateSaveLocation={root / 'state'}
SlurmdSpoolDir={root / 'spool'}
SlurmctldPidFile={root / 'slurmctld.pid'}
SlurmdPidFile={root / 'slurmd.pid'}
SlurmctldLogFile={root / 'slurmctld.log'}
SlurmdLogFile={root / 'slurmd.log'}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
DebugFlags=NO_CONF_HASH
NodeName=autogradernode NodeAddr=127.0.0.1 CPUs={os.cpu_count() or 1} State=UNKNOWN
PartitionName=grade Nodes=autogradernode Default=YES MaxTime=INFINITE State=UP
""")
    env = {**os.environ, "SLURM_CONF": str(conf)}
    logs = [root / "munged.out", root / "slurmctld.log", root / "slurmd.log", root / "slurmctld.out", root / "slurmd.out"]
    started = []

    def start(argv, log):
        with open(root / log, "wb") as stream:
            started.append(subprocess.Popen(argv, stdout=stream, stderr=subprocess.STDOUT, env=env,
                                            start_new_session=True))

    try:
        start(["munged", "-F", "--force", "--key-file", str(key), "--socket", str(socket_path),
               "--pid-file", str(root / "munge" / "munged.pid"), "--seed-file", str(root / "munge" / "seed"),
               "--log-file", str(root / "munge" / "munged.log")], "munged.out")
        _wait_for("munged", socket_path.exists, 30, logs)
        start(["slurmctld", "-D", "-i", "-f", str(conf)], "slurmctld.out")
        start(["slurmd", "-D", "-f", str(conf), "-N", "autogradernode"], "slurmd.out")

        def idle() -> bool:
            done = subprocess.run(["sinfo", "-h", "-o", "%t"], env=env, capture_output=True, text=True)
            return done.returncode == 0 and done.stdout.strip() == "idle"

        _wait_for("the Slurm node", idle, 60, logs)
        yield env, root
    finally:
        for process in reversed(started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def test_a_class_graded_as_a_job_array_merges_to_one_unsharded_run(slurm, tmp_path):
    config = course(tmp_path / "course")
    subs = tmp_path / "subs"
    for name, mul in (("ada", MUL), ("bob", "def mul(a, b):\n    return a + b\n"), ("cy", MUL), ("=dee", MUL),
                      ("eve", None)):
        (subs / name).mkdir(parents=True)
        (subs / name / "calc.py").write_text(ADD)
        if mul:
            (subs / name / "other.py").write_text(mul)
    slurm_env, slurm_root = slurm
    env = {**slurm_env, "GRADER_TOKEN": "must-not-reach-a-job"}
    out = tmp_path / "cluster" / "out"
    started = time.monotonic()
    done = subprocess.run([str(REPO / "runners" / "slurm" / "grade-class.sh"), "--shards", "2", "--cpus", "1",
                           "--config", str(config), "--wait", str(subs), str(out)],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    logs = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-1500:]}"
                     for log in sorted((tmp_path / "cluster" / "out-shards" / "logs").glob("*.out")))
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n{logs}"
    print(f"graded on Slurm in {time.monotonic() - started:.1f} s")

    alone = tmp_path / "alone"
    grade_all(config, subs, alone)
    assert (out / "gradebook.csv").read_bytes() == (alone / "gradebook.csv").read_bytes()
    for student in ("ada", "bob", "cy", "=dee", "eve"):
        assert (out / "students" / student / "results.json").read_bytes() == \
            (alone / "students" / student / "results.json").read_bytes()
    shard_rows = [(tmp_path / "cluster" / "out-shards" / f"shard-{k}" / "batch.json").is_file() for k in (1, 2)]
    assert shard_rows == [True, True]
    assert (out / "class-report.html").is_file()
    # The token is in the submitting shell only: not in any job's environment Slurm keeps.
    kept = [path for path in (slurm_root / "state").rglob("*") if path.is_file()]
    assert any(path.name == "environment" for path in kept)
    assert not [path for path in kept if b"must-not-reach-a-job" in path.read_bytes()]
