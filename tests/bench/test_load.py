"""The pure parts of the load tool: the loopback guard, the caps, the protocol messages and the report."""

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.load import (
    MAX_SESSIONS,
    Run,
    SessionResult,
    bounded,
    format_report,
    loopback_url,
    read_message,
    rerun_request,
    summarize,
)


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.1:8501", ("127.0.0.1", 8501)),
    ("http://127.0.0.7:9000/", ("127.0.0.7", 9000)),
    ("http://localhost:8600", ("127.0.0.1", 8600)),
    ("http://[::1]:8501", ("::1", 8501)),
])
def test_loopback_urls_are_accepted(url, expected):
    assert loopback_url(url) == expected


@pytest.mark.parametrize("url", [
    "http://10.0.0.5:8501", "http://192.168.1.1", "http://example.org:8501", "http://0.0.0.0:8501",
    "https://127.0.0.1:8501", "ws://127.0.0.1:8501", "127.0.0.1:8501", "http://127.0.0.1.example.org",
    "http://127.0.0.1:8501/carte",
])
def test_other_urls_are_refused_in_french(url):
    with pytest.raises(ValueError, match="Adresse refusée"):
        loopback_url(url)


def test_sessions_and_duration_are_capped():
    assert bounded(50, 300) == (50, 300)
    assert bounded(MAX_SESSIONS, 1) == (MAX_SESSIONS, 1)
    for sessions, timeout in ((0, 300), (MAX_SESSIONS + 1, 300), (50, 0), (50, 100_000)):
        with pytest.raises(ValueError, match="hors limites"):
            bounded(sessions, timeout)


def test_rerun_request_names_page_query_and_hash():
    msg = BackMsg()
    msg.ParseFromString(rerun_request("carte", "region=84&theme=x", "abc"))
    assert msg.WhichOneof("type") == "rerun_script"
    assert (msg.rerun_script.page_name, msg.rerun_script.query_string, msg.rerun_script.page_script_hash) == (
        "carte", "region=84&theme=x", "abc")


def _forward(**fields) -> bytes:
    msg = ForwardMsg(**{k: v for k, v in fields.items() if k != "exception"})
    if "exception" in fields:
        msg.delta.new_element.exception.type = "KeyError"
        msg.delta.new_element.exception.message = fields["exception"]
    return msg.SerializeToString()


def test_a_run_ends_on_success_and_keeps_the_page_hash_and_errors():
    run = Run()
    navigation = ForwardMsg()
    navigation.navigation.page_script_hash = "h-carte"
    for data in (navigation.SerializeToString(), _forward(exception="'region'"),
                 _forward(script_finished=ForwardMsg.FINISHED_EARLY_FOR_RERUN)):
        read_message(data, run)
    assert not run.finished  # st.rerun(): the page's run goes on
    read_message(_forward(script_finished=ForwardMsg.FINISHED_SUCCESSFULLY), run)
    assert run.finished and run.page_script_hash == "h-carte" and run.messages == 4
    assert run.errors == ["exception KeyError: 'region'"]


def test_compile_error_and_missing_page_are_errors():
    run = Run()
    missing = ForwardMsg()
    missing.page_not_found.page_name = "nulle-part"
    read_message(missing.SerializeToString(), run)
    read_message(_forward(script_finished=ForwardMsg.FINISHED_WITH_COMPILE_ERROR), run)
    assert run.finished
    assert run.errors == ["page introuvable : 'nulle-part'", "erreur de compilation du script"]


def test_summary_counts_failed_sessions_and_times_only_the_others():
    results = [SessionResult(i, first_s=i + 1.0, change_s=0.1 * (i + 1), bytes=100) for i in range(20)]
    results.append(SessionResult(20, first_s=99.0, errors=["délai dépassé (--timeout)"], bytes=0))
    summary = summarize(results)
    assert summary["sessions"] == 21 and summary["sessions_with_errors"] == 1
    assert summary["errors"] == ["délai dépassé (--timeout)"]
    first = summary["first_load"]
    # 1 … 20 s: median 10.5 s; p95 by linear interpolation at rank 0.95 × 19 = 18.05 → 19.05 s
    assert (first["n"], first["median_ms"], first["p95_ms"], first["max_ms"]) == (20, 10500.0, 19050.0, 20000.0)
    assert summary["filter_change"]["max_ms"] == 2000.0
    assert summary["mean_bytes_received"] == round(2000 / 21)


def test_report_is_french():
    wave = {"rss_before_mb": 1234.5, "rss_peak_mb": 1300.0, "rss_after_mb": 1240.0,
            "summary": summarize([SessionResult(0, first_s=1.5, change_s=0.25)])}
    warm = [{"page": "/carte", "n": 10, "median_ms": 1174.0, "p95_ms": 1200.0, "errors": []}]
    text = format_report({"page": "/carte", "warm": warm, "waves": [wave]})
    assert "Rerun chaud /carte" in text and "médiane 1\u202f174 ms" in text
    assert "Vague 1 : 1 session sur /carte, 0 session en erreur" in text
    assert "médiane 1\u202f500 ms" in text and "médiane 250 ms" in text
    assert "avant 1\u202f234 Mo, pic 1\u202f300 Mo, après 1\u202f240 Mo" in text
