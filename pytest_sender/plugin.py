"""The pytest plugin: options, ini keys, items, fixtures and reports. It only adapts.

This is the only module that imports pytest. Loading it imports nothing heavy: the checks, httpx,
dnspython and the sandbox are imported inside the hooks that need them, and only when one of
``--sender-preflight``, ``--sender-sandbox`` or ``--sender-live`` is given.

PYTEST_DONT_REWRITE: pytest marks a plugin's modules for assertion rewriting; ours hold no test
asserts, and skipping the rewrite keeps the plugin's load cheap where bytecode is not cached.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_sender.setting_specs import GROUPS, SETTINGS, SettingSpec

# Everything else of ours is imported inside the hooks that need it, and those run only when a
# --sender-* mode or a fixture is in use: loading the plugin costs a pytest start next to nothing.
if TYPE_CHECKING:
    import asyncio

    from pytest_sender.api.client import SenderClient
    from pytest_sender.contract.assertions import SenderContract
    from pytest_sender.findings import Finding
    from pytest_sender.preflight.registry import CheckContext, PlannedCheck, RunParts
    from pytest_sender.sandbox import EmbeddedSandbox
    from pytest_sender.sandbox.api_server import ApiSandbox
    from pytest_sender.sandbox.smtp_relay import SmtpSandboxComponent
    from pytest_sender.settings import Settings

__all__ = ["SenderCheckItem", "SenderPreflight", "SenderSession"]

COLLECTOR_NAME = "sender"
SESSION_PLUGIN_NAME = "sender-session"
WORKER_PAYLOAD_KEY = "sender_preflight"
#: workerinput key: the checks are split across the workers, cut into this many shards.
WORKER_SPLIT_KEY = "sender_split"
#: xdist's --dist modes under which the checks are split across the workers (others: the controller runs them).
SPLIT_DISTS = ("load", "loadscope", "loadfile")
NODE_PREFIX = "sender::"

HELP_PREFLIGHT = "run the Sender preflight checks, one test item per check and target"
HELP_LIVE = "run the live smoke checks against Sender (sends real email to the configured inbox)"
HELP_SANDBOX = "start the embedded Sender sandbox and point every check at it; =broken shows the failures"
MARKER_SENDER_CONTRACT = (
    "sender_contract: a test of Sender's transactional API contract (payloads, answers, the sandbox); "
    "select them with -m sender_contract"
)
MARKER_SENDER_SANDBOX = (
    "sender_sandbox(assert_all_injections_used=True, rate_limit=None): configure the sender_sandbox "
    "fixture for a test, class or module: whether an injection that matched no request fails the test, "
    "and the rate limit in requests per minute (None: no 429s)"
)


# --- state ----------------------------------------------------------------------------------------


class SenderRun:
    """Everything the plugin keeps for one pytest run (in ``config.stash``).

    A plain class rather than a dataclass: the plugin module is loaded at every pytest start, and
    building a dataclass costs milliseconds there.
    """

    def __init__(
        self, settings: Settings, *, preflight: bool, live: bool = False, sandbox: EmbeddedSandbox | None = None
    ) -> None:
        self.settings = settings
        self.preflight = preflight
        self.live = live
        self.sandbox = sandbox
        self.findings: dict[str, Finding] = {}  # by node name, computed here
        self.reported: dict[str, Finding] = {}  # by node id, from reports
        self.parts: RunParts | None = None  # handed to the checks: the sandbox's CA and IMAP delivery
        # An xdist worker under the split: the number of shards (0: not split), the shards' planned
        # checks, and the worker's one event loop and one context, shared by its batches.
        self.shards = 0
        self.batches: dict[int, list[PlannedCheck]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._context: CheckContext | None = None

    def run_checks(self, planned: list[PlannedCheck]) -> None:
        from pytest_sender.preflight.runner import run_preflight

        todo = [p for p in planned if p.node_name not in self.findings]
        for finding in run_preflight(todo, self.settings, parts=self.parts):
            self.findings[finding.node_name] = finding

    def run_batch(self, planned: list[PlannedCheck]) -> None:
        """Run one batch of checks on this process's one event loop, with its one context.

        An xdist worker runs its shards one batch at a time; the batches share the context, so
        the DNS resolver's cache (Sender's SPF include chain, its DKIM key host) and every other
        ``shared`` lookup are done once per worker, however many shards it runs.
        """
        import asyncio

        from pytest_sender.preflight.registry import CheckContext, RunParts
        from pytest_sender.preflight.runner import run_checks

        todo = [p for p in planned if p.node_name not in self.findings]
        if not todo:
            return
        if self._loop is None or self._context is None:
            self._loop = asyncio.new_event_loop()
            self._context = CheckContext(self.settings, self.parts or RunParts())
        for finding in self._loop.run_until_complete(run_checks(todo, self.settings, context=self._context)):
            self.findings[finding.node_name] = finding

    def close(self) -> None:
        """Close the batches' event loop, as ``asyncio.run`` closes its own."""
        loop, self._loop, self._context = self._loop, None, None
        if loop is None:
            return
        import asyncio

        try:
            leftovers = asyncio.all_tasks(loop)
            for task in leftovers:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()


