#!/usr/bin/python3
"""Run QEMU with a QMP socket and follow the guest's serial console.

The console (QEMU's stdout) is copied to a log file.  A console line
"ISOTEST-QMP: <json>" makes this script send <json> as a QMP command, such
as device_add or device_del for hotplug tests; the reply is written to the
log as "ISOTEST-QMP-REPLY: <json>".  The guest waits for the effect itself.

A guest that prints nothing for --stall seconds is taken for stopped: the
script logs "ISOTEST-STALL", the CPUs' registers (QMP "info registers")
and then injects an NMI, on which a guest booted with unknown_nmi_panic
and panic_print prints every CPU's and task's stack before it stops.

    qemu-run.py --log FILE [--timeout SECONDS] [--stall SECONDS] -- QEMU-ARGUMENTS...
"""
import argparse
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time


class Qmp:
    def __init__(self, path, deadline):
        self.sock = None
        while self.sock is None:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self.sock = s
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.file = self.sock.makefile("rw")
        self.read()  # greeting
        self.command({"execute": "qmp_capabilities"})

    def read(self):
        line = self.file.readline()
        if not line:
            raise EOFError("QMP connection closed")
        return json.loads(line)

    def command(self, cmd):
        self.file.write(json.dumps(cmd) + "\n")
        self.file.flush()
        while True:
            msg = self.read()
            if "return" in msg or "error" in msg:
                return msg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--stall", type=float, default=0)
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    opts = ap.parse_args()
    qemu = opts.qemu[1:] if opts.qemu[:1] == ["--"] else opts.qemu

    tmp = tempfile.mkdtemp(prefix="isotest-qmp-")
    sock = os.path.join(tmp, "qmp")
    deadline = time.monotonic() + opts.timeout
    proc = subprocess.Popen(qemu + ["-qmp", f"unix:{sock},server=on,wait=off"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    status = 0
    qmp = None
    with open(opts.log, "w") as log:
        def emit(text):
            log.write(text + "\n")
            log.flush()
            print(text, flush=True)

        def qmp_command(cmd):
            nonlocal qmp
            try:
                if qmp is None:
                    qmp = Qmp(sock, deadline)
                return qmp.command(cmd)
            except (OSError, ValueError, EOFError) as err:
                return {"error": str(err)}

        buf = b""
        last = time.monotonic()
        stalled = False
        while True:
            now = time.monotonic()
            left = deadline - now
            if left <= 0:
                emit("ISOTEST-TIMEOUT: the guest did not finish in time")
                proc.kill()
                status = 1
                break
            if opts.stall and not stalled and now - last > opts.stall:
                stalled = True
                emit(f"ISOTEST-STALL: no output for {opts.stall:.0f} s; registers, then an NMI")
                regs = qmp_command({"execute": "human-monitor-command",
                                    "arguments": {"command-line": "info registers -a"}})
                for reg in str(regs.get("return", regs)).splitlines():
                    if reg.startswith(("CPU#", "RAX", "RSI", "RIP", "CS ", "CR0")):
                        emit("ISOTEST-STALL: " + reg)
                emit("ISOTEST-STALL: inject-nmi " + json.dumps(qmp_command({"execute": "inject-nmi"})))
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 1))
            if not ready:
                continue
            last = time.monotonic()
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for raw in lines:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                emit(line)
                if line.startswith("ISOTEST-QMP: "):
                    try:
                        cmd = json.loads(line[13:])
                    except ValueError as err:
                        reply = {"error": str(err)}
                    else:
                        reply = qmp_command(cmd)
                    emit("ISOTEST-QMP-REPLY: " + json.dumps(reply))
        if buf:
            emit(buf.decode("utf-8", "replace").rstrip("\r"))
    proc.wait()
    try:
        os.unlink(sock)
    except OSError:
        pass
    os.rmdir(tmp)
    return status


if __name__ == "__main__":
    sys.exit(main())
