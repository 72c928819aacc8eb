"""The container AWS Batch starts for a Step Functions task: the registered job definition's container properties
with the task's container overrides applied as Batch applies them (SubmitJob `containerOverrides`): the override's
command replaces the definition's, environment variables are merged by name with the override's value winning, an
override's resource requirement replaces the definition's of the same type, and everything else (image, job role,
Linux parameters, devices, tmpfs, volumes and mount points, privileged mode, log configuration, ...) is the
definition's. Used by e2e/test_compiler_vs_metaflow.py to compare Flowgate's steps with Metaflow's, whose job
definitions differ in what they carry (Flowgate registers the environment every step shares; Metaflow passes it in
each state's overrides) but must add up to the same container.
"""
import copy

# Keys moto fills in on every job definition it stores (empty unless given); absent and empty are the same container.
_EMPTY_DEFAULTS = ("volumes", "mountPoints", "ulimits", "secrets", "linuxParameters")
_EFA_FIRST_DEVICE = "/dev/infiniband/uverbs0"


def merge(container_properties, container_overrides):
    """The effective container: definition `containerProperties` (Batch API casing) + a state's `ContainerOverrides`
    (the casing of Step Functions' batch:submitJob parameters). `Value.$` environment values stay JSONPaths."""
    effective = copy.deepcopy(container_properties)
    overrides = container_overrides or {}
    if "Command" in overrides:
        effective["command"] = list(overrides["Command"])
    environment = {e["name"]: e["value"] for e in effective.get("environment", [])}
    for entry in overrides.get("Environment", []):
        environment[entry["Name"]] = entry["Value"] if "Value" in entry else {"path": entry["Value.$"]}
    effective["environment"] = environment
    requirements = {r["type"]: r["value"] for r in effective.get("resourceRequirements", [])}
    for entry in overrides.get("ResourceRequirements", []):
        requirements[entry["Type"]] = entry["Value"]
    effective["resourceRequirements"] = requirements
    return effective


def canonical(effective):
    """The same container written one way: mount points resolved to what they mount (volume names are internal
    labels), moto's empty defaults dropped, and the one deliberate device difference mapped back (Flowgate's
    single-node EFA device names its container path and permissions, which Docker's defaults give Metaflow's bare
    `hostPath`: the same path, rwm)."""
    result = {k: v for k, v in effective.items() if not (k in _EMPTY_DEFAULTS and not v)}
    volumes = {v["name"]: {k: v[k] for k in v if k != "name"} for v in result.pop("volumes", [])}
    mounts = [{"containerPath": m["containerPath"], "source": volumes[m["sourceVolume"]],
               **{k: m[k] for k in m if k not in ("containerPath", "sourceVolume")}}
              for m in result.pop("mountPoints", [])]
    if mounts:
        result["mounts"] = sorted(mounts, key=lambda m: m["containerPath"])
    linux = dict(result.get("linuxParameters", {}))
    if linux.get("devices"):
        linux["devices"] = [{"hostPath": _EFA_FIRST_DEVICE} if d == {"hostPath": _EFA_FIRST_DEVICE, "containerPath": _EFA_FIRST_DEVICE,
                                                                    "permissions": ["READ", "WRITE", "MKNOD"]} else d
                            for d in linux["devices"]]
    if linux:
        result["linuxParameters"] = linux
    else:
        result.pop("linuxParameters", None)
    return result
