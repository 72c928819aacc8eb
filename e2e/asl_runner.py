"""Runs a compiled state machine on this machine: the states in Python, every Batch job as a real process.

No emulator executes AWS Batch containers (moto's Step Functions fails every `batch:submitJob.sync` task), so
nothing else can show that the commands Flowgate generates really run Metaflow's runtime: that the code
package downloads, `init` registers the parameters, each `step` finds its inputs, foreach bookkeeping reaches
DynamoDB, a switch records its choice, and a `@parallel` gang forms. This runner interprets the subset of the
Amazon States Language Flowgate emits (Task, Parallel, Map, Choice, Fail, Succeed, Pass; Parameters, `.$` paths,
ResultSelector, ResultPath, OutputPath, Catch, the Batch job's RetryStrategy) and runs each Batch job's container
command with `bash -c` in a fresh directory, with the job definition's environment, its `secrets` (each `valueFrom`
read from Secrets Manager — the emulator's — when the job starts, as Batch does), the state's overrides and
the variables AWS Batch sets (`AWS_BATCH_JOB_ID`, `AWS_BATCH_JOB_ATTEMPT`, multi-node indexes). DynamoDB tasks go
to a real DynamoDB API (moto) with boto3. The runtime, metadata service and datastore the jobs talk to are real.

What it does not model: Batch scheduling, queues, resources, timeouts, and the container image (jobs run with
this machine's Python, which must have Metaflow installed, as the image must).
"""
import copy
import fnmatch
import json
import os
import re
import subprocess
import tempfile
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3

BATCH = ":states:::batch:submitJob.sync"


