"""`trading-assistant backtest --decider llm`: a run against the fake OpenAI server, then an identical rerun offline."""
from bot.cli import main
from tests.fakes.openai_api import ThreadedFakeOpenAI
from tests.integration.llm.test_llm_backtest import trader

PERIOD = ["--symbol", "BTC/USDT", "--from", "2025-07-03", "--to", "2025-07-03"]


def test_an_llm_backtest_reruns_from_the_cache_with_the_same_report_and_exports_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LLM_MODEL", "fake-model")
    with ThreadedFakeOpenAI(default=trader) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        assert main(["backtest", "--decider", "llm", *PERIOD]) == 0
        served = len(fake.calls)
    first = capsys.readouterr().out
    # the server is gone; the rerun reads every reply from the cache
    assert main(["backtest", "--decider", "llm", "--llm-cache-only", *PERIOD,
                 "--export-llm-cache", str(tmp_path / "cache.jsonl")]) == 0
    again = capsys.readouterr().out
    assert served > 0 and f"Server calls this run: {served}" in first and "Server calls this run: 0" in again
    body = [line for line in first.splitlines() if "Server calls" not in line and "logged as" not in line]
    assert body == [line for line in again.splitlines() if "Server calls" not in line
                    and "logged as" not in line and "Exported" not in line and line]
    assert "LLM vs rules" in first and f"Exported {served} cached replies" in again
    assert len((tmp_path / "cache.jsonl").read_text().splitlines()) == served


def test_without_an_llm_the_llm_backtest_says_how_to_enable_one(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert main(["backtest", "--decider", "llm", *PERIOD]) == 2
    assert "set OPENAI_API_KEY or OPENAI_BASE_URL" in capsys.readouterr().err
