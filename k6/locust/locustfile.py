"""The load scenario of k6/scenario.json on Locust: the native runner (k6 runs the same spec from its Docker image).

    .tools/locust/bin/locust -f k6/locust/locustfile.py --headless --processes 2             # the assignment's ramp
    SCENARIO=smoke .tools/locust/bin/locust -f k6/locust/locustfile.py --headless
    SCENARIO=arrival RATE=800 .tools/locust/bin/locust -f k6/locust/locustfile.py --headless --processes 2

The shape (users, ramp, hold or rate), the think time and the thresholds come from the spec (settings.py); the
targets from BASE_URL (the gateway) or FASTIFY_URL, HAPI_URL, RESTIFY_URL, PRODUCER_URL (comma-separated replicas).
With SUMMARY_DIR set, the run writes report.json there, every accepted send as `accepted <group> <partition> <offset>`
to sends-<pid>.log, and each process's CPU seconds to cpu-<pid>.json. The run exits 99 and names each threshold
crossed, 2 if a target is not ready.
"""

import json
import math
import os
import random
import resource
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import gevent
from locust import FastHttpUser, LoadTestShape, events, task
from locust.runners import WorkerRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from settings import SettingsError, load_spec, passes, resolve_settings, thresholds_of  # noqa: E402

SPEC = load_spec()
READ_APIS = SPEC["read_apis"]
try:
    SETTINGS = resolve_settings(SPEC, os.environ)
except SettingsError as error:
    sys.exit(f"[locust] {error}")
THRESHOLDS = thresholds_of(SETTINGS, READ_APIS)
SUMMARY_DIR = os.environ.get("SUMMARY_DIR", "")

# At a constant arrival rate each user starts an iteration every 1/ARRIVAL_RATE_PER_USER s: 10/s leaves each user
# 100 ms per request (the arrival profile's p95 limit) before it falls behind, and keeps the user count (greenlets,
# connections) low; the conventions measured 1000 slow users adding 35-70 ms of the generator's own latency.
ARRIVAL_RATE_PER_USER = 10
# After the last iteration: time for users to finish their request and for workers to send their last statistics
# (every 3 s) before the master writes the report.
DRAIN_S = 5


def _targets(name, prefix):
    base = os.environ.get("BASE_URL", "http://127.0.0.1:18000").rstrip("/")
    raw = os.environ.get(name) or f"{base}/{prefix}"
    return [url.strip().rstrip("/") for url in raw.split(",") if url.strip()]


TARGETS = {api: _targets(f"{api.upper()}_URL", api) for api in READ_APIS}
TARGETS["send"] = _targets("PRODUCER_URL", "producer")


