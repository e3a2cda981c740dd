"""Console speed: first frame of `netpol-tui --demo`, and responsiveness on a 100,000-pod cluster.

    python benchmarks/bench_console.py [--data /tmp/netpol-synth] [--runs 5] [--skip-first-frame]
                                       [--repeat N] [--warm-wait SECONDS]

1. First frame: starts `netpol-tui --demo` in a pseudo-terminal (120x40) and measures the time from
   process start until the mode bar ("Runbooks" tab) has been written; then presses q. Median of runs.
2. Big cluster: generates the synthetic cluster (benchmarks/synthetic.py, 100,000 pods) into --data
   unless it is there, opens it with `--files` in a 200x60 pseudo-terminal, and measures, per key,
   the time from writing the key until the terminal has received the whole frame it caused (no
   more output for 30 ms): switching screens (first and later visits), typing a filter into the
   108,000-row Policies list character by character, moving and paging through it; then the
   grouped Status list, opening a finding group and going from a finding to its object (issue
   12, `go_to_object`). Screen switches and go-to also give the UI thread's CPU time for the key
   (/proc schedstat), and the load average is printed at the start and end of each run: the
   machine is shared, and wall time is CPU time plus waiting for a core.
Results go to stdout; benchmarks/console.md records them. `Terminal` is shared with
bench_follow.py --console.
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def first_frame(runs: int) -> list[float]:
    """Seconds from process start to the first frame, measured through a real pty."""
    executable = Path(sys.executable).with_name("netpol-tui")
    command = [str(executable)] if executable.exists() else [sys.executable, "-m", "netpol_tui"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
            os.execv(command[0], [*command, "--demo"])
        import fcntl

        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        seen = b""
        elapsed = None
        deadline = started + 20
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            seen += chunk
            if b"Runbooks" in seen:
                elapsed = time.perf_counter() - started
                break
        try:
            os.write(fd, b"q")
            time.sleep(0.5)
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
        if elapsed is not None:
            times.append(elapsed)
    return times


class Terminal:
    """`netpol-tui` in a pseudo-terminal: what a user's terminal would receive, and when."""

    def __init__(self, args: list[str], columns: int = 200, lines: int = 60) -> None:
        executable = Path(sys.executable).with_name("netpol-tui")
        command = [str(executable)] if executable.exists() else [sys.executable, "-m", "netpol_tui"]
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.update(TERM="xterm-256color")
            os.execv(command[0], [*command, *args])
        import fcntl

        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.output = b""
        #: UI-thread CPU milliseconds spent between sending the last key and its frame (`key`, `press`).
        self.last_cpu_ms: float | None = None

    def ui_cpu_ms(self) -> float | None:
        """CPU milliseconds the console's main (UI) thread has run so far (/proc schedstat, ns):
        beside the wall time of a key, because the machine is shared (wall = CPU + waiting for a core)."""
        try:
            return int(Path(f"/proc/{self.pid}/task/{self.pid}/schedstat").read_text().split()[0]) / 1e6
        except (OSError, IndexError, ValueError):
            return None

    def _cpu_since(self, before: float | None) -> None:
        after = self.ui_cpu_ms()
        self.last_cpu_ms = round(after - before, 1) if after is not None and before is not None else None

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            chunk = os.read(self.fd, 1 << 20)
        except OSError:
            return b""
        self.output += chunk
        return chunk

    def wait_for(self, text: bytes, timeout: float) -> float | None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if text in self.output:
                return time.perf_counter() - self.started
            self.read(0.05)
        return None

    def settle(self, quiet: float, timeout: float = 60.0) -> None:
        """Read until nothing arrives for `quiet` seconds."""
        deadline = time.perf_counter() + timeout
        last = time.perf_counter()
        while time.perf_counter() < deadline:
            if self.read(0.01):
                last = time.perf_counter()
            elif time.perf_counter() - last >= quiet:
                return

    def key(self, data: bytes, gap: float = 0.03, timeout: float = 10.0, marker: bytes | None = None) -> float:
        """Milliseconds from sending a key until the frame it caused is complete (no output for `gap`),
        or, with `marker`, until that text has arrived (the new screen is on the terminal)."""
        self.settle(0.3)
        start = len(self.output)
        cpu = self.ui_cpu_ms()
        sent = time.perf_counter()
        os.write(self.fd, data)
        first = last = None
        deadline = sent + timeout
        while time.perf_counter() < deadline:
            if self.read(0.005):
                last = time.perf_counter()
                first = first or last
                if marker is not None and marker in self.output[start:]:
                    break
            elif marker is None and last is not None and time.perf_counter() - last >= gap:
                break
        self._cpu_since(cpu)
        return ((last or time.perf_counter()) - sent) * 1000

    def press(self, data: bytes, marker: bytes | tuple[bytes, ...], quiet: float = 0.05,
              timeout: float = 5.0) -> float | None:
        """Milliseconds from sending a key until `marker` (or any of several) has arrived, or None
        when it did not within `timeout` (a console that keeps repainting, e.g. while following,
        never goes quiet for long, so this settles only briefly and waits for the marker alone)."""
        markers = (marker,) if isinstance(marker, bytes) else marker
        self.settle(quiet, timeout=1.0)
        start = len(self.output)
        cpu = self.ui_cpu_ms()
        sent = time.perf_counter()
        os.write(self.fd, data)
        deadline = sent + timeout
        while time.perf_counter() < deadline:
            if self.read(0.005) and any(text in self.output[start:] for text in markers):
                self._cpu_since(cpu)
                return (time.perf_counter() - sent) * 1000
        self.last_cpu_ms = None
        return None

    def cpu_seconds(self) -> float | None:
        """User + system CPU seconds of the console process so far (/proc/PID/stat)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> int | None:
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), None)
        return round(int(line.split()[1]) / 1024) if line else None

    def close(self) -> None:
        try:
            os.write(self.fd, b"q")
            time.sleep(0.5)
            os.kill(self.pid, signal.SIGTERM)
        except OSError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def _with_cpu(terminal: Terminal, wall: float | None) -> object:
    """`93 ms (cpu 31)`: the wall time of a key beside the UI thread's CPU time for it."""
    if wall is None:
        return "not seen within 10 s"
    return f"{round(wall)} (cpu {round(terminal.last_cpu_ms)})" if terminal.last_cpu_ms is not None else round(wall)


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def big_cluster(data: Path, warm_wait: float = 2.0) -> dict[str, object]:
    """Key-to-frame latencies on the synthetic cluster, through a real pty at 200x60. `warm_wait`:
    seconds of quiet after the checks before the first key (the console warms the other screens
    meanwhile, screens/warmup.py; 0 presses the first visits at once)."""
    results: dict[str, object] = {"load average at start": _loadavg()}
    terminal = Terminal(["--files", str(data)])
    try:
        # --files are read before the console goes full screen: the first frame comes after the read
        results["first frame s"] = round(terminal.wait_for(b"Runbooks", 300) or -1, 2)
        results["loaded (identity shown) s"] = round(terminal.wait_for(b"synthetic", 300) or -1, 1)
        results["checks done s"] = round(terminal.wait_for(b"warnings", 600) or -1, 1)
        if warm_wait:
            terminal.settle(warm_wait)
        screens = ((b"2", "nodes", b"POOL"), (b"3", "policies", b"SELECTOR"), (b"4", "issues", b"ISSUE"),
                   (b"5", "runbooks", b"RUNBOOK"), (b"1", "status", b"SEVERITY"))
        results["screen switch, first visit ms (UI-thread cpu ms)"] = {
            name: _with_cpu(terminal, terminal.key(key, marker=marker)) for key, name, marker in screens}
        terminal.settle(3.0)
        results["screen switch, later visits ms (UI-thread cpu ms)"] = {
            name: _with_cpu(terminal, terminal.key(key, marker=marker)) for key, name, marker in screens}
        results["screen switch, later visits, until output stops ms"] = {
            name: round(terminal.key(key)) for key, name, _ in screens}
        terminal.key(b"3")
        terminal.settle(1.0)
        typing = [terminal.key(b"/")] + [terminal.key(char.encode()) for char in "team-data-0045 api"]
        results["filter keystroke ms (median, max)"] = (round(statistics.median(typing)), round(max(typing)))
        erasing = [terminal.key(b"\x7f") for _ in range(18)]
        results["filter backspace ms (median, max)"] = (round(statistics.median(erasing)), round(max(erasing)))
        terminal.key(b"\x1b")
        terminal.settle(1.0)
        moves = [terminal.key(b"\x1b[B") for _ in range(10)]
        results["cursor down ms (median, max)"] = (round(statistics.median(moves)), round(max(moves)))
        pages = [terminal.key(b"\x1b[6~") for _ in range(10)]
        results["page down ms (median, max)"] = (round(statistics.median(pages)), round(max(pages)))
        results["jump to end, start ms"] = [round(terminal.key(b"G")), round(terminal.key(b"g"))]
        results.update(go_to_object(terminal))
        results["peak RSS of the console MB"] = terminal.peak_rss_mb()
        results["console CPU s (whole run)"] = terminal.cpu_seconds()
    finally:
        terminal.close()
    results["load average at end"] = _loadavg()
    return results


