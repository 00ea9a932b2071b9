"""The WSGI entry point for any server: ``gunicorn wsgi:app``."""
from pathway_review import create_app

app = create_app()
