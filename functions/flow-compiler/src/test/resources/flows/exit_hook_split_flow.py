"""@exit_hook around a static split with a foreach in one branch: a failure anywhere reaches the on_error hook."""
from metaflow import FlowSpec, exit_hook, retry, step


def cleanup(run=None):
    print("removing temporary tables")


def announce(run):
    print(f"{run.pathspec} done")


@exit_hook(on_success=[announce, cleanup], on_error=[cleanup])
class ShardFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.fetch, self.prepare)

    @step
    def fetch(self):
        self.next(self.merge)

    @step
    def prepare(self):
        self.shards = [0, 1, 2]
        self.next(self.process, foreach="shards")

    @retry(times=1)
    @step
    def process(self):
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.next(self.merge)

    @step
    def merge(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ShardFlow()
