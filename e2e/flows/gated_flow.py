import os
import time

from metaflow import FlowSpec, step


class GatedFlow(FlowSpec):
    """start waits until the file named by E2E_GATE_FILE exists (the test opens the gate), then end."""

    @step
    def start(self):
        gate = os.environ.get("E2E_GATE_FILE")
        deadline = time.time() + 180
        while gate and not os.path.exists(gate) and time.time() < deadline:
            time.sleep(0.2)
        self.opened = bool(gate) and os.path.exists(gate)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    GatedFlow()
