"""Load on the web workbench over the loopback interface, bounded in count and time.

Run: python bench/web_load.py [--users 50] [--seconds 60] [--think 1-3]
     [--saturation-seconds 15] [--workers 1] [--seed 0] [--max-requests 100000]

Starts ``jixiao serve`` on 127.0.0.1 (its own process, so the clients do not
share its interpreter) on the bundled rules and data with one office account
per simulated user; every user signs in through the API before the clock
starts.  Each user then repeats: open the 2016Q3 results, a random subject's
page (trend and derivation), and a what-if on a random section through the
API (a scenario of its own: two cells set to random values, so what-ifs are
evaluated, not answered from the server's memory of earlier scenarios).

Two models, one command:

1. **Users who read** (the target's model): for ``--seconds``, each of the
   ``--users`` waits a think time drawn uniformly from ``--think`` seconds
   (seeded by ``--seed`` and the user's number) before each request, as a
   person reads a page before the next click.  Prints count, p50 and p95 of
   pages and what-ifs and the errors; the target is p95 under 200 ms for
   pages and 50 ms for a what-if, with no error.
2. **Saturation** (closed loop): for ``--saturation-seconds``, the same
   users fire back to back with no think time; prints the throughput the
   server sustains (requests per second) and the latencies at it.

The machine's load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runtime.store import Store  # noqa: E402
from runtime.web.accounts import add_account  # noqa: E402

PERIOD = "2016Q3"
PASSWORD = "load test password"
SECTIONS = [f"s{n:02d}" for n in range(1, 18)]
PEOPLE = ["p0101", "p0201", "p0401", "p0501", "p0601", "p0801"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Tally:
    """What one phase measured: latencies by kind, errors, requests sent."""

    def __init__(self, budget: int) -> None:
        self.lock = threading.Lock()
        self.pages: list[float] = []
        self.what_ifs: list[float] = []
        self.errors: list[str] = []
        self.requests = 0
        self.budget = budget

    def take(self) -> bool:
        with self.lock:
            if self.requests >= self.budget:
                return False
            self.requests += 1
            return True


def _requests(rng: random.Random) -> list[tuple[str, str, dict[str, list[str]] | None]]:
    """One round of a user's clicks: results, a subject, a what-if of its own."""
    scenario = {"set": [f"迟报次数={rng.randint(0, 4)}", f"满意率={rng.randint(600, 1000) / 10}%"]}
    return [
        ("page", f"/results/{PERIOD}", None),
        ("page", f"/results/{PERIOD}/subjects/{rng.choice(SECTIONS + PEOPLE)}", None),
        ("what-if", f"/api/periods/{PERIOD}/subjects/{rng.choice(SECTIONS)}/what-if", scenario),
    ]


def _signed_in(base: str, name: str, errors: list[str]) -> httpx.Client | None:
    client = httpx.Client(base_url=base, timeout=30)
    login = client.post("/api/login", json={"name": name, "password": PASSWORD})
    if login.status_code != 200:
        errors.append(f"login {login.status_code}")
        client.close()
        return None
    return client


def _user(
    client: httpx.Client,
    rng: random.Random,
    think: tuple[float, float],
    deadline: float,
    tally: Tally,
) -> None:
    while time.monotonic() < deadline:
        for kind, path, params in _requests(rng):
            if think[1] > 0:
                time.sleep(rng.uniform(*think))
            if time.monotonic() >= deadline or not tally.take():
                return
            start = time.perf_counter()
            try:
                response = client.get(path, params=params)
                status = str(response.status_code)
            except httpx.HTTPError as error:
                status = type(error).__name__
            elapsed = time.perf_counter() - start
            with tally.lock:
                (tally.pages if kind == "page" else tally.what_ifs).append(elapsed)
                if status != "200":
                    tally.errors.append(f"{path} {status}")


