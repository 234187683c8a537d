"""The pytest plugin: options, role filtering, evidence capture and the reports at the end of a run.

``pytest --pyargs conformance --base-url URL --role ROLE`` loads it through the package's conftest;
the runner does the same. Scenarios are tagged with requirement ids (``@JUMIN-HDR-001``) and roles
(``@provider``); the tags become markers, which is how outcomes are traced back to requirements.
"""

from __future__ import annotations

import traceback
from datetime import UTC, datetime
from typing import Any

import pytest

from conformance import catalogue, html_report, reach, summary
from conformance.options import KitOptions, OptionsError, add_options, from_pytest
from conformance.results import FAILED, PASSED, SKIPPED, ScenarioOutcome

pytest_plugins = [
    "conformance.fixtures",
    "conformance.steps.common",
    "conformance.steps.safety",
    "conformance.steps.provider",
    "conformance.steps.rest",
    "conformance.steps.receiver",
    "conformance.steps.sender",
    "conformance.steps.zei",
]

OPTIONS_KEY = pytest.StashKey[KitOptions]()
OUTCOMES_KEY = pytest.StashKey[list[ScenarioOutcome]]()
STARTED_KEY = pytest.StashKey[datetime]()
FAILED_STEP_KEY = pytest.StashKey[tuple[str, str, list[dict[str, Any]]]]()
VERDICT_KEY = pytest.StashKey[str]()
NAMES_KEY = pytest.StashKey[tuple[str, str]]()
BROKEN_KEY = pytest.StashKey[str]()
RUN_LAST = "run_last"
BROKEN_EXIT = 3  # the runner's "the run broke": no verdict, no signed report


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for marker in ("jumin", "zei", "provider", "receiver", "sender"):
        config.addinivalue_line("markers", f"{marker}: conformance scenario scope")
    config.addinivalue_line("markers", f"{RUN_LAST}: judges what the whole run saw, so it runs after the rest")
    for req in catalogue.load():
        config.addinivalue_line("markers", f"{req.id}: {req.title}")
    if config.getoption("conformance_role", None) is None:
        return  # collecting without a target (e.g. --collect-only from the catalogue test)
    try:
        options = from_pytest(config)
    except OptionsError as exc:
        raise pytest.UsageError(str(exc)) from exc
    config.stash[OPTIONS_KEY] = options
    config.stash[OUTCOMES_KEY] = []
    config.stash[STARTED_KEY] = datetime.now(UTC).astimezone()
    if options.report_dir is not None:
        options.report_dir.mkdir(parents=True, exist_ok=True)
        if not getattr(config.option, "xmlpath", None):
            config.option.xmlpath = str(options.report_dir / summary.JUNIT)
        if not getattr(config.option, "cucumber_json_path", None):
            config.option.cucumber_json_path = str(options.report_dir / summary.CUCUMBER)


def pytest_sessionstart(session: pytest.Session) -> None:
    """A product that cannot be reached gets no report at all, rather than a signed 不準拠."""
    options = session.config.stash.get(OPTIONS_KEY, None)
    if options is None or options.role == "sender" or not options.base_url:
        return
    problem = reach.unreachable(options.base_url, options.timeout)
    if problem:
        session.config.stash[BROKEN_KEY] = problem
        pytest.exit(problem, returncode=BROKEN_EXIT)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the scenarios of the chosen role and service; the rest are deselected, not skipped."""
    options = config.stash.get(OPTIONS_KEY, None)
    if options is None:
        return
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        wanted = item.get_closest_marker(options.role) and item.get_closest_marker(options.service)
        (keep if wanted else drop).append(item)
    keep.sort(key=lambda item: item.get_closest_marker(RUN_LAST) is not None)  # stable: order kept
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    if OPTIONS_KEY in request.config.stash:
        request.node.stash[NAMES_KEY] = (feature.name, scenario.name)
        request.getfixturevalue("recorder").reset()


def pytest_bdd_before_step(request: pytest.FixtureRequest, step: Any) -> None:
    if OPTIONS_KEY in request.config.stash:
        request.getfixturevalue("recorder").current_step = f"{step.keyword} {step.name}"


def pytest_bdd_step_error(request: pytest.FixtureRequest, step: Any, exception: Exception) -> None:
    if OPTIONS_KEY not in request.config.stash:
        return
    name = f"{step.keyword} {step.name}"
    exchanges = request.getfixturevalue("recorder").for_step(name)
    message = str(exception) or type(exception).__name__
    if not isinstance(exception, AssertionError):
        message = "".join(traceback.format_exception_only(type(exception), exception)).strip()
    request.node.stash[FAILED_STEP_KEY] = (name, message[:4000], [e.to_dict() for e in exchanges])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    outcomes = item.config.stash.get(OUTCOMES_KEY, None)
    if outcomes is None:
        return report
    done = report.when == "call" or (report.when == "setup" and not report.passed)
    if done:
        outcomes.append(_outcome(item, report))
    return report


def _outcome(item: pytest.Item, report: pytest.TestReport) -> ScenarioOutcome:
    known = catalogue.by_id()
    ids = sorted({m.name for m in item.iter_markers() if m.name in known})
    feature, title = item.stash.get(NAMES_KEY, ("", item.name))
    outcome = PASSED if report.passed else SKIPPED if report.skipped else FAILED
    step, message, evidence = item.stash.get(FAILED_STEP_KEY, (None, None, []))
    if outcome == FAILED and message is None:
        message = str(report.longreprtext)[-4000:]
    return ScenarioOutcome(item.nodeid, feature, title, ids, outcome, round(report.duration, 3),
                           step, message, evidence)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """After JUnit and cucumber JSON are written: the HTML report, then the signed summary."""
    config = session.config
    options = config.stash.get(OPTIONS_KEY, None)
    if options is None or BROKEN_KEY in config.stash:
        return
    doc, _ = summary.build(options, config.stash[OUTCOMES_KEY], config.stash[STARTED_KEY],
                           datetime.now(UTC).astimezone())
    config.stash[VERDICT_KEY] = doc["verdict"]
    if options.report_dir is not None:
        html_report.write(options.report_dir, doc)
        summary.write(options.report_dir, doc, options.key_path)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    verdict = config.stash.get(VERDICT_KEY, None)
    if verdict is not None:
        options = config.stash[OPTIONS_KEY]
        terminalreporter.write_sep("=", f"判定 {options.service}/{options.role}: {verdict}")