def go_to_object(terminal: Terminal) -> dict[str, object]:
    """Status with every finding grouped, then a finding's object opened on its screen (issue 12).

    Status is re-entered from Policies (the grouped list is rendered anew), the first group is
    opened with Enter, its first finding highlighted, and `g` goes to the object: the time until
    the target screen's column header has arrived (Policies for namespaces, pods and policies,
    Nodes for nodes and pools) is the go-to-object latency; Esc walks back to Status, three
    times. A marker that never arrives is reported as not seen, never as a number. (No Tab: the
    findings list has the focus, Tab would move it to the summary.)"""
    def shown(value: float | None) -> object:
        return _with_cpu(terminal, value)

    results: dict[str, object] = {}
    terminal.press(b"3", b"SELECTOR", timeout=10.0)
    terminal.settle(1.0)
    results["status with grouped findings ms"] = shown(terminal.press(b"1", b"SEVERITY", timeout=10.0))
    terminal.settle(1.0)
    terminal.key(b"\x1b[H")  # Home: the first row, a group (the findings list has the focus)
    results["open a finding group ms"] = _with_cpu(terminal, terminal.key(b"\r"))
    terminal.key(b"\x1b[B")
    times = []
    for attempt in range(3):
        went = terminal.press(b"g", (b"LABELS / SELECTOR", b"DS-READY"), quiet=0.3, timeout=10.0)
        times.append(shown(went))
        terminal.settle(1.0)
        back = terminal.press(b"\x1b", b"SEVERITY", quiet=0.3, timeout=10.0)
        if attempt == 0:
            results["back to status ms"] = shown(back)
        terminal.settle(1.0)
    results["go to object ms (3 tries)"] = times
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/tmp/netpol-synth", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-first-frame", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="big-cluster runs, one console each")
    parser.add_argument("--warm-wait", type=float, default=2.0,
                        help="seconds of quiet after the checks before the first key (0: at once)")
    args = parser.parse_args()
    if not args.skip_first_frame:
        times = first_frame(args.runs)
        if times:
            print(f"first frame of netpol-tui --demo: median {statistics.median(times):.3f} s, "
                  f"min {min(times):.3f} s, max {max(times):.3f} s over {len(times)} runs")
        else:
            print("first frame: not seen")
    if not (args.data / "cluster.json").exists():
        from benchmarks.synthetic import generate

        print(f"generating the synthetic cluster into {args.data} ...")
        generate(args.data)
    for run in range(args.repeat):
        print(f"--- big cluster, run {run + 1} of {args.repeat}", flush=True)
        for key, value in big_cluster(args.data, args.warm_wait).items():
            print(f"{key}: {value}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
