/* Live preview: reload on rebuild, swap CSS in place, show build errors over the page.
   Only the preview server (`build.py serve`) adds this script; built sites never have it. */
(function () {
  "use strict";
  var version = null;
  var overlay = null;
  var banner = null;
  var dismissed = "";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function showErrors(errors) {
    if (!overlay) {
      overlay = el("div", "explainer-overlay");
      overlay.setAttribute("role", "alertdialog");
      overlay.setAttribute("aria-label", "Build errors");
      document.body.appendChild(overlay);
    }
    while (overlay.firstChild) overlay.removeChild(overlay.firstChild);
    overlay.appendChild(el("h2", null, "The last save did not build"));
    overlay.appendChild(el("p", null, "Fix these and save again; this page shows the last good build meanwhile."));
    var list = el("pre");
    list.textContent = errors.join("\n");
    overlay.appendChild(list);
  }

  function hideErrors() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  function showWarnings(warnings) {
    var key = warnings.join("\n");
    if (banner) banner.remove();
    banner = null;
    if (!warnings.length || key === dismissed) return;
    banner = el("div", "explainer-banner");
    banner.setAttribute("role", "status");
    banner.appendChild(el("p", null, warnings.length + (warnings.length === 1 ? " warning" : " warnings") + " from the last build:"));
    var list = el("pre");
    list.textContent = key;
    banner.appendChild(list);
    var close = el("button", null, "Dismiss");
    close.type = "button";
    close.addEventListener("click", function () {
      dismissed = key;
      banner.remove();
      banner = null;
    });
    banner.appendChild(close);
    document.body.appendChild(banner);
  }

  // This page's address as the server names changed pages: "/articles/x/", "/feed.xml".
  function here() {
    var path = window.location.pathname;
    return /\/index\.html$/.test(path) ? path.replace(/index\.html$/, "") : path;
  }

  function swapStyles(stamp) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href);
      if (url.origin !== window.location.origin) continue;
      url.searchParams.set("v", stamp);
      links[i].href = url.toString();
    }
  }

  var style = el("link");
  style.rel = "stylesheet";
  style.href = "/__explainer/preview.css";
  document.head.appendChild(style);

  var source = new EventSource("/__explainer/events");
  source.addEventListener("status", function (event) {
    var status = JSON.parse(event.data);
    var first = version === null;
    var changed = !first && status.version !== version;
    version = status.version;
    if (!status.ok) {
      showErrors(status.errors);
      return;
    }
    hideErrors();
    if (changed && status.css_only) {
      swapStyles(status.version);
    } else if (changed && (status.changed === null || status.changed.indexOf(here()) >= 0)) {
      window.location.reload();
      return;
    }
    showWarnings(status.warnings);
  });
})();