RUN_KEY = pytest.StashKey[SenderRun]()


def _option_dest(name: str) -> str:
    return f"sender_{name}"


# --- options --------------------------------------------------------------------------------------


def _help(spec: SettingSpec) -> str:
    where = f"[env {spec.env}, ini {spec.ini}]"
    text = spec.flag_help or spec.help
    if spec.boolean:
        return f"{text} {where}"
    shown = f"(default: {spec.default})" if spec.default is not None else f"(for example {spec.example})"
    return f"{text} {shown} {where}"


def pytest_addoption(parser: pytest.Parser) -> None:
    # Every option, ini key, help text and --help group comes from the settings table's rows.
    secrets = ", ".join(f"{spec.env}" for spec in SETTINGS if spec.secret)
    (main_key, main_title), *families = GROUPS
    main = parser.getgroup(
        main_key,
        f"Sender transactional email (pytest-sender): {main_title}. Secrets come only from the environment "
        f"({secrets}, or each with _FILE naming a file that holds it), never from a flag",
    )
    groups = {main_key: main} | {
        key: parser.getgroup(key, f"Sender: {title} (pytest-sender)") for key, title in families
    }
    main.addoption("--sender-preflight", action="store_true", dest="sender_preflight", help=HELP_PREFLIGHT)
    main.addoption("--sender-live", action="store_true", dest="sender_live", help=HELP_LIVE)
    main.addoption(
        "--sender-sandbox",
        action="store",
        nargs="?",
        const="healthy",
        default=None,
        choices=("healthy", "broken"),
        dest="sender_sandbox",
        help=HELP_SANDBOX,
    )
    for spec in SETTINGS:
        if spec.flag is not None:
            if spec.boolean:
                kwargs: dict[str, Any] = {"action": "store_true", "default": False}
            else:
                kwargs = {"action": "append" if spec.multi else "store", "default": None, "metavar": "VALUE"}
            groups[spec.group].addoption(spec.flag, dest=_option_dest(spec.name), help=_help(spec), **kwargs)
        if spec.ini is not None:
            # Read as text and parsed by settings.py, so an empty value means "not set here".
            if spec.multi:
                parser.addini(spec.ini, f"pytest-sender: {spec.help}", type="linelist", default=[])
            else:
                parser.addini(spec.ini, f"pytest-sender: {spec.help}", type="string", default="")


def _resolve(config: pytest.Config) -> Settings:
    from pytest_sender.errors import ConfigError
    from pytest_sender.settings import resolve_settings

    cli = {spec.name: config.getoption(_option_dest(spec.name)) for spec in SETTINGS if spec.flag}
    ini = {spec.name: config.getini(spec.ini) for spec in SETTINGS if spec.ini}
    try:
        return resolve_settings(cli=cli, env=os.environ, ini=ini)
    except ConfigError as exc:
        raise pytest.UsageError(f"pytest-sender: invalid setting {exc}") from None


def _is_active(config: pytest.Config) -> bool:
    return bool(
        config.getoption("sender_preflight") or config.getoption("sender_live") or config.getoption("sender_sandbox")
    )


