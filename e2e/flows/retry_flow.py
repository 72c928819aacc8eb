from metaflow import FlowSpec, current, retry, step


class RetryFlow(FlowSpec):
    """The flaky step fails on its first attempt and succeeds under @retry on the second."""

    @step
    def start(self):
        self.next(self.flaky)

    @retry(times=2, minutes_between_retries=0)
    @step
    def flaky(self):
        self.attempt_seen = current.retry_count
        if current.retry_count == 0:
            raise RuntimeError("failing on purpose on the first attempt")
        self.next(self.end)

    @step
    def end(self):
        self.done = True


if __name__ == "__main__":
    RetryFlow()
