"""Load on the web workbench over the loopback interface, bounded in count and time.

Run: python bench/web_load.py [--users 50] [--seconds 60] [--max-requests 100000]

Starts ``jixiao serve`` on 127.0.0.1 (its own process, so the clients do not
share its interpreter) on the bundled rules and data with one office account
per simulated user, then each user signs in through the API and, until the
time or the request budget runs out, opens the 2016Q3 results, a random
subject's page (trend and derivation) and runs a what-if on a random
section through the API.  Prints the count, p50 and p95 latency of pages and
of what-ifs, and the number of errors (any status but 200); the target is
p95 under 200 ms for pages and 50 ms for a what-if, with no error.
"""

from __future__ import annotations

import argparse
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
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: list[float] = []
        self.what_ifs: list[float] = []
        self.errors: list[str] = []
        self.requests = 0

    def take(self, budget: int) -> bool:
        with self.lock:
            if self.requests >= budget:
                return False
            self.requests += 1
            return True


def _user(base: str, name: str, deadline: float, budget: int, tally: Tally) -> None:
    rng = random.Random(name)
    with httpx.Client(base_url=base, timeout=30) as client:
        login = client.post("/api/login", json={"name": name, "password": PASSWORD})
        if login.status_code != 200:
            with tally.lock:
                tally.errors.append(f"login {login.status_code}")
            return
        while time.monotonic() < deadline:
            subject = rng.choice(SECTIONS + PEOPLE)
            for kind, path, params in (
                ("page", f"/results/{PERIOD}", None),
                ("page", f"/results/{PERIOD}/subjects/{subject}", None),
                ("what-if", f"/api/periods/{PERIOD}/subjects/{rng.choice(SECTIONS)}/what-if",
                 {"set": f"迟报次数={rng.randint(0, 4)}"}),
            ):  # fmt: skip
                if time.monotonic() >= deadline or not tally.take(budget):
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


def _line(name: str, times: list[float], target: float) -> str:
    if not times:
        return f"{name}: none"
    p50 = statistics.median(times) * 1000
    p95 = statistics.quantiles(times, n=20)[18] * 1000 if len(times) > 1 else p50
    verdict = "ok" if p95 < target else "over target"
    return f"{name}: {len(times)} requests, p50 {p50:.0f} ms, p95 {p95:.0f} ms (target {target:.0f} ms: {verdict})"


def main() -> int:
    parser = argparse.ArgumentParser(description="Load on the web workbench over loopback.")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
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
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
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
            tally = Tally()
            deadline = time.monotonic() + args.seconds
            users = [
                threading.Thread(
                    target=_user, args=(base, f"user{n:03d}", deadline, args.max_requests, tally)
                )
                for n in range(args.users)
            ]
            for user in users:
                user.start()
            for user in users:
                user.join()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"users: {args.users}, seconds: {args.seconds:g}, requests: {tally.requests}")
    print(_line("pages", tally.pages, 200))
    print(_line("what-if", tally.what_ifs, 50))
    print(f"errors: {len(tally.errors)}" + (f" (first: {tally.errors[0]})" if tally.errors else ""))
    return 0 if not tally.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
