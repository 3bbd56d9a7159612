"""The web view of `serve` and the HTML report in a real browser: the failing trace is listed,
the filters work, and its offending span is drawn highlighted."""

import io
import threading

import pytest
import requests
from selenium.webdriver.common.by import By

from cspotlp.cli import main
from cspotlp.conformance import ConformanceChecker
from cspotlp.conformance.spec import load_spec
from cspotlp.otlp import dump_proto_stream
from cspotlp.otlp.otlp_proto import encode_request
from cspotlp.serve import Receiver, ServeConfig, ServerThread
from tests.flow_fixtures import (
    CHECKOUT_ABSTRACTION,
    CHECKOUT_SPEC,
    checkout_abstraction,
    checkout_traces,
)

pytestmark = pytest.mark.browser

TRACES = checkout_traces()
FAILING = TRACES[3]  # ships before charging


def offending_span_id():
    process, env = load_spec(CHECKOUT_SPEC, "SPEC")
    checker = ConformanceChecker.for_process(process, env, checkout_abstraction())
    return checker.check(FAILING).failure.span.span_id


def visible_rows(browser):
    return [r.get_attribute("data-trace-id")
            for r in browser.find_elements(By.CSS_SELECTOR, "tr.trace-row") if r.is_displayed()]


def highlighted(browser):
    """The offending span in the timeline and in the tree, both drawn and visible."""
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.timeline g.span.offending")
    nodes = browser.find_elements(By.CSS_SELECTOR, ".tree svg g.node.offending")
    assert len(bars) == 1 and len(nodes) == 1
    assert bars[0].is_displayed() and nodes[0].is_displayed()
    rect = bars[0].find_element(By.CSS_SELECTOR, "rect")
    assert rect.value_of_css_property("stroke") == "rgb(255, 140, 0)"  # the orange outline
    return bars[0].get_attribute("data-span-id")


@pytest.fixture(scope="module")
def live_server():
    process, env = load_spec(CHECKOUT_SPEC, "SPEC")
    checker = ConformanceChecker.for_process(process, env, checkout_abstraction())
    config = ServeConfig(http="127.0.0.1:0", grpc=None, trace_timeout=0.05)
    done = threading.Semaphore(0)
    receiver = Receiver(checker, config, out=io.StringIO(), on_verdict=lambda r, latency: done.release())
    with ServerThread(receiver) as server:
        for trace in TRACES:
            requests.post(server.http_url + "/v1/traces",
                          data=encode_request(trace.spans).SerializeToString(),
                          headers={"Content-Type": "application/x-protobuf"}, timeout=10)
        for _ in TRACES:
            assert done.acquire(timeout=30)
        yield server


def test_serve_lists_the_failing_trace_and_highlights_its_offending_span(browser, live_server,
                                                                        artifacts):
    browser.get(live_server.http_url + "/")
    assert sorted(visible_rows(browser)) == sorted(t.trace_id for t in TRACES)
    row = browser.find_element(By.CSS_SELECTOR, f'tr[data-trace-id="{FAILING.trace_id}"]')
    assert row.get_attribute("data-verdict") == "fail"
    browser.find_element(By.CSS_SELECTOR, 'input[name=verdict][value=fail]').click()
    assert visible_rows(browser) == [FAILING.trace_id]
    browser.find_element(By.CSS_SELECTOR, 'input[name=verdict][value=all]').click()
    search = browser.find_element(By.CSS_SELECTOR, "input[name=q]")
    search.send_keys(TRACES[1].trace_id[-6:])
    assert visible_rows(browser) == [TRACES[1].trace_id]
    browser.get(live_server.http_url + "/?verdict=fail&q=shipping")  # without the script
    assert [r.get_attribute("data-trace-id")
            for r in browser.find_elements(By.CSS_SELECTOR, "tr.trace-row")] == [FAILING.trace_id]
    browser.find_element(By.LINK_TEXT, FAILING.trace_id).click()
    assert highlighted(browser) == offending_span_id()
    assert "refused: call.ShipOrder" in browser.page_source
    [refused] = browser.find_elements(By.CSS_SELECTOR, ".spec-path svg g.node.refused")
    assert refused.is_displayed()
    browser.save_screenshot(str(artifacts / "serve-trace-page.png"))
    browser.get(live_server.http_url + "/spec")
    assert browser.find_elements(By.CSS_SELECTOR, ".spec svg g.node")


def test_report_lists_the_failing_trace_and_highlights_its_offending_span(browser, tmp_path,
                                                                          artifacts, capsys):
    capture = tmp_path / "checkout.pb"
    capture.write_bytes(dump_proto_stream(TRACES))
    report = tmp_path / "report.html"
    assert main(["report", str(capture), "--spec", str(CHECKOUT_SPEC), "--abstraction",
                 str(CHECKOUT_ABSTRACTION), "-o", str(report)]) == 1
    browser.get(report.as_uri())
    browser.find_element(By.CSS_SELECTOR, 'input[name=verdict][value=fail]').click()
    assert visible_rows(browser) == [FAILING.trace_id]
    browser.find_element(By.LINK_TEXT, FAILING.trace_id).click()
    section = browser.find_element(By.ID, f"trace-{FAILING.trace_id}")
    bar = section.find_element(By.CSS_SELECTOR, "svg.timeline g.span.offending")
    assert bar.is_displayed() and bar.get_attribute("data-span-id") == offending_span_id()
    assert section.find_element(By.CSS_SELECTOR, ".tree svg g.node.offending").is_displayed()
    browser.save_screenshot(str(artifacts / "report.png"))
    assert (artifacts / "report.png").stat().st_size > 10_000
