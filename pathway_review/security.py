"""Security headers, CSRF, and error pages that never show a stack trace."""
from __future__ import annotations

import logging
import secrets
import time

from flask import current_app, g, jsonify, make_response, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from itsdangerous import BadSignature
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
csrf = CSRFProtect()

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")

HEADINGS = {
    400: ("Something was wrong with that request", "Go back, check what you entered and try again."),
    401: ("Sign in to continue", "You need to sign in to see this page."),
    403: ("You do not have access to this page", "Your account does not allow this. If you think it should, "
          "ask your board admin."),
    404: ("Page not found", "If you typed the web address, check it is correct. "
          "If you pasted it, check you copied the entire address."),
    405: ("That action is not available here", "Go back and try again from the page."),
    409: ("That cannot be done now", "The record changed, or its time has passed."),
    413: ("That was too large", "What you sent was larger than this service accepts."),
    422: ("Some answers need correcting", "Check what you entered."),
    429: ("Too many attempts", "Wait a few minutes and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later. What you saved before is safe."),
    503: ("Sorry, the service is unavailable", "Try again in a few minutes. What you saved before is safe."),
}
RETRY_AFTER = "30"  # seconds; a database restart or fail-over takes about that


def init_app(app) -> None:
    # CSRF is checked in the request pipeline (auth.load_identity) so bearer-token API calls,
    # which carry no cookie, can be told apart from browser form posts.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        # Behind a proxy every request comes from the proxy's address; sign-in limits and the audit
        # trail need the person's. Only as many hops as configured are believed: a header a client
        # wrote itself would otherwise choose its own address.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    csrf.init_app(app)
    # Templates get the token kept per session (below) in place of Flask-WTF's, which signs one per call.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: _CSRF_CONTEXT)  # after Flask-WTF's, so this one's name wins
    app.extensions["pathway_review.csrf_tokens"] = {}
    app.session_interface = _SignedCookieSessions()
    headers = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("Referrer-Policy", "strict-origin-when-cross-origin"), ("X-Frame-Options", "DENY"),
               ("Permissions-Policy", "camera=(), microphone=(), geolocation=()")]
    if app.config.get("PRODUCTION"):
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    app.wsgi_app = _SecurityHeaders(app.wsgi_app, headers)
    app.after_request(_private_pages)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    for unreachable in _unreachable_errors():
        app.register_error_handler(unreachable, _unavailable)


class _SecurityHeaders:
    """Adds the security headers to every response the app starts, unless the response set its own.

    Worked out once, at start, and added to the WSGI header list as the response starts: one list
    operation, where looking up and setting each through the response's ``Headers`` cost more than the
    rest of a cached page's after-request work.
    """

    def __init__(self, wsgi_app, headers):
        self.wsgi_app, self.headers = wsgi_app, list(headers)
        self.names = frozenset(name.lower() for name, _ in headers)

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            if present.isdisjoint(self.names):
                extra = self.headers
            else:
                extra = [pair for pair in self.headers if pair[0].lower() not in present]
            return start_response(status, headers + extra, exc_info)

        return self.wsgi_app(environ, start)


def _private_pages(response):
    if g.get("user") is not None and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "private, no-store"  # pages for signed-in users hold their data
    return response


CSRF_TOKENS_KEPT = 4096


def csrf_token() -> str:
    """The signed CSRF token for this session's CSRF secret, as Flask-WTF's ``generate_csrf`` makes it.

    Signing it costs more than the rest of a cached page view, and with no time limit on tokens
    (``WTF_CSRF_TIME_LIMIT`` None: the session's own timeouts bound them) one signed token per secret
    is as good as a new one per page. So it is kept per worker, by secret and signing key; a new session
    (sign-in, sign-out) has a new secret and so a new token, and any worker accepts any worker's token.
    """
    from flask import session
    from flask_wtf.csrf import generate_csrf

    app = current_app._get_current_object()
    config = app.config
    secret = session.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if secret is None or config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    tokens = app.extensions["pathway_review.csrf_tokens"]
    key = (secret, config.get("WTF_CSRF_SECRET_KEY") or app.secret_key)
    token = tokens.get(key)
    if token is None:
        if len(tokens) >= CSRF_TOKENS_KEPT:
            tokens.clear()  # sessions that ended long ago; a live one just signs its token again
        token = tokens[key] = generate_csrf()
    return token


