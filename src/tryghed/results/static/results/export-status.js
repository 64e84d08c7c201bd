// The report file's status page, updated in place while the file is made: the page asks
// the server again and swaps in the new status panel. Without JavaScript the page has a
// link to reload it; nothing here is needed to get the file.
(function () {
  "use strict";

  function swap(current, next) {
    // The live region stays the same element, so screen readers announce its new text.
    var live = current.querySelector('[role="status"]');
    var nextLive = next.querySelector('[role="status"]');
    if (live && nextLive && live.innerHTML !== nextLive.innerHTML) {
      live.innerHTML = nextLive.innerHTML;
    }
    Array.prototype.slice.call(current.children).forEach(function (child) {
      if (child !== live) { child.remove(); }
    });
    Array.prototype.slice.call(next.children).forEach(function (child) {
      if (child.getAttribute("role") === "status" && live) { return; }
      current.appendChild(document.importNode(child, true));
    });
    if (live && current.firstElementChild !== live) {
      // Keep the order of the server's page: heading, status, the rest.
      var heading = current.querySelector("h2");
      if (heading) { heading.after(live); }
    }
    current.dataset.state = next.dataset.state || "";
    if (next.dataset.poll) {
      current.dataset.poll = next.dataset.poll;
    } else {
      delete current.dataset.poll;
    }
  }

  function poll() {
    var panel = document.getElementById("export-status");
    if (!panel || !panel.dataset.poll) { return; }
    var delay = parseInt(panel.dataset.poll, 10) || 1500;
    window.setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (answer) {
          if (!answer.ok) { throw new Error(String(answer.status)); }
          return answer.text();
        })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var next = page.getElementById("export-status");
          if (!next) { return; }
          swap(document.getElementById("export-status"), next);
          poll();
        })
        .catch(function () { /* the reload link still works */ });
    }, delay);
  }

  document.addEventListener("DOMContentLoaded", poll);
})();
