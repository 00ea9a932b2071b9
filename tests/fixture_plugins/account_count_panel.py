"""A panel whose text depends on the database, to prove cached pages follow committed changes."""
from markupsafe import escape
from sqlalchemy import func, select

from pathway_review import hookimpl
from pathway_review.db import get_session
from pathway_review.models import User

title = "Account count panel"


@hookimpl
def pathway_panels(version, user):
    db = get_session()
    count = db.scalar(select(func.count(User.id)))
    names = ", ".join(db.scalars(select(User.name).order_by(User.id)))
    return f'<p class="account-count">{count} accounts: {escape(names)}</p>'
