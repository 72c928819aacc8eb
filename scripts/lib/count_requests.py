#!/usr/bin/env python3
"""A reverse proxy that logs every request the Metaflow client sends to the metadata API, to measure its pattern.

    python3 scripts/lib/count_requests.py --listen 18080 --to http://127.0.0.1:8080 --log /tmp/requests.log

Point the flows at the proxy (METAFLOW_SERVICE_URL / FLOWGATE_URL) and run them: each request is forwarded
unchanged and appended to the log as one JSON line {"method", "path", "status", "bytes", "rows" (of a JSON array body), "t"}. `scripts/bench-metadata
--pattern-from LOG` turns such a log into requests per task by route.
"""
import argparse
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--to", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    target = args.to.rstrip("/")
    lock = threading.Lock()
    log = open(args.log, "a", buffering=1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            request = urllib.request.Request(target + self.path, data=body, method=self.command, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    status, payload, reply_headers = response.status, response.read(), response.headers.items()
            except urllib.error.HTTPError as e:
                status, payload, reply_headers = e.code, e.read(), e.headers.items()
            rows = None
            if body:
                try:
                    parsed = json.loads(body)
                    rows = len(parsed) if isinstance(parsed, list) else None
                except ValueError:
                    pass
            with lock:
                log.write(json.dumps({"method": self.command, "path": self.path, "status": status,
                                      "bytes": len(body or b""), "rows": rows, "t": round(time.time(), 3)}) + "\n")
            self.send_response(status)
            for k, v in reply_headers:
                if k.lower() not in HOP_BY_HOP:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", args.listen), Handler).serve_forever()


if __name__ == "__main__":
    main()
