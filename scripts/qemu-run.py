#!/usr/bin/python3
"""Run QEMU with a QMP socket, its console and the guest tests' channel.

QEMU's stdout, the guest's kernel console, is copied to the --log file.
The guest tests write to a port of their own that the kernel never uses
(a second serial port, or on pseries a second vty), which QEMU connects
to a socket of this script's as the character device "isotest": its lines
go to the --results file and to stdout, so that a kernel message can never
cut a test's line.  A results line "ISOTEST-QMP: <json>" makes this script
send <json> as a QMP command, such as device_add or device_del for hotplug
tests; the reply is written to the results as "ISOTEST-QMP-REPLY: <json>".
The guest waits for the effect itself.

A guest that prints nothing on either channel for --stall seconds, or
that has not finished in --timeout seconds, is taken for stopped: the
script writes to the log "ISOTEST-STALL" (or "ISOTEST-TIMEOUT") lines with
what the vCPUs are doing (QMP query-cpus-fast, then "info registers -a"
through the human monitor) and injects an NMI, on which a guest booted
with unknown_nmi_panic and panic_print prints every CPU's and task's stack
before it stops.  A stalled guest is given --stall seconds more to print
them; one that timed out, --grace seconds.

    qemu-run.py --log FILE --results FILE [--timeout SECONDS] [--stall SECONDS]
                -- QEMU-ARGUMENTS...
"""
import argparse
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time


class Qmp:
    def __init__(self, path, deadline):
        self.sock = connect(path, deadline)
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


def connect(path, deadline, proc=None):
    """A connection to the Unix socket at path, retried until deadline."""
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline or (proc and proc.poll() is not None):
                raise
            time.sleep(0.05)


class Lines:
    """Splits a byte stream into lines and hands each to a function."""

    def __init__(self, fd, handle):
        self.fd, self.handle, self.buf = fd, handle, b""

    def read(self):
        """Handles what can be read; False at end of file."""
        chunk = os.read(self.fd, 65536)
        if not chunk:
            if self.buf:
                self.handle(self.buf.decode("utf-8", "replace").rstrip("\r"))
                self.buf = b""
            return False
        self.buf += chunk
        *lines, self.buf = self.buf.split(b"\n")
        for raw in lines:
            self.handle(raw.decode("utf-8", "replace").rstrip("\r"))
        return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--stall", type=float, default=0)
    ap.add_argument("--grace", type=float, default=60)
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    opts = ap.parse_args()
    qemu = opts.qemu[1:] if opts.qemu[:1] == ["--"] else opts.qemu

    tmp = tempfile.mkdtemp(prefix="isotest-qmp-")
    sock = os.path.join(tmp, "qmp")
    chan = os.path.join(tmp, "results")
    start = time.monotonic()
    deadline = start + opts.timeout
    # QEMU waits for the results socket's client before it starts the guest,
    # so that nothing the guest writes there is lost.
    proc = subprocess.Popen(qemu + ["-qmp", f"unix:{sock},server=on,wait=off",
                                    "-chardev", f"socket,id=isotest,path={chan},server=on,wait=on"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    status = 0
    qmp = None
    with open(opts.log, "w") as log, open(opts.results, "w") as results:
        def emit(text):
            log.write(text + "\n")
            log.flush()

        def qmp_command(cmd):
            nonlocal qmp
            try:
                if qmp is None:
                    qmp = Qmp(sock, time.monotonic() + 10)
                return qmp.command(cmd)
            except (OSError, ValueError, EOFError) as err:
                return {"error": str(err)}

        def result(text):
            results.write(text + "\n")
            results.flush()
            print(text, flush=True)
            if text.startswith("ISOTEST-QMP: "):
                try:
                    cmd = json.loads(text[13:])
                except ValueError as err:
                    reply = {"error": str(err)}
                else:
                    reply = qmp_command(cmd)
                result("ISOTEST-QMP-REPLY: " + json.dumps(reply))

        def dump(tag, why):
            """What the vCPUs do, into the log, then an NMI."""
            emit(f"{tag}: {why}; the vCPUs (query-cpus-fast, info registers), then an NMI")
            cpus = qmp_command({"execute": "query-cpus-fast"})
            for cpu in cpus.get("return", [cpus]):
                emit(f"{tag}: query-cpus-fast " + json.dumps(cpu))
            status = qmp_command({"execute": "query-status"})
            emit(f"{tag}: query-status " + json.dumps(status.get("return", status)))
            regs = qmp_command({"execute": "human-monitor-command",
                                "arguments": {"command-line": "info registers -a"}})
            for reg in str(regs.get("return", regs)).splitlines():
                emit(f"{tag}: {reg}")
            emit(f"{tag}: inject-nmi " + json.dumps(qmp_command({"execute": "inject-nmi"})))

        streams = [Lines(proc.stdout.fileno(), emit)]
        try:
            res = connect(chan, deadline, proc)
            streams.append(Lines(res.fileno(), result))
        except OSError as err:
            emit(f"ISOTEST-TIMEOUT: no results channel: {err}")
            status = 1
        last = time.monotonic()
        stalled = timed_out = False
        end = deadline
        while streams:
            now = time.monotonic()
            if now >= end:
                if timed_out or stalled:
                    emit("ISOTEST-TIMEOUT: the guest did not stop after its dump; killed")
                    break
                timed_out = True
                dump("ISOTEST-TIMEOUT", f"not finished in {opts.timeout:.0f} s")
                end = now + opts.grace
                status = 1
            if opts.stall and not stalled and not timed_out and now - last > opts.stall:
                stalled = True
                dump("ISOTEST-STALL", f"no output for {opts.stall:.0f} s")
                end = min(end, now + max(opts.stall, opts.grace))
            ready, _, _ = select.select([s.fd for s in streams], [], [], max(0, min(end - now, 1)))
            for s in [s for s in streams if s.fd in ready]:
                last = time.monotonic()
                if not s.read():
                    streams.remove(s)
        proc.kill()
        proc.wait()
        emit(f"ISOTEST-ELAPSED: {time.monotonic() - start:.1f} s")
    shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