_CSRF_CONTEXT = {"csrf_token": csrf_token}


def new_csrf_secret() -> None:
    """Give a new session its CSRF secret with its first cookie, so its first page need not write another."""
    from flask import session

    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session[field] = secrets.token_hex(20)
    g.pop(field, None)  # a token signed earlier in this request is the old secret's


OPENED_COOKIES_KEPT = 4096
_PLAIN = (str, int, float, bool, type(None))


class _SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions with the signer built once per key, not twice per request, and each
    cookie's checked contents kept per worker (see :meth:`open_session`)."""

    _signer = (None, None)

    def __init__(self):
        self._opened: dict[str, tuple] = {}

    def open_session(self, app, request):
        """Flask's, but a cookie this worker has already checked is not checked again.

        A browser sends the same cookie with every page until the session changes, and checking its
        signature again would give the same answer: the contents are kept by the cookie's exact value
        and the serializer (so by the key), and its age is still held against the session lifetime on
        every request, as itsdangerous does. Only contents of plain values are kept, as each request
        gets a copy of its own. Whether the sign-in itself still stands is the database's to say.
        """
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._opened.get(value)
        if known is not None and known[0] is serializer and 0 <= int(time.time()) - known[2] <= max_age:
            return self.session_class(known[1])
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, _PLAIN) for v in data.values()):
            if len(self._opened) >= OPENED_COOKIES_KEPT:
                self._opened.clear()  # mostly sessions long gone; a live one is checked once more
            self._opened[value] = (serializer, data, int(signed_at.timestamp()))
        return self.session_class(data)

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()),
               app.config.get("SESSION_COOKIE_NAME"))
        known, signer = self._signer
        if known != key or signer is None:
            signer = super().get_signing_serializer(app)
            self._signer = (key, signer)  # one assignment, so a thread never sees half of it
        return signer


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(code: int, message: str | None = None, heading: str | None = None, **extra):
    default_heading, default_message = HEADINGS.get(code, HEADINGS[500] if code >= 500 else HEADINGS[400])
    if wants_json():
        body = {"error": heading or default_heading, "message": message or default_message, **extra}
        response = make_response(jsonify(body))
    else:
        response = make_response(render_template("errors/error.html", code=code, message=message or default_message,
                                                 heading=heading or default_heading))
    response.status_code = code
    return response


def _csrf_error(exc):
    log.warning("CSRF check failed on %s %s: %s", request.method, request.path, exc.description)
    return error_response(400, "This form has expired or did not come from this site. Go back, reload the "
                               "page and submit it again.", heading="The form could not be accepted")


def _http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    message = exc.description if getattr(exc, "pr_message", False) else None
    response = error_response(exc.code, message)
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _unexpected(exc):
    log.exception("unhandled error on %s %s", request.method, request.path)
    try:
        return error_response(500)
    except Exception:  # the error page itself failed: fall back to plain text
        return "Sorry, there is a problem with the service.", 500, {"Content-Type": "text/plain"}


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    """The errors of a database or Redis that cannot be reached (or is restarting, or failing over)."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from sqlalchemy.exc import InterfaceError, OperationalError

    return OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError


def _unavailable(exc):
    # Not a bug to investigate but a service to wait for: say so, and when to try again.
    log.error("a service the page needs is unreachable on %s %s: %s: %s", request.method, request.path,
              type(exc).__name__, str(exc).strip().splitlines()[0][:300] if str(exc).strip() else "")
    try:
        response = error_response(503)
    except Exception:  # the error page itself failed: fall back to plain text
        response = make_response("Sorry, the service is unavailable. Try again in a few minutes.", 503,
                                 {"Content-Type": "text/plain"})
    response.headers["Retry-After"] = RETRY_AFTER
    return response


def csrf_exempt(view):
    """Accept POSTs to this view without a CSRF token. Only for a view whose URL carries its own signed
    proof and that a mail client calls with no page or cookie (RFC 8058 one-click unsubscribe)."""
    view.csrf_exempt = True
    return view


def abort_with(code: int, message: str):
    """Abort with a message meant for the person (shown on the error page or in the JSON body)."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[code](description=message)
    exc.pr_message = True
    raise exc