class StatesError(Exception):
    """A state failed: `error` and `cause` as Step Functions reports them."""

    def __init__(self, error, cause):
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class Execution:
    """One execution of a definition. `run()` returns the output or raises StatesError."""

    def __init__(self, definition, job_definitions, name, env, workdir, python_bin_dir, log=print):
        self.definition = definition
        self.job_definitions = {d["jobDefinitionName"]: d for d in job_definitions}
        self.name = name
        self.env = env
        self.workdir = workdir
        self.python_bin_dir = python_bin_dir
        self.log = log
        session = boto3.session.Session(
            aws_access_key_id=env.get("AWS_ACCESS_KEY_ID"), aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
            region_name=env.get("AWS_DEFAULT_REGION", "us-east-1"))
        self.dynamodb = session.client("dynamodb", endpoint_url=env.get("AWS_ENDPOINT_URL"))
        self.secretsmanager = session.client("secretsmanager", endpoint_url=env.get("AWS_ENDPOINT_URL"))
        self.jobs = []  # (state name, job id, exit code, attempt) of every container run, in order
        self.visited = []
        self._lock = threading.Lock()

    def run(self, execution_input):
        return self._machine(self.definition, execution_input, {"Execution": {"Name": self.name}})

    # --- the state machine -------------------------------------------------------------------------------

    def _machine(self, machine, data, context):
        name = machine["StartAt"]
        states = machine["States"]
        while True:
            state = states[name]
            with self._lock:
                self.visited.append(name)
            try:
                data, next_name = self._state(name, state, data, context)
            except StatesError as error:
                handler = next((c for c in state.get("Catch", [])
                                if "States.ALL" in c["ErrorEquals"] or error.error in c["ErrorEquals"]), None)
                if handler is None:
                    raise
                data = _put(data, handler.get("ResultPath", "$"), {"Error": error.error, "Cause": error.cause})
                next_name = handler["Next"]
            if next_name is None:
                return data
            name = next_name

    def _state(self, name, state, data, context):
        kind = state["Type"]
        if kind == "Fail":
            error = _value(state["ErrorPath"], data, context) if "ErrorPath" in state else state.get("Error", "States.Fail")
            cause = _value(state["CausePath"], data, context) if "CausePath" in state else state.get("Cause", "")
            raise StatesError(error, cause)
        if kind == "Succeed":
            return data, None
        if kind == "Choice":
            for rule in state["Choices"]:
                if _matches(rule, data):
                    return data, rule["Next"]
            if "Default" not in state:
                raise StatesError("States.NoChoiceMatched", f"no choice of {name} matched")
            return data, state["Default"]
        # a Map's Parameters select each item (below), not the state's input
        effective = _resolve(state["Parameters"], data, context) if "Parameters" in state and kind != "Map" else data
        if kind == "Pass":
            result = state.get("Result", effective)
        elif kind == "Task":
            result = self._task(name, state, effective, context)
        elif kind == "Parallel":
            with ThreadPoolExecutor(max_workers=len(state["Branches"])) as pool:
                futures = [pool.submit(self._machine, branch, copy.deepcopy(effective), context)
                           for branch in state["Branches"]]
                result = [f.result() for f in futures]
        elif kind == "Map":
            result = self._map(state, data, context)
        else:
            raise StatesError("States.Runtime", f"state type {kind} is not supported by this runner")
        if "ResultSelector" in state:
            result = _resolve(state["ResultSelector"], result, context)
        output = _put(data, state.get("ResultPath", "$"), result)
        if "OutputPath" in state:
            output = {} if state["OutputPath"] is None else _get(output, state["OutputPath"], context)
        return output, None if state.get("End") else state["Next"]

    def _map(self, state, data, context):
        items = _get(data, state.get("ItemsPath", "$"), context)
        processor = state.get("ItemProcessor") or state["Iterator"]
        concurrency = state.get("MaxConcurrency") or len(items) or 1

        def one(index_value):
            index, value = index_value
            item_context = dict(context, Map={"Item": {"Index": index, "Value": value}})
            template = state.get("ItemSelector") or state.get("Parameters")
            item = _resolve(template, data, item_context) if template else value
            return self._machine(processor, item, item_context)

        with ThreadPoolExecutor(max_workers=min(concurrency, 8)) as pool:
            return list(pool.map(one, enumerate(items)))

    def _task(self, name, state, parameters, context):
        resource = state["Resource"]
        for action, call in ((":dynamodb:getItem", self.dynamodb.get_item), (":dynamodb:updateItem", self.dynamodb.update_item),
                             (":dynamodb:deleteItem", self.dynamodb.delete_item)):
            if resource.endswith(action):
                try:
                    result = call(**parameters)
                except self.dynamodb.exceptions.ConditionalCheckFailedException as e:
                    raise StatesError("DynamoDB.ConditionalCheckFailedException", str(e))
                result.pop("ResponseMetadata", None)
                return result
        if resource.endswith(BATCH):
            return self._batch_job(name, parameters)
        raise StatesError("States.Runtime", f"resource {resource} is not supported by this runner")

    # --- AWS Batch ---------------------------------------------------------------------------------------

    def _batch_job(self, state_name, parameters):
        definition = self.job_definitions.get(parameters["JobDefinition"])
        if definition is None:
            raise StatesError("Batch.ClientException", f"job definition {parameters['JobDefinition']} is not registered")
        job_id = str(uuid.uuid4())
        attempts = parameters.get("RetryStrategy", {}).get("Attempts", 1)
        for attempt in range(1, attempts + 1):
            if "NodeOverrides" in parameters:
                codes = self._multi_node(state_name, definition, parameters, job_id, attempt)
            else:
                container = definition["containerProperties"]
                codes = [self._container(state_name, container, parameters["ContainerOverrides"], job_id, attempt, {})]
            if all(code == 0 for code in codes):
                return {"JobId": job_id, "JobName": parameters.get("JobName"), "Parameters": parameters.get("Parameters", {})}
        raise StatesError("States.TaskFailed", f"Batch job {job_id} of {state_name} failed after {attempts} attempt(s)")

    def _secrets(self, container):
        """The job definition's `secrets`, resolved as Batch does when a job starts (a Secrets Manager ARN; a
        `:json-key::` suffix selects one key of a JSON secret). Batch needs an execution role to read them."""
        secrets = container.get("secrets", [])
        if secrets and not container.get("executionRoleArn"):
            raise StatesError("Batch.ClientException", "secrets need an executionRoleArn in the job definition")
        values = {}
        for secret in secrets:
            # arn:aws:secretsmanager:region:account:secret:name[:json-key:version-stage:version-id]
            parts = secret["valueFrom"].split(":")
            arn, json_key = ":".join(parts[:7]), (parts[7] if len(parts) > 7 else "") or None
            value = self.secretsmanager.get_secret_value(SecretId=arn)["SecretString"]
            values[secret["name"]] = json.loads(value)[json_key] if json_key else value
        return values

    def _multi_node(self, state_name, definition, parameters, job_id, attempt):
        nodes = parameters["NodeOverrides"]["NumNodes"]
        ranges = definition["nodeProperties"]["nodeRangeProperties"]
        overrides = parameters["NodeOverrides"]["NodePropertyOverrides"]

        def node(index):
            container = next(r["container"] for r in ranges if _in_range(index, r["targetNodes"], nodes))
            override = next(o["ContainerOverrides"] for o in overrides if _in_range(index, o["TargetNodes"], nodes))
            extra = {"AWS_BATCH_JOB_NUM_NODES": str(nodes), "AWS_BATCH_JOB_NODE_INDEX": str(index),
                     "AWS_BATCH_JOB_MAIN_NODE_INDEX": "0", "AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS": "127.0.0.1"}
            return self._container(state_name, container, override, f"{job_id}#{index}", attempt, extra)

        with ThreadPoolExecutor(max_workers=nodes) as pool:
            return list(pool.map(node, range(nodes)))

    def _container(self, state_name, container, overrides, job_id, attempt, extra):
        env = dict(self.env)
        env.update({e["name"]: e["value"] for e in container.get("environment", [])})
        env.update(self._secrets(container))
        env.update({e["Name"]: e["Value"] for e in overrides.get("Environment", [])})
        env.update(extra)
        env.update({"AWS_BATCH_JOB_ID": job_id, "AWS_BATCH_JOB_ATTEMPT": str(attempt), "AWS_BATCH_CE_NAME": "local",
                    "AWS_BATCH_JQ_NAME": "local", "AWS_EXECUTION_ENV": "local", "METAFLOW_SKIP_INSTALL_DEPENDENCIES": "1",
                    "PATH": self.python_bin_dir + os.pathsep + env.get("PATH", "")})
        command = overrides.get("Command") or container["command"]
        directory = tempfile.mkdtemp(prefix=f"{state_name.strip('#*?!')[:20]}-", dir=self.workdir)
        with open(os.path.join(directory, "job.log"), "wb") as out:
            code = subprocess.run(command, cwd=directory, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=600).returncode
        with self._lock:
            self.jobs.append((state_name, job_id, code, attempt, directory))
        self.log(f"    job {state_name} {job_id} attempt {attempt}: exit {code}")
        return code


