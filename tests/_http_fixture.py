"""A local HTTP server (127.0.0.1 only) serving a folder in the open-data server's layout.

Shared by the download tests (``tests/io/test_download.py``, ``tests/rio/test_rio_download.py``):
plain directory pages, ``Range`` requests answered with ``206``, and paths in
:attr:`Handler.broken` served with half their bytes (a dropped connection).
"""

import contextlib
import functools
import http.server
import os
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    broken: set = set()  # paths served with half their bytes (a dropped connection)
    requests: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.requests.append((self.path, self.headers.get("Range")))
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            return super().do_GET()
        if not os.path.exists(path):
            self.send_error(404)
            return
        with open(path, "rb") as fh:
            data = fh.read()
        start = 0
        if self.headers.get("Range"):
            start = int(self.headers["Range"].split("=")[1].split("-")[0])
            if start >= len(data):
                self.send_error(416)
                return
            self.send_response(206)
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path in self.broken:
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)


@contextlib.contextmanager
def serve(root):
    """Serve ``root`` on a free port of 127.0.0.1; yields the base URL (ending with ``/``)."""
    Handler.broken = set()
    Handler.requests = []
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
