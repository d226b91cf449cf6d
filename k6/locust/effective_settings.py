"""Prints what the locustfile will actually run for the current environment, for the spec test
(tools/load/test/unit/load-scenario-spec.test.ts): resolved settings, thresholds, the shape's ticks, pacing and timeouts.

    SCENARIO=arrival RATE=800 .tools/locust/bin/python k6/locust/effective_settings.py
"""

import json
from unittest import mock

import locustfile
from locustfile import ARRIVAL_INTERVAL_S, ARRIVAL_USERS, SETTINGS, ScenarioShape, ScenarioUser


def shape_at(seconds):
    shape = ScenarioShape()
    with mock.patch.object(shape, "get_run_time", return_value=seconds):
        return shape.tick()


def main():
    if SETTINGS["mode"] == "users":
        end = SETTINGS["ramp_s"] + SETTINGS["hold_s"]
        pacing = {"think_s": [SETTINGS["think_min_s"], SETTINGS["think_max_s"]]}
    else:
        end = SETTINGS["hold_s"]
        pacing = {"users": ARRIVAL_USERS, "interval_s": ARRIVAL_INTERVAL_S}
    print(json.dumps({
        "settings": SETTINGS,
        "thresholds": locustfile.THRESHOLDS,
        "shape": {"start": shape_at(0), "last": shape_at(end - 0.01), "after": shape_at(end + locustfile.DRAIN_S + 0.01), "end_s": end},
        "pacing": pacing,
        "timeout_s": [ScenarioUser.network_timeout, ScenarioUser.connection_timeout],
        "targets": locustfile.TARGETS,
    }))


if __name__ == "__main__":
    main()
