from metaflow import FlowSpec, step


class SingleFlow(FlowSpec):
    @step
    def only(self):
        print("one step")


if __name__ == "__main__":
    SingleFlow()
