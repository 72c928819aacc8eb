"""A flaky step that succeeds on its second attempt and a doomed step whose failure @catch records."""
from metaflow import FlowSpec, catch, current, retry, step


class ResilientRunFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.flaky)

    @retry(times=2, minutes_between_retries=0)
    @step
    def flaky(self):
        if current.retry_count < 1:
            raise RuntimeError("the first attempt fails")
        self.attempt = current.retry_count
        self.next(self.doomed)

    @catch(var="failure")
    @step
    def doomed(self):
        raise ValueError("this step always fails")
        self.next(self.end)  # noqa: unreachable; Metaflow's graph reads it

    @step
    def end(self):
        self.summary = {"attempt": self.attempt, "caught": str(self.failure.exception) if self.failure else None}


if __name__ == "__main__":
    ResilientRunFlow()
