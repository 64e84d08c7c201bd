// The report file's status page, updated in place while the file is made: the page asks
// the server again and swaps in the new status panel. Without JavaScript the page has a
// link to reload it; nothing here is needed to get the file.
//
// Keyboard focus must survive the updates: the panel is left alone while the server's
// HTML is unchanged, only the parts that changed are replaced, and focus that was in the
// panel goes back to the matching element, or to the panel's heading when that element
// is gone (the file is ready: the reload link gives way to the download link). The
// role="status" region stays the same element, so screen readers announce its new text.
(function () {
  "use strict";

  function isLive(element) {
    return element.getAttribute("role") === "status";
  }

  function others(panel) {
    return Array.prototype.filter.call(panel.children, function (child) {
      return !isLive(child);
    });
  }

  // Enough to find "the same" control in the new HTML: its id, else its tag and target,
  // else its tag and text.
  function describe(element) {
    return {
      id: element.id,
      tag: element.tagName,
      href: element.getAttribute("href"),
      text: element.textContent.trim(),
    };
  }

  function find(panel, wanted) {
    if (wanted.id) {
      var byId = document.getElementById(wanted.id);
      return byId && panel.contains(byId) ? byId : null;
    }
    var candidates = panel.querySelectorAll(wanted.tag.toLowerCase());
    var i;
    for (i = 0; i < candidates.length; i += 1) {
      if (wanted.href && candidates[i].getAttribute("href") === wanted.href) {
        return candidates[i];
      }
    }
    for (i = 0; i < candidates.length; i += 1) {
      if (!wanted.href && candidates[i].textContent.trim() === wanted.text) {
        return candidates[i];
      }
    }
    return null;
  }

  function focusHeading(panel) {
    var heading = panel.querySelector("h2");
    if (!heading) { return; }
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function swap(current, next) {
    var focused = document.activeElement;
    var hadFocus = focused && focused !== current && current.contains(focused);
    var wanted = hadFocus ? describe(focused) : null;

    var live = current.querySelector('[role="status"]');
    var nextLive = next.querySelector('[role="status"]');
    if (live && nextLive && live.innerHTML !== nextLive.innerHTML) {
      live.innerHTML = nextLive.innerHTML;
    }

    var old = others(current);
    var fresh = others(next);
    if (old.length === fresh.length) {
      // Same layout: replace only the parts whose HTML changed.
      old.forEach(function (child, i) {
        if (child.outerHTML !== fresh[i].outerHTML) {
          child.replaceWith(document.importNode(fresh[i], true));
        }
      });
    } else {
      old.forEach(function (child) { child.remove(); });
      fresh.forEach(function (child) {
        current.appendChild(document.importNode(child, true));
      });
      if (live) {
        // Keep the order of the server's page: heading, status, the rest.
        var heading = current.querySelector("h2");
        if (heading) { heading.after(live); }
      }
    }

    current.dataset.state = next.dataset.state || "";
    if (next.dataset.poll) {
      current.dataset.poll = next.dataset.poll;
    } else {
      delete current.dataset.poll;
    }

    if (hadFocus && !current.contains(document.activeElement)) {
      var same = find(current, wanted);
      if (same) {
        same.focus();
      } else {
        focusHeading(current);
      }
    }
  }

  function poll(lastHtml) {
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
          var nextHtml = next.outerHTML;
          if (nextHtml !== lastHtml) {
            swap(document.getElementById("export-status"), next);
          }
          poll(nextHtml);
        })
        .catch(function () { /* the reload link still works */ });
    }, delay);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("export-status");
    if (panel) { poll(panel.outerHTML); }
  });
})();
