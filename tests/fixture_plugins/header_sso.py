"""Single sign-on from a header set by a trusted proxy, the shape an Entra ID plugin would take."""
from sqlalchemy import select

from pathway_review import hookimpl
from pathway_review.db import database
from pathway_review.models import User

title = "Header sign-on"
HEADER = "X-Fixture-Signed-In-Email"


@hookimpl
def authenticate_request(request):
    email = request.headers.get(HEADER)
    if not email:
        return None
    with database().sessions() as session:
        user = session.scalar(select(User).where(User.email == email.lower(), User.active.is_(True)))
        if user is None:
            return None
        _ = user.board  # loaded before the session closes
        session.expunge(user)
        return user
