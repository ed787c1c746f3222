"""gunicorn settings for the menu container (read-only root file system, logs as JSON on stdout)."""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = 4
# The heartbeat file lives on the task's writable scratch volume; the root file system is read-only.
worker_tmp_dir = "/tmp"
# Each worker imports the app after the fork, so each has its own span exporter thread.
preload_app = False
# The app logs every request as a JSON line with its trace id; gunicorn's own access log would be a second style.
accesslog = None
errorlog = "-"
timeout = 30
# ECS stops a task with SIGTERM and waits stopTimeout (30 s) before SIGKILL.
graceful_timeout = 25
keepalive = 75  # longer than the load balancer's 60 s idle timeout, so it never reuses a closed connection


def worker_exit(server, worker):  # noqa: ARG001 - gunicorn's hook signature
    """Flush the worker's buffered spans before it exits."""
    from opentelemetry import trace

    provider = trace.get_tracer_provider()
    if hasattr(provider, "shutdown"):
        provider.shutdown()