# --- JSONPath and paths (the subset Flowgate emits) ---------------------------------------------------------

def _tokens(path):
    """`$.a.b[0].c` → ["a", "b", 0, "c"]; `$[1]` → [1]."""
    tokens, i = [], 1
    while i < len(path):
        if path[i] == ".":
            j = i + 1
            while j < len(path) and path[j] not in ".[":
                j += 1
            tokens.append(path[i + 1:j])
            i = j
        elif path[i] == "[":
            j = path.index("]", i)
            tokens.append(int(path[i + 1:j]))
            i = j + 1
        else:
            raise StatesError("States.Runtime", f"unsupported path {path}")
    return tokens


def _get(data, path, context=None):
    if path.startswith("$$"):
        data, path = context, path[1:]
    value = data
    for token in _tokens(path):
        try:
            value = value[token]
        except (KeyError, IndexError, TypeError):
            raise StatesError("States.Runtime", f"the path {path} does not exist in the input")
    return value


def _put(data, path, result):
    if path is None:
        return data
    if path == "$":
        return result
    output = copy.deepcopy(data)
    target = output
    tokens = _tokens(path)
    for token in tokens[:-1]:
        target = target.setdefault(token, {})
    target[tokens[-1]] = result
    return output


def _resolve(template, data, context):
    if isinstance(template, dict):
        resolved = {}
        for key, value in template.items():
            if key.endswith(".$"):
                resolved[key[:-2]] = _value(value, data, context)
            else:
                resolved[key] = _resolve(value, data, context)
        return resolved
    if isinstance(template, list):
        return [_resolve(v, data, context) for v in template]
    return template


def _value(expression, data, context):
    """A path, or an intrinsic function Flowgate emits (States.Format, States.Array, States.ArrayLength,
    States.ArrayGetItem, States.StringSplit), arguments being paths, 'strings', numbers or nested intrinsics."""
    if not expression.startswith("States."):
        return _get(data, expression, context)
    name, rest = expression[len("States."):].split("(", 1)
    args = [_argument(arg, data, context) for arg in _split_arguments(rest[:-1])]
    if name == "Format":
        text = args[0]
        for value in args[1:]:
            text = text.replace("{}", value if isinstance(value, str) else json.dumps(value), 1)
        return text
    if name == "Array":
        return args
    if name == "ArrayLength":
        return len(args[0])
    if name == "ArrayGetItem":
        return args[0][args[1]]
    if name == "StringSplit":
        return [part for part in args[0].split(args[1]) if part]
    raise StatesError("States.Runtime", f"intrinsic States.{name} is not supported by this runner")


def _split_arguments(text):
    """Top-level comma-separated arguments (commas inside quotes or parentheses do not split)."""
    args, depth, quoted, current = [], 0, False, ""
    for i, ch in enumerate(text):
        if ch == "'" and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            args.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        args.append(current.strip())
    return args


def _argument(arg, data, context):
    if arg.startswith("'"):
        return arg[1:-1].replace("\\'", "'")
    if arg.startswith("$"):
        return _get(data, arg, context)
    if arg.startswith("States."):
        return _value(arg, data, context)
    return json.loads(arg)


def _matches(rule, data):
    if "And" in rule:
        return all(_matches(r, data) for r in rule["And"])
    if "IsPresent" in rule:
        try:
            _get(data, rule["Variable"])
            return rule["IsPresent"]
        except StatesError:
            return not rule["IsPresent"]
    value = _get(data, rule["Variable"]) if "Variable" in rule else None
    if "StringEquals" in rule:
        return value == rule["StringEquals"]
    if "NumericGreaterThanEquals" in rule:
        return isinstance(value, (int, float)) and value >= rule["NumericGreaterThanEquals"]
    if "StringMatches" in rule:
        return isinstance(value, str) and fnmatch.fnmatchcase(value, rule["StringMatches"])
    raise StatesError("States.Runtime", f"unsupported choice rule {rule}")


def _in_range(index, target, nodes):
    start, _, end = target.partition(":")
    start = int(start) if start else 0
    end = int(end) if end else nodes - 1
    return start <= index <= end


def load_input(parameters=None):
    """The execution input Metaflow's deployed flows take: {"Parameters": "<JSON of the parameter values>"}."""
    return {"Parameters": json.dumps(parameters or {})}
