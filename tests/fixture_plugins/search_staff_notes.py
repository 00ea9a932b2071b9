"""Records only CfSD and site admins may find, as the feedback plugin contributes feedback."""
from pathway_review import hookimpl
from pathway_review.contracts import SearchDocument

title = "Staff notes (search test)"
optional = False
NAME = __name__.rsplit(".", 1)[-1]
SECRET = "quokkaphobia"

NOTES = [
    SearchDocument(id=f"{NAME}:1", kind="feedback", title="Feedback on Suspected colorectal cancer 3.0",
                   heading="Key messages",
                   text=f"Ultrasound access is poor in our area and the {SECRET} clinic has a long wait.",
                   url="/consultations/responses/1/", status="submitted", version="3.0",
                   roles=frozenset({"cfsd", "admin"}), plugin=NAME),
    SearchDocument(id=f"{NAME}:2", kind="feedback", title="Feedback on Visible haematuria 1.1",
                   heading="Who to refer", text="Ultrasound access for haematuria takes twelve weeks here.",
                   url="/consultations/responses/2/", status="submitted", version="1.1",
                   roles=frozenset({"cfsd", "admin"}), plugin=NAME),
]


@hookimpl
def search_documents():
    return iter(NOTES)
