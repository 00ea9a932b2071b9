"""A contributor that holds a rebuild until the test lets it go."""
import threading

from pathway_review import hookimpl
from pathway_review.contracts import SearchDocument

title = "Slow contributor (search test)"
optional = False
NAME = __name__.rsplit(".", 1)[-1]
release = threading.Event()


@hookimpl
def search_documents():
    release.wait(60)
    yield SearchDocument(id=f"{NAME}:1", kind="note", title="Slow note", heading="Slow", text="tortoise",
                         url="/", plugin=NAME)