def arrival_users(settings):
    """A multiple of 6, so that 1, 2, 3 or 6 worker processes each get a multiple of 3 users: user ids mod 3 then
    split the rate evenly over the three read apps (each user reads from one app)."""
    wanted = math.ceil(settings["rate"] / ARRIVAL_RATE_PER_USER / 6) * 6
    return max(6, min(settings["max_users"] // 6 * 6, wanted))


# Arrival mode: how many users, and how far apart each one's starts are, so that together they start RATE a second.
ARRIVAL_USERS = arrival_users(SETTINGS) if SETTINGS["mode"] == "arrival" else 0
ARRIVAL_INTERVAL_S = ARRIVAL_USERS / SETTINGS["rate"] if ARRIVAL_USERS else 0.0


class ScenarioShape(LoadTestShape):
    """users: ramp linearly to `users` in ramp_s, hold hold_s. arrival: every user at once for hold_s."""

    def tick(self):
        run_time = self.get_run_time()
        if SETTINGS["mode"] == "users":
            end = SETTINGS["ramp_s"] + SETTINGS["hold_s"]
            users, spawn_rate = SETTINGS["users"], SETTINGS["users"] / max(SETTINGS["ramp_s"], 0.001)
        else:
            end = SETTINGS["hold_s"]
            users = spawn_rate = ARRIVAL_USERS
        if run_time < end:
            return users, spawn_rate
        if run_time < end + DRAIN_S:
            return 0, users
        return None


class ScenarioUser(FastHttpUser):
    """One user of the assignment: reads a random group's latest page from its app (id mod 3), or sends."""

    network_timeout = SETTINGS["request_timeout_s"]
    connection_timeout = SETTINGS["request_timeout_s"]
    # Never retried: a resent send could be stored twice, and a retry would hide a failure from the statistics.
    max_retries = 0
    # Not a base URL: every request names its target (an API may have several replicas).
    host = "http://unused"
    _next_id = 0
    _sends_log = None

    def on_start(self):
        # Ids unique across worker processes, 1-based like k6's __VU: worker i numbers its users from i * 999,999 + 1
        # (a multiple of 3, so every worker's users cycle through the read apps in the same order).
        ScenarioUser._next_id += 1
        self.user_id = getattr(self.environment.runner, "worker_index", 0) * 999_999 + ScenarioUser._next_id
        self.read_api = READ_APIS[self.user_id % len(READ_APIS)]
        self.next_start = time.monotonic()
        if SETTINGS["mode"] == "arrival":
            # A random phase per user spreads the starts evenly over each interval, as k6's arrival executor does;
            # users started together would otherwise send in bursts.
            phase = random.uniform(0, ARRIVAL_INTERVAL_S)
            self.next_start += phase
            gevent.sleep(phase)

    def wait_time(self):
        if SETTINGS["mode"] == "users":
            return random.uniform(SETTINGS["think_min_s"], SETTINGS["think_max_s"])
        # Open-model pacing: start times are fixed in advance, so a slow response is caught up, not forgiven; a user
        # more than one slot late gives the slot up (it shows as a rate below the one asked for).
        now = time.monotonic()
        self.next_start = max(self.next_start + ARRIVAL_INTERVAL_S, now - ARRIVAL_INTERVAL_S)
        return max(0.0, self.next_start - now)

    @task
    def iteration(self):
        group_id = random.randint(1, SETTINGS["groups"])
        if random.random() < SETTINGS["send_ratio"]:
            self.send(group_id)
        else:
            self.read(group_id)

    def read(self, group_id):
        url = f"{random.choice(TARGETS[self.read_api])}/groups/{group_id}/messages"
        with self.client.get(url, name=self.read_api, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif not is_page(_json(response), group_id, SETTINGS["read_limit"]):
                response.failure("not the group's latest page, newest first")
            else:
                response.success()

    def send(self, group_id):
        body = {"group_id": group_id, "sender_id": self.user_id, "text": f'{SPEC["send_text_prefix"]}{self.user_id}'}
        url = f'{random.choice(TARGETS["send"])}/messages'
        with self.client.post(url, json=body, name="send", catch_response=True) as response:
            receipt = _json(response)
            if response.status_code != 202:
                response.failure(f"status {response.status_code}")
            elif not is_receipt(receipt):
                response.failure("not an acceptance with its partition and offset")
            else:
                response.success()
                record_accepted(group_id, receipt)


def is_page(body, group_id, limit):
    if not isinstance(body, dict) or body.get("group_id") != group_id or not isinstance(body.get("messages"), list):
        return False
    messages = body["messages"]
    if len(messages) > limit or not isinstance(body.get("has_more"), bool):
        return False
    for i, m in enumerate(messages):
        order = m.get("order") if isinstance(m, dict) else None
        if not (isinstance(order, int) and order >= 1 and m.get("group_id") == group_id):
            return False
        if i > 0 and order >= messages[i - 1]["order"]:
            return False
        if not isinstance(m.get("text"), str) or not isinstance(m.get("time"), str):
            return False
    return True


def is_receipt(body):
    return (
        isinstance(body, dict)
        and body.get("status") == "accepted"
        and isinstance(body.get("partition"), int)
        and isinstance(body.get("offset"), int)
        and body.get("id") == f'{body["partition"]}-{body["offset"]}'
    )


def _json(response):
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def record_accepted(group_id, receipt):
    if not SUMMARY_DIR:
        return
    if ScenarioUser._sends_log is None:
        ScenarioUser._sends_log = open(Path(SUMMARY_DIR) / f"sends-{os.getpid()}.log", "a", buffering=1, encoding="utf-8")
    ScenarioUser._sends_log.write(f'accepted {group_id} {receipt["partition"]} {receipt["offset"]}\n')


def targets_not_ready():
    """Like k6's setup(): every read target answers a page, every producer answers 400 to an empty body (nothing stored)."""
    problems = []
    checks = [(api, f"{url}/groups/1/messages", None, 200) for api in READ_APIS for url in TARGETS[api]]
    checks += [("send", f"{url}/messages", b"{}", 400) for url in TARGETS["send"]]
    for api, url, body, expected in checks:
        request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=SETTINGS["request_timeout_s"]) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, OSError) as error:
            status = f"unreachable ({error})"
        if status != expected:
            problems.append(f"{api} {url}: {status}, expected {expected}")
    return problems


@events.init.add_listener
def on_init(environment, runner=None, **_):
    # Users finish the request they are in when the run ends (as k6's gracefulStop): a send cut off mid-request would
    # have an unknown outcome that no statistic records.
    environment.stop_timeout = SETTINGS["request_timeout_s"]
    if isinstance(runner, WorkerRunner):
        return
    print(f"[locust] {json.dumps(SETTINGS)}", flush=True)
    problems = targets_not_ready()
    if problems:
        print("[locust] targets not ready:\n  " + "\n  ".join(problems), file=sys.stderr, flush=True)
        environment.process_exit_code = 2
        runner.greenlet.spawn_later(0, runner.quit)


@events.quitting.add_listener
def on_quitting(environment, **_):
    if SUMMARY_DIR:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = {"pid": os.getpid(), "cpu_s": usage.ru_utime + usage.ru_stime}
        (Path(SUMMARY_DIR) / f"cpu-{os.getpid()}.json").write_text(json.dumps(cpu))
    if isinstance(environment.runner, WorkerRunner) or environment.process_exit_code == 2:
        return
    report = build_report(environment)
    print(render(report), flush=True)
    if SUMMARY_DIR:
        (Path(SUMMARY_DIR) / "report.json").write_text(json.dumps(report, indent=2))
    # Failed requests are judged by the error-rate thresholds, not by Locust's exit code 1 for any failure; an
    # exception in this file's own code still fails the run.
    exceptions = len(environment.runner.exceptions) if environment.runner else 0
    environment.process_exit_code = 99 if not report["ok"] else 3 if exceptions else 0


def build_report(environment):
    stats = environment.stats
    apis = {}
    for api in [*READ_APIS, "send"]:
        entry = stats.get(api, "POST" if api == "send" else "GET")
        count = entry.num_requests
        apis[api] = {
            "requests": count,
            "rps": round(entry.total_rps, 1),
            "p50_ms": entry.get_response_time_percentile(0.5) if count else None,
            "p95_ms": entry.get_response_time_percentile(0.95) if count else None,
            "p99_ms": entry.get_response_time_percentile(0.99) if count else None,
            "max_ms": round(entry.max_response_time, 1) if count else None,
            "errors": entry.num_failures,
            "error_rate": round(entry.num_failures / count, 4) if count else 0,
        }
    total_rps = round(sum(f["rps"] for f in apis.values()), 1)
    dropped_per_s = round(max(0.0, SETTINGS["rate"] - steady_rate(stats)), 1) if SETTINGS["mode"] == "arrival" else 0
    results = {}
    for t in THRESHOLDS:
        value = dropped_per_s if t["stat"] == "dropped_per_s" else apis[t["api"]][t["stat"]]
        results[t["name"]] = passes(t, value)
    return {
        "runner": "locust",
        "scenario": SETTINGS["profile"],
        "settings": SETTINGS,
        "duration_s": round(time.time() - stats.start_time, 1),
        "apis": apis,
        "total_rps": total_rps,
        "dropped_per_s": dropped_per_s,
        "sends_accepted": apis["send"]["requests"] - apis["send"]["errors"],
        "failures": {f"{e.name}: {e.error}": e.occurrences for e in stats.errors.values()},
        "thresholds": results,
        "ok": all(results.values()),
    }


def steady_rate(stats):
    """Requests started per second over the whole seconds of the run, its first and last (partial) second left out."""
    per_second = stats.total.num_reqs_per_sec
    if len(per_second) < 3:
        return 0.0
    seconds = range(min(per_second) + 1, max(per_second))
    return sum(per_second.get(t, 0) for t in seconds) / len(seconds)


def render(report):
    s = report["settings"]
    shape = f'{s["users"]} users' if s["mode"] == "users" else f'{s["rate"]} requests/s'
    columns = ["api", "requests", "rps", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"]
    rows = [
        [api, f["requests"], f["rps"], f["p50_ms"], f["p95_ms"], f["p99_ms"], f["max_ms"],
         f'{f["errors"]} ({f["error_rate"] * 100:.2f} %)']
        for api, f in report["apis"].items()
    ]
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    out = ["", f'badam load (locust): {report["scenario"]}, {shape}, {report["duration_s"]} s, {s["groups"]} groups', ""]
    out += [line(columns), *map(line, rows), ""]
    out.append(f'total {report["total_rps"]} req/s, {report["sends_accepted"]} sends accepted'
               + (f', {report["dropped_per_s"]} requests/s short of the rate' if s["mode"] == "arrival" else ""))
    out += [f"  {name}: {count}" for name, count in report["failures"].items()]
    out.append("")
    out += [f'  {"ok  " if ok else "FAIL"} {name}' for name, ok in sorted(report["thresholds"].items())]
    crossed = [name for name, ok in report["thresholds"].items() if not ok]
    out += ["", "all thresholds passed" if not crossed else f'THRESHOLDS CROSSED: {"; ".join(crossed)}', ""]
    return "\n".join(out)