def pytest_configure(config: pytest.Config) -> None:
    # Registered even when the plugin is otherwise inert (cheap), so --strict-markers users can use it.
    config.addinivalue_line("markers", MARKER_SENDER_CONTRACT)
    config.addinivalue_line("markers", MARKER_SENDER_SANDBOX)
    if not _is_active(config):
        return
    settings = _resolve(config)
    live = bool(config.getoption("sender_live"))
    if live:
        from pytest_sender.errors import MissingExtraError
        from pytest_sender.live import require_live_extra

        try:
            require_live_extra()
        except MissingExtraError as exc:
            raise pytest.UsageError(f"pytest-sender: {exc}") from None
    scenario = config.getoption("sender_sandbox")
    sandbox = None
    if scenario:
        from pytest_sender.sandbox import EmbeddedSandbox

        # live without an inbox of the user's: the sandbox starts its own (Dovecot) when it can
        sandbox = EmbeddedSandbox(scenario, live=live, own_inbox=live and settings.inbox is None).start()
        settings = settings.with_overrides(f"sandbox ({scenario})", **sandbox.settings_overrides())
    run = SenderRun(settings=settings, preflight=bool(config.getoption("sender_preflight")), live=live, sandbox=sandbox)
    if sandbox is not None:
        run.parts = sandbox.run_parts()  # e.g. the relay's CA: checks verify TLS and trust it
    config.stash[RUN_KEY] = run
    config.pluginmanager.register(SenderSession(config, run), SESSION_PLUGIN_NAME)
    config.pluginmanager.register(FailuresSummaryIndex(), f"{SESSION_PLUGIN_NAME}-failures-summary")


#: Set on a test whose setup or call did not pass (failed, skipped, xfailed); sender_sandbox's teardown reads it.
_NOT_PASSED_KEY = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if call.when != "teardown" and not report.passed:
        item.stash[_NOT_PASSED_KEY] = True
    return report


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        run.close()
    if run is not None and run.sandbox is not None:
        run.sandbox.stop()


# --- items ----------------------------------------------------------------------------------------


class SenderPreflight(pytest.Collector):
    """The collector that holds the preflight items (node id ``sender``)."""

    def collect(self) -> list[pytest.Item]:  # pragma: no cover - items are built directly
        return []


