"""Resolves k6/scenario.json into one run's settings and thresholds, as k6/lib/settings.js does for k6.

tools/load/test/unit/load-scenario-spec.test.ts keeps the two equal. Pure: no Locust import, so the test can run it alone:
    python k6/locust/settings.py        # prints {"settings": ..., "thresholds": ...} for the current environment
"""

import json
import math
import os
import sys
from pathlib import Path

SPEC_PATH = Path(__file__).resolve().parent.parent / "scenario.json"


class SettingsError(ValueError):
    pass


def load_spec(path=SPEC_PATH):
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def resolve_settings(spec, env):
    """The profile SCENARIO names (default ramp), then every env override the spec lists, as numbers."""
    profile_name = env.get("SCENARIO") or "ramp"
    profile = spec["profiles"].get(profile_name)
    if profile is None:
        raise SettingsError(f'SCENARIO must be one of {", ".join(spec["profiles"])}, got "{profile_name}"')
    settings = {"profile": profile_name, **spec["defaults"]}
    settings.update({key: value for key, value in profile.items() if key != "$comment"})
    for name, key in spec["env"].items():
        raw = env.get(name)
        if raw is None or raw == "":
            continue
        if key not in settings:
            raise SettingsError(f"{name} does not apply to the {profile_name} profile")
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise SettingsError(f'{name} must be a number >= 0, got "{raw}"')
        settings[key] = int(value) if value.is_integer() else value
    if settings["mode"] == "users" and settings["think_max_s"] < settings["think_min_s"]:
        raise SettingsError(
            f'THINK_MAX_S ({settings["think_max_s"]}) must be >= THINK_MIN_S ({settings["think_min_s"]})'
        )
    return settings


def thresholds_of(settings, read_apis):
    """Per API: p95, p99 (ms), error rate, minimum requests/s; in arrival mode also the unstarted share of the rate."""

    def min_rps(api):
        if settings["mode"] == "users":
            return settings["min_send_rps"] if api == "send" else settings["min_read_rps"]
        share = settings["send_ratio"] if api == "send" else (1 - settings["send_ratio"]) / len(read_apis)
        return _round(settings["rate"] * share * settings["min_rate_fraction"])

    thresholds = []
    for api in [*read_apis, "send"]:
        thresholds.append({"api": api, "stat": "p95_ms", "op": "<", "limit": settings["p95_ms"]})
        thresholds.append({"api": api, "stat": "p99_ms", "op": "<", "limit": settings["p99_ms"]})
        thresholds.append({"api": api, "stat": "error_rate", "op": "<=", "limit": settings["max_error_rate"]})
        thresholds.append({"api": api, "stat": "rps", "op": ">", "limit": min_rps(api)})
    if settings["mode"] == "arrival":
        dropped = _round(max(settings["rate"] * settings["max_dropped_fraction"], 1))
        thresholds.append({"api": "all", "stat": "dropped_per_s", "op": "<", "limit": dropped})
    for t in thresholds:
        t["name"] = f'{t["api"]} {t["stat"]} {t["op"]} {_number(t["limit"])}'
    return thresholds


def passes(threshold, value):
    if value is None:
        return False
    limit = threshold["limit"]
    return {"<": value < limit, "<=": value <= limit, ">": value > limit}[threshold["op"]]


def _round(value):
    # JavaScript's Math.round(x * 1000) / 1000, so both runners print the same limits.
    return _number(math.floor(value * 1000 + 0.5) / 1000)


def _number(value):
    # JSON and JavaScript print 100.0 as 100: keep the two runners' names equal.
    return int(value) if isinstance(value, float) and value.is_integer() else value


if __name__ == "__main__":
    spec = load_spec()
    try:
        resolved = resolve_settings(spec, os.environ)
    except SettingsError as error:
        print(error, file=sys.stderr)
        sys.exit(2)
    print(json.dumps({"settings": resolved, "thresholds": thresholds_of(resolved, spec["read_apis"])}))
