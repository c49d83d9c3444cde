"""A real local HTTP listener for alert webhooks (127.0.0.1, a free port, one thread)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Listener:
    def __init__(self, answer: int = 200):
        self.answer = answer
        self.received: list[dict] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                listener.received.append(
                    {"content_type": self.headers["Content-Type"], "json": json.loads(body)}
                )
                self.send_response(listener.answer)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alert"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def webhook():
    listener = Listener()
    yield listener
    listener.close()
