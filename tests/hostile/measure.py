"""Run one command and report its wall time and peak memory on stderr's last line, as JSON.

A child's peak RSS as the kernel reports it includes the memory of the process that started it
(fork, then exec, keeps the larger high-water mark), so a test runner holding frameworks would
inflate every figure: this small process starts the command instead.

    python measure.py LIMIT_SECONDS cmd args...
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time


def main() -> None:
    limit, cmd = float(sys.argv[1]), sys.argv[2:]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    killer = threading.Timer(limit, proc.kill)  # a hang fails the test, it does not block it
    killer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    killer.cancel()
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    sys.stderr.write("\n" + json.dumps({"code": code, "seconds": seconds,
                                        "peak_mib": usage.ru_maxrss / 1024}) + "\n")  # fmt: skip


if __name__ == "__main__":
    main()
