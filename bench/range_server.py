"""A static file server that honours HTTP Range requests (RFC 9110 §14), for benchmarking neuron on URLs.

    python3 bench/range_server.py FOLDER [PORT]     # prints 'serving on http://127.0.0.1:PORT/' once listening

python3 -m http.server ignores Range and sends whole files; this subclass answers 'bytes=a-b' with 206 and the slice,
sends an ETag and Content-Length, and counts requests and body bytes (GET /__stats).
"""

import http.server
import os
import re
import sys
import threading

SENT = {"requests": 0, "bytes": 0}
LOCK = threading.Lock()


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a client's ranged reads reuse one connection, as with any real server
    disable_nagle_algorithm = True  # headers and body are two writes: with Nagle, each answer would wait for a delayed ACK

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/__stats":
            body = f'{{"requests": {SENT["requests"]}, "bytes": {SENT["bytes"]}}}'.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        path = self.translate_path(self.path)
        if not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        size = os.path.getsize(path)
        stat = os.stat(path)
        etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
        start, end, status = 0, size - 1, 200
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        if match and (match.group(1) or match.group(2)):
            if match.group(1):
                start = int(match.group(1))
                end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
            else:
                start = max(size - int(match.group(2)), 0)
            if start >= size or start > end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        length = end - start + 1
        self.send_response(status)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(length))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        with open(path, "rb") as f:
            f.seek(start)
            left = length
            while left > 0:
                chunk = f.read(min(left, 1 << 20))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)
        with LOCK:
            SENT["requests"] += 1
            SENT["bytes"] += length


def main():
    folder = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    handler = lambda *a, **k: RangeHandler(*a, directory=folder, **k)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    print(f"serving on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
