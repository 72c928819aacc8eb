"""Exit hooks that report what they saw: on success, on error, and one that fails itself."""
from metaflow import FlowSpec, Parameter, exit_hook, step


def report_success(run):
    print(f"HOOK on_success {run.pathspec} successful={run.successful}")


def report_failure(run):
    print(f"HOOK on_error {run.pathspec} successful={run.successful}")


def broken_hook():
    raise RuntimeError("this hook fails; the run's outcome must not change")


@exit_hook(on_success=[broken_hook, report_success], on_error=[broken_hook, report_failure])
class HookedFlow(FlowSpec):
    fail = Parameter("fail", default=0, type=int)

    @step
    def start(self):
        if self.fail:
            raise RuntimeError("start fails on request")
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    HookedFlow()
