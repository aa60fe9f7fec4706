"""The load scenario's reading of locust's statistics (``bench.load``), on a file locust 2.47
wrote (``--csv``): the wrong column or a goal off by one would misreport every run."""

from __future__ import annotations

import math

from bench.load import GOAL_P95_MS, Row, goal_met, parse_stats, table

STATS = """\
Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,\
50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,missing,15,15,3,24.56,1.87,201.50,335.0,7.8368,7.8368,3,4,8,24,100,200,210,220,230,240,250
GET,root,18,0,3,8.10,1.77,58.14,497.0,9.4041,0.0,3,3,4,8,31,58,59,60,61,62,63
POST,idle,0,0,0,0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A
,Aggregated,33,15,3,15.58,1.77,201.50,423.36,17.2409,7.8368,3,4,6,8,31,100,200,200,200,200,200
"""


def test_stats_give_p50_p95_failures_and_throughput_per_endpoint() -> None:
    rows = parse_stats(STATS)
    assert [r.name for r in rows] == ["missing", "root", "idle", "all"]
    missing, root, idle, everything = rows
    assert (missing.requests, missing.failures, missing.p50, missing.p95) == (15, 15, 3, 200)
    assert (root.p50, root.p95, root.failures) == (3, 58, 0)
    assert round(root.rps, 2) == 9.40
    assert math.isnan(idle.p95)
    assert (everything.requests, everything.p95, round(everything.rps, 1)) == (33, 100, 17.2)


def _row(p95: float, failures: int = 0, name: str = "page") -> Row:
    return Row(name=name, requests=100, failures=failures, p50=p95 / 2, p95=p95, rps=10.0)


def test_goal_needs_every_p95_under_the_goal_and_no_error() -> None:
    under = GOAL_P95_MS - 1
    assert goal_met([_row(under), _row(under, name="all")])
    assert not goal_met([_row(GOAL_P95_MS), _row(under, name="all")])  # "under", not "at most"
    assert not goal_met([_row(under, failures=1), _row(under, name="all")])
    assert not goal_met([_row(float("nan")), _row(under, name="all")])  # nothing measured
    assert not goal_met([])  # no measurement at all is no success


def test_table_shows_each_endpoint_at_each_level_and_the_total_last() -> None:
    levels = {10: [_row(40, name="a"), _row(50, name="all")], 50: [_row(250, 2, "b")]}
    lines = table(levels).splitlines()
    assert "10 users" in lines[0] and "50 users" in lines[0]
    assert [line.split()[0] for line in lines[2:]] == ["a", "b", "all"]
    a_line = lines[2]
    assert a_line.split("|")[1].split() == ["20", "40", "0", "10.0"]  # p50 p95 errors req/s
    assert a_line.split("|")[2].split() == ["-", "-", "-", "-"]
    assert lines[3].split("|")[2].split() == ["125", "250", "2", "10.0"]
