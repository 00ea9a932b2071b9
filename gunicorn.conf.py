"""gunicorn settings for Pathway Review (read by ``gunicorn wsgi:app`` run from this folder).

The app is built once in the master, so a configuration error stops gunicorn with one line
("Error: ...") instead of every worker failing in turn; each worker then runs the start-up work
(``app_started``) for itself, after the fork, because threads do not survive one.
"""
import gc

preload_app = True


def post_worker_init(worker):
    from pathway_review import serving

    app = serving.find_app(worker.wsgi)
    if app is not None:
        serving.start(app)
    # What exists now (the app, the pathway library, its rendered documents) lives as long as the worker.
    # Left to the collector, every full collection walks it all: a 50-65 ms pause once in about 150 requests,
    # which was the slowest page in a hundred. Frozen, a full collection looks only at newer objects.
    gc.freeze()


def _access_log_without_probes():
    from gunicorn.glogging import Logger

    class AccessLogWithoutProbes(Logger):
        """Load balancers ask every host for /healthz and /readyz every few seconds; logging each answer
        that says "fine" would bury the requests of people. A probe that fails is still logged."""

        def access(self, resp, req, environ, request_time):
            if environ.get("PATH_INFO") in ("/healthz", "/readyz") and str(resp.status).startswith("200"):
                return
            super().access(resp, req, environ, request_time)

    return AccessLogWithoutProbes


logger_class = _access_log_without_probes()
