"""Downloads the published Metaflow wheel of a version and pins its file hashes for the deployer's production gate.

The wheel is fetched with `pip download --no-deps --only-binary=:all:` (no shell, the version is validated first),
every file in the wheel is re-hashed and must equal the wheel's own RECORD, and the `metaflow/` lines are written to
functions/deployer/src/main/resources/trusted-metaflow/metaflow-<version>.record with the wheel's own SHA-256.
"""
import base64
import csv
import hashlib
import io
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "functions/deployer/src/main/resources/trusted-metaflow"
VERSION = re.compile(r"^[0-9][0-9A-Za-z.+_-]{0,63}$")


def pinned_version():
    for line in (ROOT / "scripts/python-requirements.txt").read_text().splitlines():
        m = re.match(r"^metaflow==(\S+)", line.strip())
        if m:
            return m.group(1)
    sys.exit("error: scripts/python-requirements.txt pins no metaflow==VERSION")


def b64sha256(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def main(argv):
    version = argv[1] if len(argv) > 1 else pinned_version()
    if not VERSION.match(version):
        sys.exit("error: %r is not a Metaflow version" % version)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                        "--only-binary=:all:", "-d", tmp, "metaflow==" + version], check=True)
        wheels = list(pathlib.Path(tmp).glob("metaflow-*.whl"))
        if len(wheels) != 1:
            sys.exit("error: expected one metaflow wheel, got %s" % [w.name for w in wheels])
        wheel = wheels[0]
        wheel_sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
        with zipfile.ZipFile(wheel) as z:
            record_name = "metaflow-%s.dist-info/RECORD" % version
            record = list(csv.reader(io.StringIO(z.read(record_name).decode("utf-8"))))
            recorded = {row[0]: (row[1], row[2]) for row in record if len(row) == 3}
            names = [n for n in z.namelist() if not n.endswith("/")]
            lines = []
            for name in names:
                if name == record_name:
                    continue
                data = z.read(name)
                if recorded.get(name) != (b64sha256(data), str(len(data))):
                    sys.exit("error: %s in %s does not match the wheel's RECORD; not trusting it" % (name, wheel.name))
                if name.startswith("metaflow/"):
                    lines.append("%s,%s,%d" % (name, b64sha256(data), len(data)))
            missing = set(recorded) - set(names)
            if missing:
                sys.exit("error: the wheel's RECORD lists files it does not contain: %s" % sorted(missing)[:5])
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / ("metaflow-%s.record" % version)
    out.write_text("# %s sha256=%s (pip download --no-deps; re-hashed against the wheel's RECORD)\n"
                   % (wheel.name, wheel_sha) + "\n".join(sorted(lines)) + "\n")
    print("pinned %d files of %s in %s" % (len(lines), wheel.name, out.relative_to(ROOT)))


if __name__ == "__main__":
    main(sys.argv)
