"""A cache miss of the contract `events` query, before vs after, side by side on the same database.

    .venv/bin/python bench/graphql_miss.py --before /work/wt-main-baseline [--backends sqlite,postgres]
        [--volumes 1000,10000] [--requests 300]

`--before` is a git worktree of the code to compare with (e.g. `git worktree add --detach /work/wt-main-baseline
1994cf8`). For each backend and volume, the database is prepared as bench/graphql_events.py does (migrated by
this tree, seeded with `seed_demo --volume N`, ANALYZEd; PostgreSQL databases are cms_bench_miss_<N>), then three
gunicorn processes (1 sync worker each, production settings) serve it at once:

- before: the `--before` tree;
- after:  this tree with the response cache on but no answer ever stored (RESPONSE_CACHE_MAX_ENTRY_BYTES=0), so
          every request is a miss as production meets it: the content version read, the lookup, then execution;
          the list's total is counted once per content version (cache.stored_count), as every page and every query
          text asking for the same list shares it;
- cold:   this tree with the response cache off: nothing stored at all, the total counted every time (what the
          first request after a publish costs).

One sequential client alternates between them in rounds, so drift hits all alike, and first checks that all answer
the very same bytes. Prints req/s, p50 and p95 of each, ÷ before, and each one's p50 at the largest volume over the
smallest.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import graphql_events as bench  # bench/ is on sys.path when this file is run

ROOT = Path(__file__).resolve().parent.parent
PG = bench.PG
METHOD, PATH, BODY = bench.ENDPOINTS["graphql"]


def database_url(backend: str, volume: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{bench.DATA / f'miss-{volume}.sqlite3'}"
    return f"{PG}/{bench.DB_PREFIX}_miss_{volume}"


# name: (tree, environment). The before tree predates the response cache and ignores these settings.
CONTENDERS = {
    "before": (None, {"RESPONSE_CACHE": "false"}),
    "after": (ROOT, {"RESPONSE_CACHE": "true", "RESPONSE_CACHE_MAX_ENTRY_BYTES": "0"}),
    "cold": (ROOT, {"RESPONSE_CACHE": "false"}),
}


def serve(url: str, tree: Path, settings: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = bench.free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cms.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--log-level", "warning"],
        env=bench.environment(url) | {"PYTHONPATH": str(tree)} | settings,
        cwd=tree,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if bench.request(port, "GET", "/healthz", None)[0] in (200, 503):
                return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn ({tree}) did not start")


def measure(ports: dict[str, int], requests: int, rounds: int = 10) -> dict[str, list[float]]:
    answers = {name: bench.request(port, METHOD, PATH, BODY) for name, port in ports.items()}
    for name, (status, content, _) in answers.items():
        if status != 200 or b'"errors"' in content:
            raise SystemExit(f"{name} answered {status}: {content[:300]!r}")
    if len({content for _, content, _ in answers.values()}) != 1:
        raise SystemExit("the contenders answered different bytes")
    for port in ports.values():  # warm-up: imports, connections, the parsed-query cache
        for _ in range(20):
            bench.request(port, METHOD, PATH, BODY)
    timings: dict[str, list[float]] = {name: [] for name in ports}
    for _ in range(rounds):
        for name, port in ports.items():
            for _ in range(requests // rounds):
                status, _, elapsed = bench.request(port, METHOD, PATH, BODY)
                assert status == 200, (name, status)
                timings[name].append(elapsed)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, type=Path, help="a worktree of the code to compare with")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--volumes", default="1000,10000")
    parser.add_argument("--requests", type=int, default=300, help="per side, per backend and volume")
    args = parser.parse_args()
    bench.database_url = database_url
    volumes = [int(volume) for volume in args.volumes.split(",")]
    backends = args.backends.split(",")
    trees = {name: (tree or args.before.resolve(), settings) for name, (tree, settings) in CONTENDERS.items()}
    rate, p50, p95 = {}, {}, {}
    for backend in backends:
        for volume in volumes:
            url = bench.prepare(backend, volume)
            servers = {name: serve(url, tree, settings) for name, (tree, settings) in trees.items()}
            try:
                timings = measure({name: port for name, (_, port) in servers.items()}, args.requests)
            finally:
                for server, _ in servers.values():
                    server.terminate()
                    server.wait()
            for name, values in timings.items():
                key = backend, volume, name
                rate[key] = len(values) / sum(values)
                p50[key] = 1000 * statistics.median(values)
                p95[key] = 1000 * sorted(values)[int(len(values) * 0.95) - 1]
    # ÷before by mean rate and by median (p50): a neighbour's burst on a shared machine moves means far more.
    columns = f"{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'÷before':>9}{'by p50':>8}"
    print(f"\n{'backend':<9}{'events':>7}  {'code':<7}{columns}")
    for backend in backends:
        for volume in volumes:
            for name in trees:
                key = backend, volume, name
                ratio = rate[key] / rate[backend, volume, "before"]
                by_p50 = p50[backend, volume, "before"] / p50[key]
                print(
                    f"{backend:<9}{volume:>7}  {name:<7}{rate[key]:>8.1f}{p50[key]:>9.2f}{p95[key]:>9.2f}"
                    f"{ratio:>8.2f}x{by_p50:>7.2f}x"
                )
    print(f"\ntargets: a miss >= 2x before at {volumes[0]} events; p50 at {volumes[-1]} <= 1.3x p50 at {volumes[0]}")
    for backend in backends:
        for name in ("after", "cold"):
            key = backend, volumes[0], name
            ratio = rate[key] / rate[backend, volumes[0], "before"]
            by_p50 = p50[backend, volumes[0], "before"] / p50[key]
            verdict = "ok" if min(ratio, by_p50) >= 2 else "ok by p50" if by_p50 >= 2 else "MISSED"
            print(f"  {backend} {volumes[0]}: {name} {ratio:.2f}x before by mean rate, {by_p50:.2f}x by p50: {verdict}")
        if len(volumes) > 1:
            for name in trees:
                growth = p50[backend, volumes[-1], name] / p50[backend, volumes[0], name]
                verdict = "ok" if growth <= 1.3 else "MISSED"
                print(f"  {backend} {name} p50 {volumes[-1]} / {volumes[0]}: {growth:.2f}x -> {verdict}")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
