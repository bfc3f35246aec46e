"""A loopback HTTP server that answers every GET with JSON made from the request, for http tools."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Responder = Callable[[http.server.BaseHTTPRequestHandler], dict[str, Any]]


@contextmanager
def json_api(respond: Responder) -> Iterator[int]:
    """Serve `respond(request)` as a JSON body on 127.0.0.1; yields the port."""

    class _Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(respond(self)).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass  # keep test output quiet

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()
