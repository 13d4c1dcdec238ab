"""What the test servers (fault_s3.py, fake_aws.py) share: serving on loopback until SIGTERM / SIGINT, with the
port announced the way the tests wait for it. Python 3 stdlib only; imported from the script's own directory."""
import os
import signal
import sys
import threading


def serve(server, name, port_file=None, on_stop=None):
    """Serves `server` until SIGTERM or SIGINT, then closes it. The bound port goes to `port_file` (written to a
    temp name, then renamed, so a reader never sees half a number) and to a line on stderr. `on_stop` runs first
    when a signal arrives (e.g. to cut stalled responses short)."""
    port = server.server_address[1]

    def on_signal(signum, frame):
        if on_stop:
            on_stop()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if port_file:
        tmp = f"{port_file}.tmp-{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, port_file)
    print(f"{name}: listening on 127.0.0.1:{port}", file=sys.stderr, flush=True)
    server.serve_forever(poll_interval=0.1)
    server.server_close()
