"""The process's recurring jobs, as the composition root wires them."""
from trading.bootstrap import build_core
from trading.scheduling import build_scheduler
from trading.settings import Settings


async def test_the_daily_report_is_scheduled_at_report_time_in_the_configured_timezone(tmp_path):
    settings = Settings(_env_file=None, market_data="replay", data_dir=tmp_path, report_time="07:30",
                        timezone="Asia/Seoul")
    core = await build_core(settings)
    try:
        scheduler = build_scheduler(core).scheduler
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert {"heartbeat", "market_refresh", "protective_exits", "equity_sample", "daily_report"} <= set(jobs)
        trigger = jobs["daily_report"].trigger
        fields = {f.name: str(f) for f in trigger.fields}
        assert (fields["hour"], fields["minute"]) == ("7", "30")
        assert str(trigger.timezone) == "Asia/Seoul"
        assert jobs["protective_exits"].trigger.interval.total_seconds() <= 5
    finally:
        await core.close()