def _phase(
    clients: list[httpx.Client], seed: int, think: tuple[float, float], seconds: float,
    budget: int,
) -> tuple[Tally, float]:  # fmt: skip
    tally = Tally(budget)
    started = time.monotonic()
    deadline = started + seconds
    users = [
        threading.Thread(
            target=_user, args=(client, random.Random(f"{seed}:{n}"), think, deadline, tally)
        )
        for n, client in enumerate(clients)
    ]
    for user in users:
        user.start()
    for user in users:
        user.join()
    return tally, time.monotonic() - started


def _line(name: str, times: list[float], target: float | None) -> str:
    if not times:
        return f"  {name}: none"
    p50 = statistics.median(times) * 1000
    p95 = statistics.quantiles(times, n=20)[18] * 1000 if len(times) > 1 else p50
    text = f"  {name}: {len(times)} requests, p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    if target is not None:
        verdict = "ok" if p95 < target else "over target"
        text += f" (target {target:.0f} ms: {verdict})"
    return text


def _errors(tally: Tally) -> str:
    first = f" (first: {tally.errors[0]})" if tally.errors else ""
    return f"  errors: {len(tally.errors)}{first}"


def _think(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


def main() -> int:
    parser = argparse.ArgumentParser(description="Load on the web workbench over loopback.")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=_think, default=(1.0, 3.0), help="seconds, LOW-HIGH")
    parser.add_argument("--saturation-seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
    print(f"load average before: {_load()}")
    with tempfile.TemporaryDirectory(prefix="jixiao-load-") as folder:
        store_path = str(Path(folder) / "results.sqlite")
        store = Store(store_path)
        try:
            for n in range(args.users):
                add_account(store, f"user{n:03d}", "office", None, PASSWORD, None)
        finally:
            store.close()
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "runtime", "serve", str(ROOT / "rules" / "yongzhou"),
             "--store", store_path, "--data", str(ROOT / "examples" / "yongzhou"),
             "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        clients: list[httpx.Client] = []
        try:
            started = time.monotonic()
            while True:
                try:
                    httpx.get(f"{base}/login", timeout=2)
                    break
                except httpx.HTTPError:
                    if server.poll() is not None or time.monotonic() - started > 60:
                        print("the server did not start", file=sys.stderr)
                        return 1
                    time.sleep(0.2)
            errors: list[str] = []
            for n in range(args.users):
                client = _signed_in(base, f"user{n:03d}", errors)
                if client is not None:
                    clients.append(client)
            # Every worker's evaluations (the subject page's trend reads every
            # quarter) made before the clock starts.
            for client in clients[: 4 * args.workers]:
                client.get(f"/results/{PERIOD}")
                client.get(f"/results/{PERIOD}/subjects/{SECTIONS[0]}")
            reading, reading_time = _phase(
                clients, args.seed, args.think, args.seconds, args.max_requests
            )
            saturated, saturated_time = _phase(
                clients, args.seed + 1, (0.0, 0.0), args.saturation_seconds, args.max_requests
            )
        finally:
            for client in clients:
                client.close()
            server.terminate()
            server.wait(timeout=10)
    low, high = args.think
    print(
        f"users: {args.users} (signed in: {len(clients)}), server workers: {args.workers}, "
        f"seed: {args.seed}"
    )
    print(
        f"reading users (think time {low:g}-{high:g} s before each request): "
        f"{args.seconds:g} s, {reading.requests} requests, "
        f"{reading.requests / reading_time:.1f} requests/s"
    )
    print(_line("pages", reading.pages, 200))
    print(_line("what-if", reading.what_ifs, 50))
    print(_errors(reading))
    print(
        f"saturation (closed loop, no think time): {args.saturation_seconds:g} s, "
        f"{saturated.requests} requests, {saturated.requests / saturated_time:.1f} requests/s"
    )
    print(_line("pages", saturated.pages, None))
    print(_line("what-if", saturated.what_ifs, None))
    print(_errors(saturated))
    print(f"load average after: {_load()}")
    failed = errors or reading.errors or saturated.errors
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
