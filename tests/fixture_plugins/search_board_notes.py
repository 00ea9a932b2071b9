"""An optional board plugin whose records belong to one board each, as local notes do."""
from pathway_review import hookimpl
from pathway_review.contracts import SearchDocument

title = "Board notes (search test)"
optional = True
NAME = __name__.rsplit(".", 1)[-1]


def note(board: str, word: str) -> SearchDocument:
    return SearchDocument(id=f"{NAME}:{board}", kind="local-note", title="Visible haematuria",
                          heading=f"Local note for {board}",
                          text=f"In {board} the {word} clinic takes urgent haematuria referrals directly.",
                          url=f"/pathways/visible-haematuria/#{board}", board=board, plugin=NAME)


NOTES = [note("lothian", "wombatology"), note("fife", "platypusology")]


@hookimpl
def search_documents():
    return iter(NOTES)
