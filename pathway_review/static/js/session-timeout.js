// Warn before an idle sign-in runs out and offer to stay signed in. Without JavaScript nothing is lost
// either: a form sent after the session lapsed is kept and given back after signing in again.
(function () {
  var banner = document.getElementById("pr-session-warning");
  if (!banner) return;
  var idle = parseInt(banner.getAttribute("data-idle-seconds"), 10) * 1000;
  var warnBefore = Math.min(2 * 60 * 1000, idle / 2);
  var timer;

  function schedule() {
    clearTimeout(timer);
    banner.hidden = true;
    timer = setTimeout(function () {
      banner.hidden = false;
      var button = banner.querySelector("button");
      if (button) button.focus();
    }, idle - warnBefore);
  }

  banner.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    fetch(form.action, {method: "POST", credentials: "same-origin", body: new FormData(form),
                        headers: {"Accept": "application/json"}})
      .then(function (response) { if (response.ok) schedule(); });
  });
  schedule();
})();
