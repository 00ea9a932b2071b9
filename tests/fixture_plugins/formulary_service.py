"""A plugin that needs an outside service to serve its pages, and says so to /readyz."""
from pathway_review import hookimpl

title = "Formulary service"

# What the service answers, switched by the tests: None when it is up, else a problem or an exception.
STATE: dict = {"answer": None}


def reachable():
    answer = STATE["answer"]
    if isinstance(answer, BaseException):
        raise answer
    return answer


@hookimpl
def readiness_checks(app):
    return {"formulary": reachable}
