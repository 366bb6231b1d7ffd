"""Where the CPU goes per message: CPU seconds of each stack process / messages answered.

    .venv/bin/python bench/cpu_per_message.py                      # default profile, 2 workers
    .venv/bin/python bench/cpu_per_message.py --profile scale      # PostgreSQL, Redis, HAProxy
    .venv/bin/python bench/cpu_per_message.py --spy gateway --spy rasa-1   # + py-spy profiles

Starts the stack like ``bench/compare_rasa.py`` does (same text, same client, rate limits
off), warms it, then drives ``--users`` conversations of ``--messages`` messages each and
reads every process's CPU time (utime + stime of the process and its descendants, from
``/proc``) before and after. Prints CPU milliseconds per answered message for each
process, the total, and the load client's own share. With ``--spy NAME`` (a process name
as printed, e.g. ``gateway``, ``rasa-1``, ``actions``, ``hms``) it also runs
``py-spy record`` (pinned in ``requirements/app.in``) on that process during the load and
prints the functions with the most samples (own and inclusive). Benchmarks print; they assert
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from compare_rasa import OUR_TEXT, level, load, our_target, start_ours  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
PY_SPY = HERE.parent / ".venv" / "bin" / "py-spy"


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a live process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def tree_cpu(root: int) -> float:
    """CPU seconds of ``root`` and every live descendant."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            stats[int(entry)] = stat
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
            todo.extend(children.get(pid, []))
    return total


def snapshot(pids: dict[str, int]) -> dict[str, float]:
    return {name: tree_cpu(pid) for name, pid in pids.items()}


def client_cpu() -> float:
    times = os.times()
    return times.user + times.system


def top_functions(raw: Path, count: int) -> list[str]:
    """py-spy's collapsed stacks -> the functions with most own and inclusive samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        samples = int(n)
        total += samples
        frames = stack.split(";")
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    if not total:
        return ["  (no samples)"]
    lines = [f"  {total} samples; own time:"]
    lines += [f"    {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(count)]
    lines.append("  inclusive:")
    lines += [f"    {100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common(count * 2)]
    return lines


def spy(pid: int, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(PY_SPY), "record", "--pid", str(pid), "--format", "raw", "--rate", "200"]
        + ["--output", str(out), "--nonblocking", "--subprocesses"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default", choices=("default", "scale"))
    parser.add_argument("--workers", type=int, default=2, help="Rasa workers")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="load rounds measured together")
    parser.add_argument("--spy", action="append", default=[], help="py-spy this process")
    parser.add_argument("--top", type=int, default=25, help="functions shown per profile")
    parser.add_argument("--keep", type=Path, help="copy py-spy's collapsed stacks here")
    args = parser.parse_args(argv)
    if args.spy and not PY_SPY.exists():
        print("--spy needs py-spy (requirements/app.in): make setup")
        return 2
    print(f"load average at start: {load()}  (cores: {os.cpu_count()})", flush=True)
    work = Path(tempfile.mkdtemp(prefix="cpu-per-message-"))
    os.chmod(work, 0o711)  # the scale profile's PostgreSQL must pass through
    stack = start_ours(work / "stack", args.profile, args.workers)
    try:
        target = our_target(stack, "stack")
        pids = {p.name: p.pid for p in stack.procs if p.pid is not None}
        asyncio.run(level(target, OUR_TEXT, 4, 3))  # warm every process
        spies = {}
        for name in args.spy:
            if name not in pids:
                print(f"no process {name!r}; have {', '.join(pids)}")
                return 2
            spies[name] = (work / f"{name}.raw", spy(pids[name], work / f"{name}.raw"))
        before, client_before, start = snapshot(pids), client_cpu(), time.perf_counter()
        answered = errors = 0
        for _ in range(args.rounds):
            r = asyncio.run(level(target, OUR_TEXT, args.users, args.messages))
            answered += r["n"]
            errors += r["errors"]
            print(
                f"  round: {r['msg_s']:.1f} msg/s  p50 {r['p50']:.0f} ms  "
                f"p95 {r['p95']:.0f} ms  errors {r['errors']}",
                flush=True,
            )
        wall = time.perf_counter() - start
        after, client_after = snapshot(pids), client_cpu()
        for _, proc in spies.values():
            proc.send_signal(signal.SIGINT)
        for _, proc in spies.values():
            proc.wait(timeout=60)
    finally:
        stack.stop()
    used = {name: after[name] - before[name] for name in pids}
    client = client_after - client_before
    total = sum(used.values())
    print(
        f"\n{answered} messages answered ({errors} errors) in {wall:.1f} s, "
        f"{args.users} conversations at once, profile {args.profile}, {args.workers} workers"
    )
    print(f"CPU per answered message (ms), {os.cpu_count()} cores:")
    for name, seconds in sorted(used.items(), key=lambda kv: -kv[1]):
        if seconds > 0:
            share = 100 * seconds / total if total else 0
            print(f"  {name:<14} {1000 * seconds / max(answered, 1):7.2f}   {share:5.1f}%")
    print(f"  {'stack total':<14} {1000 * total / max(answered, 1):7.2f}")
    print(f"  {'load client':<14} {1000 * client / max(answered, 1):7.2f}   (this process)")
    print(f"  CPU busy: {(total + client) / wall:.2f} of {os.cpu_count()} cores")
    for name, (raw, _) in spies.items():
        if args.keep and raw.exists():
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(raw, args.keep / raw.name)
        print(f"\npy-spy of {name}:")
        print("\n".join(top_functions(raw, args.top) if raw.exists() else ["  (no output)"]))
    print(f"\nload average at end: {load()}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
