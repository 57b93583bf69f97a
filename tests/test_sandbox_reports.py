"""The sandbox's campaign reports over a real socket: /transactional/{id}/report|sent|bounces|complaints."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from pytest_sender.sandbox.api_reports import SCENARIO_CAMPAIGNS, ReportStore, seed_scenario
from pytest_sender.sandbox.api_server import ApiSandbox, ApiSandboxComponent
from pytest_sender.settings import Secret

CAMPAIGN = "cmpR3p"
SERIES = ("sent", "opens", "clicks", "bounces", "soft_bounces", "hard_bounces", "unsubscribes", "complaints")
WINDOW = {"from": "2000-01-01", "to": "2999-12-31", "period": "day"}


def get(sandbox: ApiSandbox, path: str, token: str | None = None, **params: object) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token or sandbox.token}", "Accept": "application/json"}
    return httpx.get(
        sandbox.base_url + path, params={k: str(v) for k, v in params.items()}, headers=headers, timeout=1.0
    )


def test_the_sent_list_is_paginated_in_senders_envelope(sandbox: ApiSandbox) -> None:
    start = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
    ids = [sandbox.inject_sent(CAMPAIGN, f"r{n}@example.com", when=start + timedelta(minutes=n)) for n in range(5)]
    answer = get(sandbox, f"/transactional/{CAMPAIGN}/sent", limit=2, page=2)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    assert [item["emailId"] for item in body["data"]] == [ids[2], ids[1]]  # newest first by default
    assert set(body["data"][0]) == {"email", "subscriber_id", "created", "has_preview", "account_id", "emailId"}
    assert body["data"][0]["created"] == "2026-11-20 12:02:00"
    meta = body["meta"]
    assert (meta["current_page"], meta["from"], meta["to"], meta["last_page"], meta["per_page"], meta["total"]) == (
        2,
        3,
        4,
        3,
        2,
        5,
    )
    assert meta["path"] == f"{sandbox.base_url}/transactional/{CAMPAIGN}/sent"
    assert body["has_more_resources"] is True
    assert body["links"]["next"].endswith("page=3")
    assert body["links"]["prev"].endswith("page=1")
    last = get(sandbox, f"/transactional/{CAMPAIGN}/sent", limit=2, page=3).json()
    assert (len(last["data"]), last["has_more_resources"], last["links"]["next"]) == (1, False, None)
    beyond = get(sandbox, f"/transactional/{CAMPAIGN}/sent", limit=2, page=9).json()
    assert (beyond["data"], beyond["meta"]["from"], beyond["has_more_resources"]) == ([], None, False)
    oldest = get(sandbox, f"/transactional/{CAMPAIGN}/sent", limit=2, direction="asc").json()
    assert [item["emailId"] for item in oldest["data"]] == ids[:2]
    one = get(sandbox, f"/transactional/{CAMPAIGN}/sent", email_address="R3@example.com").json()
    assert [item["emailId"] for item in one["data"]] == [ids[3]]


def test_bounces_and_complaints_list_what_was_injected(sandbox: ApiSandbox) -> None:
    email_id = sandbox.inject_sent(CAMPAIGN, "gone@example.com")
    sandbox.inject_bounce(CAMPAIGN, "gone@example.com", "HARD_BOUNCE", "Mailbox not found", email_id=email_id)
    sandbox.inject_bounce(CAMPAIGN, "full@example.com", "SOFT_BOUNCE", "Mailbox full")
    sandbox.inject_complaint(CAMPAIGN, "angry@example.com")
    bounces = get(sandbox, f"/transactional/{CAMPAIGN}/bounces").json()["data"]
    assert [(b["email"], b["bounce_type"], b["message"], b["emailId"]) for b in bounces] == [
        ("full@example.com", "SOFT_BOUNCE", "Mailbox full", None),
        ("gone@example.com", "HARD_BOUNCE", "Mailbox not found", email_id),
    ]
    complaints = get(sandbox, f"/transactional/{CAMPAIGN}/complaints").json()
    assert [c["email"] for c in complaints["data"]] == ["angry@example.com"]
    assert complaints["meta"]["total"] == 1


def test_the_report_counts_the_window_only_in_senders_documented_shape(sandbox: ApiSandbox) -> None:
    day = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    for n in range(4):
        sandbox.inject_sent(CAMPAIGN, f"r{n}@example.com", when=day + timedelta(days=n))
    sandbox.inject_bounce(CAMPAIGN, "r1@example.com", "HARD_BOUNCE", when=day + timedelta(days=1))
    sandbox.inject_bounce(CAMPAIGN, "r2@example.com", "SOFT_BOUNCE", "Mailbox full", when=day + timedelta(days=2))
    sandbox.inject_complaint(CAMPAIGN, "r3@example.com", when=day + timedelta(days=3))
    answer = get(
        sandbox, f"/transactional/{CAMPAIGN}/report", **{"from": "2026-11-21", "to": "2026-11-22", "period": "day"}
    )
    assert answer.status_code == 200
    body = answer.json()
    # Series and totals at the top level (no "data" envelope), each entry's date a from/to object.
    assert set(body) == {*SERIES, "totals"}
    assert body["totals"] == {
        "sent_total": 2,
        "opens_total": 0,
        "clicks_total": 0,
        "unsubscribes_total": 0,
        "bounces_total": 2,
        "soft_bounces_total": 1,
        "hard_bounces_total": 1,
        "complaints_total": 0,
    }
    assert body["sent"] == [
        {"date": {"from": "2026-11-21", "to": "2026-11-21"}, "count": 1},
        {"date": {"from": "2026-11-22", "to": "2026-11-22"}, "count": 1},
    ]
    # Every series lists the same periods, with 0 where the metric had nothing (as Sender's example).
    assert [e["count"] for e in body["hard_bounces"]] == [1, 0]
    assert [e["count"] for e in body["opens"]] == [0, 0]
    whole = get(
        sandbox, f"/transactional/{CAMPAIGN}/report", **{"from": "2000-01-01", "to": "2999-12-31", "period": "day"}
    ).json()
    assert whole["totals"]["complaints_total"] == 1
    assert whole["totals"]["sent_total"] == 4


@pytest.mark.parametrize(
    ("period", "window", "expected"),
    [
        # 2026-11-20 is a Friday: its week runs Monday 16 to Sunday 22, clipped to the window.
        ("week", ("2026-11-18", "2026-11-30"), [("2026-11-18", "2026-11-22", 3), ("2026-11-23", "2026-11-29", 1)]),
        ("month", ("2026-11-01", "2026-12-31"), [("2026-11-01", "2026-11-30", 4)]),
        ("year", ("2026-06-15", "2027-03-01"), [("2026-06-15", "2026-12-31", 4)]),
    ],
)
def test_the_report_counts_per_period(
    sandbox: ApiSandbox, period: str, window: tuple[str, str], expected: list[tuple[str, str, int]]
) -> None:
    day = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    for n in range(4):  # Friday 20, Saturday 21, Sunday 22, Monday 23
        sandbox.inject_sent(CAMPAIGN, f"r{n}@example.com", when=day + timedelta(days=n))
    body = get(
        sandbox, f"/transactional/{CAMPAIGN}/report", **{"from": window[0], "to": window[1], "period": period}
    ).json()
    assert [(e["date"]["from"], e["date"]["to"], e["count"]) for e in body["sent"]] == expected
    assert body["totals"]["sent_total"] == 4


def test_the_report_answer_keeps_to_the_contract(sandbox: ApiSandbox) -> None:
    from pytest_sender.contract.assertions import SenderContract

    sandbox.inject_sent(CAMPAIGN, "r@example.com")
    sandbox.inject_bounce(CAMPAIGN, "r@example.com")
    today = datetime.now(timezone.utc).date().isoformat()
    answer = get(sandbox, f"/transactional/{CAMPAIGN}/report", **{"from": today, "to": today, "period": "week"})
    contract = SenderContract()
    template = "/transactional/{id}/report"
    assert contract.validate_response("GET", template, answer.status_code, answer.headers, answer.content) == []
    # The shape the sandbox used to answer (under "data", string dates) is not what the contract describes.
    old = {"data": {"sent": [{"date": today, "count": 1}], "totals": answer.json()["totals"]}}
    problems = contract.validate_response("GET", template, 200, answer.headers, json.dumps(old))
    assert any("sent" in problem for problem in problems), problems


@pytest.mark.parametrize("missing", ["from", "to", "period"])
def test_a_report_request_without_a_required_parameter_is_answered_422(sandbox: ApiSandbox, missing: str) -> None:
    sandbox.inject_sent(CAMPAIGN, "r@example.com")
    params = {"from": "2026-11-01", "to": "2026-11-30", "period": "day"}
    del params[missing]
    answer = get(sandbox, f"/transactional/{CAMPAIGN}/report", **params)
    assert answer.status_code == 422
    assert answer.json() == {
        "message": "The given data was invalid.",
        "errors": {missing: [f"The {missing} field is required."]},
    }
    assert answer.headers["X-RateLimit-Limit"]  # a 422 is still a counted answer


def test_template_sends_in_the_outbox_are_in_the_sent_list(sandbox: ApiSandbox) -> None:
    answer = httpx.post(
        f"{sandbox.base_url}/message/sbxWLC/send",
        json={"to": {"email": "ada@example.org"}},
        headers={"Authorization": f"Bearer {sandbox.token}"},
        timeout=1.0,
    )
    email_id = answer.json()["emailId"]
    sent = get(sandbox, "/transactional/sbxWLC/sent").json()["data"]
    assert [(s["email"], s["emailId"]) for s in sent] == [("ada@example.org", email_id)]
    today = datetime.now(timezone.utc).date().isoformat()
    report = get(sandbox, "/transactional/sbxWLC/report", **{"from": today, "to": today, "period": "day"}).json()
    assert report["totals"]["sent_total"] == 1


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("sent", {"limit": "0"}, "limit"),
        ("sent", {"page": "x"}, "page"),
        ("bounces", {"direction": "sideways"}, "direction"),
        ("report", {**WINDOW, "from": "27.11.2026"}, "from"),
        ("report", {**WINDOW, "period": "hour"}, "period"),
    ],
)
def test_bad_parameters_are_answered_422(sandbox: ApiSandbox, path: str, params: dict[str, str], field: str) -> None:
    sandbox.inject_sent(CAMPAIGN, "r@example.com")
    answer = get(sandbox, f"/transactional/{CAMPAIGN}/{path}", **params)
    assert answer.status_code == 422
    assert field in answer.json()["errors"]


def test_an_unknown_campaign_is_404_and_a_bad_token_401(sandbox: ApiSandbox) -> None:
    answer = get(sandbox, "/transactional/nOsuch/report", **WINDOW)
    assert (answer.status_code, answer.json()["message"]) == (404, "Transactional campaign not found.")
    assert get(sandbox, "/transactional/sbxWLC/sent", token="wrong").status_code == 401
    post = httpx.post(
        f"{sandbox.base_url}/transactional/sbxWLC/sent",
        timeout=1.0,
        headers={"Authorization": f"Bearer {sandbox.token}"},
    )
    assert (post.status_code, post.headers["allow"]) == (405, "GET")


def test_a_report_only_token_reads_reports_and_nothing_else(sandbox: ApiSandbox) -> None:
    sandbox.app.allow_report_token("sbx-reports-only")
    assert get(sandbox, "/transactional/sbxWLC/sent", token="sbx-reports-only").status_code == 200
    assert get(sandbox, "/subscribers", token="sbx-reports-only").status_code == 401


def test_reset_keeps_the_baseline_and_forgets_later_injections() -> None:
    store = ReportStore()
    store.inject_sent(CAMPAIGN, "a@example.com")
    store.mark_baseline()
    store.inject_complaint(CAMPAIGN, "b@example.com")
    store.reset()
    assert [e.kind for e in store.events(CAMPAIGN, "sent") + store.events(CAMPAIGN, "complaints")] == ["sent"]
    with pytest.raises(ValueError, match="HARD_BOUNCE, SOFT_BOUNCE"):
        store.inject_bounce(CAMPAIGN, "a@example.com", "BLOCKED")


@pytest.mark.parametrize("scenario", ["healthy", "broken"])
def test_the_scenarios_seed_their_campaigns(scenario: str) -> None:
    store = ReportStore()
    campaigns = seed_scenario(store, scenario)
    assert campaigns == tuple(c[0] for c in SCENARIO_CAMPAIGNS[scenario])
    for campaign_id, sends, hard, soft, complaints in SCENARIO_CAMPAIGNS[scenario]:
        bounces = store.events(campaign_id, "bounces")
        assert len(store.events(campaign_id, "sent")) == sends
        assert sum(b.bounce_type == "HARD_BOUNCE" for b in bounces) == hard
        assert sum(b.bounce_type == "SOFT_BOUNCE" for b in bounces) == soft
        assert len(store.events(campaign_id, "complaints")) == complaints
        week_ago = datetime.now(timezone.utc) - timedelta(days=6, minutes=1)
        assert all(e.created >= week_ago for e in store.events(campaign_id, "sent"))


def test_the_component_advertises_its_campaigns_and_the_broken_token_reads_them() -> None:
    component = ApiSandboxComponent()
    component.start("broken")
    try:
        overrides = component.settings_overrides()
        assert overrides["campaigns"] == ("sbxHRD", "sbxSFT", "sbxCMP")
        token = overrides["api_token"]
        assert isinstance(token, Secret)
        assert component.sandbox is not None
        headers = {"Authorization": f"Bearer {token.reveal()}"}
        window = WINDOW
        reports = httpx.get(
            f"{overrides['api_url']}/transactional/sbxHRD/report", params=window, headers=headers, timeout=1.0
        )
        assert reports.json()["totals"]["hard_bounces_total"] == 12
        assert httpx.get(f"{overrides['api_url']}/subscribers", headers=headers, timeout=1.0).status_code == 401
        component.sandbox.reset()  # a test's reset keeps the seeded history
        again = httpx.get(
            f"{overrides['api_url']}/transactional/sbxHRD/report", params=window, headers=headers, timeout=1.0
        )
        assert again.json()["totals"]["sent_total"] == 200
    finally:
        component.stop()
