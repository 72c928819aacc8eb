"""Steps that survive the real world: retries, a time limit, and a caught failure that does not stop the run."""
from metaflow import FlowSpec, catch, retry, step, timeout


class ResilientFlow(FlowSpec):

    @step
    def start(self):
        self.next(self.fetch_data)

    @retry(times=4, minutes_between_retries=1)
    @timeout(minutes=30)
    @step
    def fetch_data(self):
        """Flaky network: retried up to 4 times, each attempt limited to 30 minutes."""
        self.rows = 1000
        self.next(self.optional_report)

    @catch(var="report_error")
    @step
    def optional_report(self):
        """A failure here is recorded in self.report_error and the flow goes on."""
        self.report = f"{self.rows} rows"
        self.next(self.end)

    @step
    def end(self):
        if self.report_error:
            print("report failed:", self.report_error)
        else:
            print(self.report)


if __name__ == "__main__":
    ResilientFlow()
