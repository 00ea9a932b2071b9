"""gunicorn settings for Pathway Review (read by ``gunicorn wsgi:app`` run from this folder).

The app is built once in the master, so a configuration error stops gunicorn with one line
("Error: ...") instead of every worker failing in turn; each worker then runs the start-up work
(``app_started``) for itself, after the fork, because threads do not survive one.
"""
preload_app = True


def post_worker_init(worker):
    from pathway_review import serving

    app = serving.find_app(worker.wsgi)
    if app is not None:
        serving.start(app)
