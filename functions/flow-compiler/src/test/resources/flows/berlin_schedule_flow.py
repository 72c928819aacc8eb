"""Runs at 06:30 Berlin time, summer and winter alike: an EventBridge Scheduler schedule with a time zone."""
from metaflow import FlowSpec, Parameter, project, schedule, step


@schedule(cron="30 6 * * ? *", timezone="Europe/Berlin")
@project(name="reports")
class MorningReportFlow(FlowSpec):
    day = Parameter("day", default="today")

    @step
    def start(self):
        self.rows = 3
        self.next(self.end)

    @step
    def end(self):
        print(self.day, self.rows)


if __name__ == "__main__":
    MorningReportFlow()