class SenderCheckItem(pytest.Item):
    """One preflight check on one target: ``sender::<check>[<target>]``."""

    def __init__(self, *, planned: PlannedCheck | None = None, check: str, target: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.planned = planned
        self.check = check
        self.target = target

    def _finding(self) -> Finding:
        run = self.config.stash[RUN_KEY]
        finding = run.findings.get(self.name)
        if finding is None and self.planned is not None and run.shards:
            # An xdist worker under the split: the scheduler hands a shard's items to one worker,
            # so the first of them to run here runs the whole shard's checks at once.
            if run.batches is None:
                run.batches = {}
                for item in self.session.items:
                    if isinstance(item, SenderCheckItem) and item.planned is not None:
                        run.batches.setdefault(shard_of(item.name, run.shards), []).append(item.planned)
            run.run_batch(run.batches.get(shard_of(self.name, run.shards), [self.planned]))
            finding = run.findings.get(self.name)
        elif finding is None and self.planned is not None:
            # First preflight item to run: execute every selected check of this run at once.
            planned = [i.planned for i in self.session.items if isinstance(i, SenderCheckItem) and i.planned]
            run.run_checks(planned)
            finding = run.findings.get(self.name)
        if finding is None:
            raise RuntimeError(f"no finding was produced for {self.name}")  # a plugin bug
        return finding

    def runtest(self) -> None:
        from pytest_sender.errors import PreflightFailed, SenderPreflightWarning
        from pytest_sender.findings import Status
        from pytest_sender.report import format_finding, under_strict

        finding, strict_headline = under_strict(self._finding(), strict=self.config.stash[RUN_KEY].settings.strict)
        self.user_properties.append(("sender_status", finding.status.value))
        self.user_properties.append(("sender_code", finding.code))
        if finding.status in (Status.WARN, Status.FAIL, Status.ERROR):
            # junitxml: the hint travels with the test case (its message holds only the headline).
            self.user_properties.append(("sender_fix", finding.fix))
            self.user_properties.append(("sender_hint", finding.hint))
        self.stash[_FINDING_KEY] = finding
        if finding.status is Status.SKIP:
            pytest.skip(f"{finding.code}: {finding.summary}")
        if finding.status is Status.WARN and strict_headline is None:
            # One line in pytest's warnings summary: the code and summary (the hint is in the table
            # and the report), attributed to the preflight rather than to a line of the plugin.
            warnings.warn_explicit(
                SenderPreflightWarning(f"{finding.code}: {finding.summary}"), SenderPreflightWarning, COLLECTOR_NAME, 0
            )
            return
        if finding.status is not Status.PASS:
            raise PreflightFailed(finding, format_finding(finding, headline=strict_headline))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from pytest_sender.errors import PreflightFailed

        if isinstance(excinfo.value, PreflightFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        # The domain doubles as the failure headline; it must not be a suffix of the node id, or
        # the terminal reporter rewrites its dots as "::".
        return self.config.rootpath / COLLECTOR_NAME, None, f"{self.name} (sender preflight)"


_FINDING_KEY = pytest.StashKey["Finding"]()


# --- the split under xdist --------------------------------------------------------------------------


def shard_count(workers: int) -> int:
    """How many shards the checks are cut into for ``workers`` xdist workers (two each: a balance)."""
    return 2 * max(workers, 1)


def shard_of(node_name: str, shards: int) -> int:
    """The shard of the item ``<check>[<target>]``: the same on the controller and on every worker.

    The key is the target domain for a dns.* check (dns.alignment's target is a From address: its
    domain), so one domain's checks run on one worker and share its resolver cache, and the check
    family (``api``, ``smtp``, ``content``, ...) for the others, whose checks share their lookups
    (an SMTP probe of every port, one API client) within the family.
    """
    import zlib

    check, _, target = node_name.partition("[")
    key = target.removesuffix("]").rpartition("@")[2] if check.startswith("dns.") else check.split(".", 1)[0]
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % shards


def _make_shard_scheduler(config: pytest.Config, log: Any, *, dist: str) -> Any:
    """xdist's loadscope scheduling, with the sender items grouped into shards (``sender-<k>``).

    xdist hands every item of one scope to one worker; the user's own tests keep the unit their
    ``--dist`` mode hands out: each test under ``load``, its module or class under ``loadscope``,
    its file under ``loadfile``.
    """
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]  # xdist ships no py.typed

    class SenderShardScheduling(LoadScopeScheduling):  # type: ignore[misc]
        """xdist's loadscope, with its bookkeeping made linear for a shard of thousands of items.

        xdist finds each item's index with ``list.index`` when it hands out a scope, and counts a
        worker's pending items by scanning everything the worker was ever given, after every
        report: quadratic in a fleet's shards (10,000 domains under ``-n 2`` took 400 s, 166 s
        plain). Here an index map per worker and a pending count per worker do the same.
        """

        def __init__(self, config: pytest.Config, log: Any = None) -> None:
            super().__init__(config, log)
            self._indexes: dict[Any, dict[str, int]] = {}  # per worker: node id -> index in its collection
            self._pending: dict[Any, int] = {}  # per worker: items handed out, not yet reported

        def _assign_work_unit(self, node: Any) -> None:
            scope, work_unit = self.workqueue.popitem(last=False)
            self.assigned_work.setdefault(node, {})[scope] = work_unit
            indexes = self._indexes.get(node)
            if indexes is None:
                collection = self.registered_collections[node]
                indexes = self._indexes[node] = {nodeid: i for i, nodeid in reversed(list(enumerate(collection)))}
            todo = [indexes[nodeid] for nodeid, completed in work_unit.items() if not completed]
            self._pending[node] = self._pending.get(node, 0) + len(todo)
            node.send_runtest_some(todo)

        def mark_test_complete(self, node: Any, item_index: int, duration: float = 0) -> None:
            nodeid = self.registered_collections[node][item_index]
            work_unit = self.assigned_work[node][self._split_scope(nodeid)]
            if not work_unit[nodeid]:
                work_unit[nodeid] = True
                self._pending[node] -= 1
            self._reschedule(node)

        def _pending_of(self, workload: dict[str, dict[str, bool]]) -> int:
            for node, assigned in self.assigned_work.items():
                if assigned is workload:
                    return self._pending.get(node, 0)
            return int(super()._pending_of(workload))  # a removed worker's workload: counted once

        def remove_node(self, node: Any) -> Any:
            crashed = super().remove_node(node)
            self._pending.pop(node, None)  # its unfinished units are back in the queue, for the others
            self._indexes.pop(node, None)
            return crashed

        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(NODE_PREFIX):
                return f"sender-{shard_of(nodeid[len(NODE_PREFIX) :], shard_count(self.numnodes))}"
            if dist == "load":
                return nodeid  # each test its own scope: handed out one by one, as under plain load
            if dist == "loadfile":
                return nodeid.split("::", 1)[0]
            return str(super()._split_scope(nodeid))

    return SenderShardScheduling(config, log)


def _planned_from_registry(run: SenderRun) -> list[PlannedCheck]:
    from pytest_sender.preflight.registry import BUILTIN_CHECK_MODULES, load_checks, plan_checks

    # --sender-live adds the live items (real sends); --sender-preflight the preflight families.
    modules = (BUILTIN_CHECK_MODULES if run.preflight else ()) + (("pytest_sender.live.checks",) if run.live else ())
    return plan_checks(run.settings, load_checks(modules, plugins=run.preflight))


class FailuresSummaryIndex:
    """Keeps pytest's FAILURES section linear in the number of failures.

    For each failure, pytest scans every passed setup and teardown report for the failed test's
    teardown output: a fleet's 8,000 failures among 16,000 items took ten minutes there. Only
    reports that captured output can add to that section, so while the summary is written pytest
    is shown those alone; the output is the same, and the full list is put back afterwards.
    """

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> Generator[None, None, None]:
        stats: dict[str, list[Any]] = terminalreporter.stats
        phases = stats.get("")
        if phases is not None:
            stats[""] = [report for report in phases if getattr(report, "sections", None)]
        try:
            return (yield)
        finally:
            if phases is not None:
                stats[""] = phases


class SenderSession:
    """The hooks of an active run, registered only when a ``--sender-*`` mode is on."""

    def __init__(self, config: pytest.Config, run: SenderRun) -> None:
        self.config = config
        self.run = run
        self.is_worker = hasattr(config, "workerinput")
        if self.is_worker:
            run.shards = int(getattr(config, "workerinput", {}).get(WORKER_SPLIT_KEY, 0))
        self._planned: list[PlannedCheck] | None = None  # the xdist controller's plan
        self.order: list[str] = []  # the plain run's order of the checks (xdist reports in completion order)
        self.report_path: Path | None = None
        self.html_path: Path | None = None
        self.annotate = False  # print GitHub Actions workflow commands (set when the run ends)
        self.notes: list[str] = []  # lines for the end of the terminal summary
        from pytest_sender.report import utc_timestamp

        self.started_at = utc_timestamp()

    def _reported(self) -> list[tuple[str, Finding]]:
        """(node id, finding) of every reported check, in the plain run's order."""
        position = {name: index for index, name in enumerate(self.order)}
        pairs = list(self.run.reported.items())
        pairs.sort(key=lambda pair: position.get(pair[1].node_name, len(position)))
        return pairs

    def pytest_report_header(self) -> list[str]:
        lines = ["sender: settings (value, source):"]
        for name, shown, source in self.run.settings.describe():
            lines.append(f"  {name} = {shown} ({source})")
        return lines

    # --- collection ---

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, items: list[pytest.Item]) -> None:
        if not (self.run.preflight or self.run.live):
            return
        # An explicit node id: pytest would otherwise derive "::sender" from the session's empty id.
        collector = SenderPreflight.from_parent(session, name=COLLECTOR_NAME, nodeid=COLLECTOR_NAME)
        from pytest_sender.findings import Finding

        payload = getattr(self.config, "workerinput", {}).get(WORKER_PAYLOAD_KEY)
        new_items: list[pytest.Item] = []
        if payload is not None:
            # An xdist worker: the controller already ran every check once; use its findings.
            for data in payload:
                finding = Finding.from_dict(data)
                self.run.findings[finding.node_name] = finding
                new_items.append(
                    SenderCheckItem.from_parent(
                        collector, name=finding.node_name, check=finding.check, target=finding.target
                    )
                )
        else:
            for planned in _planned_from_registry(self.run):
                self.order.append(planned.node_name)
                new_items.append(
                    SenderCheckItem.from_parent(
                        collector,
                        name=planned.node_name,
                        planned=planned,
                        check=planned.spec.name,
                        target=planned.target,
                    )
                )
        items[:0] = new_items
        # Report them like any collected node, so "collected N items" counts them.
        session.ihook.pytest_collectreport(report=pytest.CollectReport(COLLECTOR_NAME, "passed", None, list(new_items)))

    def _split_applies(self) -> bool:
        """xdist controller: whether the workers run the checks (split by shard) rather than the controller.

        The preflight without --sender-sandbox and without --sender-live, under a --dist mode that
        hands out scopes (load, loadscope, loadfile). The sandbox keeps the controller path: each
        worker would start a sandbox of its own on other ports, and the targets named after them
        (``api.token[127.0.0.1:<port>]``) would differ between workers, which xdist refuses as
        "Different tests were collected". The live smoke sends real email once per run, from the
        controller.
        """
        run = self.run
        return (
            not self.is_worker
            and run.preflight
            and not run.live
            and run.sandbox is None
            and self.config.getoption("dist", "no") in SPLIT_DISTS
        )

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        """xdist controller: under the split, a scheduler that hands each shard of checks to one worker."""
        if not self._split_applies():
            return None
        return _make_shard_scheduler(config, log, dist=str(config.getoption("dist")))

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist controller, before each worker starts.

        Under the split, plan only (the plain run's order, for the reports) and tell the worker;
        it plans the same checks from the same settings and runs the shards it is handed.
        Otherwise run every check once, here, and hand the worker the findings to report.
        """
        if not (self.run.preflight or self.run.live):
            return
        split = self._split_applies()
        if self._planned is None:
            self._planned = _planned_from_registry(self.run)
            self.order = [p.node_name for p in self._planned]
            if not split:
                self.run.run_checks(self._planned)
        if split:
            node.workerinput[WORKER_SPLIT_KEY] = shard_count(int(node.workerinput.get("workercount", 1)))
            return
        node.workerinput[WORKER_PAYLOAD_KEY] = [self.run.findings[p.node_name].to_dict() for p in self._planned]

    # --- reporting ---

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        if call.when == "call" and isinstance(item, SenderCheckItem):
            finding = item.stash.get(_FINDING_KEY, None)
            if finding is not None:
                # A plain dict survives xdist's report serialisation, so the controller sees it.
                report.sender_finding = finding.to_dict()
                report.duration = finding.duration_s  # the check's own time (junitxml, --durations)
                if report.skipped and isinstance(report.longrepr, tuple):
                    # Point the skip at the item, not at the plugin line that raised it.
                    report.longrepr = (item.nodeid, None, report.longrepr[2])
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "sender_finding", None)
        if data is not None and report.when == "call":
            from pytest_sender.findings import Finding

            self.run.reported[report.nodeid] = Finding.from_dict(data)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker or not self.run.reported:
            return
        from pytest_sender.report import TABLE_FOLD_ROWS, format_table

        findings = [finding for _, finding in self._reported()]
        terminalreporter.write_sep("=", "Sender preflight")
        for line in format_table(findings, fold_over=None if self.run.settings.full_table else TABLE_FOLD_ROWS):
            terminalreporter.write_line(line)
        if self.report_path is not None:
            terminalreporter.write_line(f"sender: JSON report written to {self.report_path}")
        if self.html_path is not None:
            terminalreporter.write_line(f"sender: HTML report written to {self.html_path}")
        for note in self.notes:
            terminalreporter.write_line(note)
        if self.annotate:
            from pytest_sender.report_github import workflow_commands

            # Workflow commands, read by the Actions runner from stdout: one annotation per finding.
            settings = self.run.settings
            for line in workflow_commands(findings, strict=settings.strict, secrets=settings.secrets()):
                terminalreporter.write_line(line)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        # After pytest's own summary line: the last line of the run says when nothing was checked.
        if self.is_worker:
            return
        from pytest_sender.report import nothing_checked_line

        line = nothing_checked_line(list(self.run.reported.values()))
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if line is not None and reporter is not None:
            reporter.write_line(line)

    def _run_metadata(self) -> dict[str, Any]:
        """The run as the reports describe it: modes, sandbox, times and every non-secret setting."""
        from pytest_sender.report import utc_timestamp
        from pytest_sender.setting_specs import SPECS_BY_NAME

        modes = [name for name in ("preflight", "sandbox", "live") if self.config.getoption(f"sender_{name}")]
        settings = [
            {"name": name, "value": shown, "source": source}
            for name, shown, source in self.run.settings.describe()
            if not SPECS_BY_NAME[name].secret
        ]
        return {
            "mode": modes,
            "sandbox": self.config.getoption("sender_sandbox") or None,
            "started_at": self.started_at,
            "finished_at": utc_timestamp(),
            "settings": settings,
        }

    def _output_path(self, path: Path) -> Path:
        return path if path.is_absolute() else self.config.invocation_params.dir / path

    def pytest_sessionfinish(self) -> None:
        if self.is_worker:
            return
        settings = self.run.settings
        reported = self._reported()
        findings = [finding for _, finding in reported]
        run = self._run_metadata()
        if settings.report is not None:
            from pytest_sender.report import build_json_report, write_json_report

            path = self._output_path(settings.report)
            report = build_json_report(
                findings, strict=settings.strict, node_ids=[node_id for node_id, _ in reported], run=run
            )
            write_json_report(path, report)
            self.report_path = path
        if settings.html is not None:
            from pytest_sender.report import write_text_atomically
            from pytest_sender.report_html import render_html_report

            self.html_path = self._output_path(settings.html)
            page = render_html_report(findings, strict=settings.strict, run=run, secrets=settings.secrets())
            write_text_atomically(self.html_path, page)
        from pytest_sender.report_github import github_outputs, step_summary

        summary_file, self.annotate = github_outputs(settings.github, os.environ)
        if summary_file is not None and findings:
            written = [("JSON", str(p)) for p in (self.report_path,) if p is not None]
            written += [("HTML", str(p)) for p in (self.html_path,) if p is not None]
            text = step_summary(
                findings, strict=settings.strict, run=run, report_paths=written, secrets=settings.secrets()
            )
            try:
                with summary_file.open("a", encoding="utf-8") as stream:
                    stream.write(text)
            except OSError as exc:
                self.notes.append(f"sender: cannot append to GITHUB_STEP_SUMMARY {summary_file}: {exc.strerror}")
            else:
                self.notes.append(f"sender: GitHub Actions step summary appended to {summary_file}")


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sender_settings(pytestconfig: pytest.Config) -> Settings:
    """The resolved pytest-sender settings (flags, then environment, then ini, then defaults)."""
    run = pytestconfig.stash.get(RUN_KEY, None)
    return run.settings if run is not None else _resolve(pytestconfig)


@pytest.fixture(scope="session")
def sender_contract() -> SenderContract:
    """Sender's API contract (``contracts/sender-transactional.openapi.yaml``) and checks against it.

    ``assert_valid_send_request(payload)`` / ``assert_valid_template_send_request(payload)`` fail with
    each field's path, what the contract expects and the fix; ``validate_response(method, path,
    status, headers, body)`` lists an answer's problems; ``document`` is the parsed OpenAPI document.
    Needs no extra: hypothesis strategies are in ``pytest_sender.strategies`` (``[contract]`` extra).
    """
    from pytest_sender.contract.assertions import SenderContract

    return SenderContract()


@pytest.fixture(scope="session")
def sender_sandbox_server(pytestconfig: pytest.Config) -> Generator[ApiSandbox, None, None]:
    """The sandbox Sender API, started once per session (per xdist worker) on 127.0.0.1 and a free port.

    Under ``--sender-sandbox`` it is the embedded sandbox's API server. Tests should use
    ``sender_sandbox``, which resets it before each test.
    """
    from pytest_sender.sandbox.api_server import ApiSandbox, ApiSandboxComponent

    run = pytestconfig.stash.get(RUN_KEY, None)
    if run is not None and run.sandbox is not None:
        for component in run.sandbox.components:
            if isinstance(component, ApiSandboxComponent) and component.sandbox is not None:
                yield component.sandbox
                return
    with ApiSandbox() as server:
        yield server


@pytest.fixture
def sender_sandbox(
    request: pytest.FixtureRequest, sender_sandbox_server: ApiSandbox
) -> Generator[ApiSandbox, None, None]:
    """A local Sender API on a real loopback socket, reset for this test.

    Point the app at ``sender_sandbox.base_url`` with ``sender_sandbox.token``. Accepted messages are in
    ``sender_sandbox.outbox``; every request is in ``sender_sandbox.requests``. ``inject(status=...,
    delay_s=..., drop=..., endpoint=..., to=..., times=N)`` makes matching requests fail and returns an
    ``Injection`` (``hits``). ``add_template(...)``, ``set_rate_limit(...)`` and ``exhaust_rate_limit()``
    shape the rest. No rate limit by default (no 429s; ``X-RateLimit-*`` headers still sent):
    ``@pytest.mark.sender_sandbox(rate_limit=60)`` or ``set_rate_limit(60)`` turns it on. At teardown an
    injection that matched nothing (unless ``assert_all_injections_used=False`` in the marker, or the
    test failed or skipped already) and any exception the sandbox raised (``errors``) fail the test; then the
    server is reset to its defaults.
    """
    from pytest_sender.sandbox.testing import SandboxOptions, teardown_failure

    try:
        options = SandboxOptions.from_markers((m.args, m.kwargs) for m in request.node.iter_markers("sender_sandbox"))
    except ValueError as exc:
        raise pytest.UsageError(f"pytest-sender: {exc}") from None
    sender_sandbox_server.prepare(rate_limit=options.rate_limit)
    try:
        yield sender_sandbox_server
        if request.node.stash.get(_NOT_PASSED_KEY, False):
            # It failed (or skipped) already: not also blamed for injections it never reached; the
            # sandbox's own errors still fail it.
            options = SandboxOptions(assert_all_injections_used=False, rate_limit=options.rate_limit)
        failure = teardown_failure(sender_sandbox_server, options)
    finally:
        # The session's server back to its defaults for whatever uses it next (sender_sandbox_server).
        sender_sandbox_server.reset()
    if failure is not None:
        pytest.fail(failure, pytrace=False)


@pytest.fixture
def sender_client(sender_sandbox: ApiSandbox) -> Generator[SenderClient, None, None]:
    """A synchronous :class:`pytest_sender.api.SenderClient` for ``sender_sandbox``, with a token it accepts."""
    from pytest_sender.api.client import SenderClient

    with SenderClient(sender_sandbox.base_url, sender_sandbox.token, timeout=5.0) as client:
        yield client


@pytest.fixture(scope="session")
def sender_smtp_relay_server(
    pytestconfig: pytest.Config, sender_sandbox_server: ApiSandbox
) -> Generator[SmtpSandboxComponent, None, None]:
    """The sandbox SMTP relay, started once per session; it records into the sandbox API's outbox.

    Under ``--sender-sandbox`` it is the embedded sandbox's relay. Tests should use ``sender_smtp_relay``.
    """
    from pytest_sender.sandbox.smtp_relay import SmtpSandboxComponent

    run = pytestconfig.stash.get(RUN_KEY, None)
    if run is not None and run.sandbox is not None:
        for component in run.sandbox.components:
            if isinstance(component, SmtpSandboxComponent):
                yield component
                return
    relay = SmtpSandboxComponent(outbox=sender_sandbox_server.outbox)
    relay.start("healthy")
    try:
        yield relay
    finally:
        relay.stop()


@pytest.fixture
def sender_smtp_relay(
    sender_smtp_relay_server: SmtpSandboxComponent, sender_sandbox: ApiSandbox
) -> SmtpSandboxComponent:
    """A local SMTP relay like Sender's (STARTTLS required, then AUTH PLAIN or LOGIN), reset for this test.

    Connect to ``host``:``port``, upgrade with ``client_context()`` (it trusts the relay's run-time CA),
    log in with ``username`` / ``password``. Accepted messages land in ``sender_sandbox.outbox`` with
    ``via="smtp"``, next to the API's; nothing is delivered anywhere.
    """
    return sender_smtp_relay_server


@pytest.fixture(scope="session")
def sender_spamd() -> Generator[Any, None, None]:
    """A spamd on loopback for ``assert_deliverable(message, max_spam_score=..., spamd=sender_spamd)``.

    Started once per session with SpamAssassin's network rules and Bayes off (the same message
    always scores the same); skips the test when Debian's spamd is not installed.
    """
    from pytest_sender.content.spamd import SpamdServer, find_spamd

    if find_spamd() is None:
        pytest.skip("sender_spamd needs SpamAssassin's spamd (Debian: apt-get install spamassassin spamd)")
    with SpamdServer() as server:
        yield server
