/* Search page: load Pagefind's UI when the index exists, and say so plainly when not. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  var status = document.getElementById("search-status");
  if (!box || !status) return;
  var bundle = box.getAttribute("data-bundle");
  var root = new URL(box.getAttribute("data-root"), document.baseURI).pathname;
  status.textContent = "Loading search…";

  function unavailable() {
    status.textContent = "Search is not available on this copy of the site. " +
      "Browse the People, Topics and Articles pages instead.";
  }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = bundle + "pagefind-ui.css";
  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  script.onerror = unavailable;
  script.onload = function () {
    if (typeof window.PagefindUI !== "function") return unavailable();
    document.head.appendChild(css);
    status.textContent = "";
    status.hidden = true;
    var target = document.createElement("div");
    target.id = "search-ui";
    box.appendChild(target);
    var ui = new window.PagefindUI({
      element: "#search-ui",
      bundlePath: bundle,
      baseUrl: root,
      showSubResults: false,
      showImages: false,
      resetStyles: false,
    });
    var input = box.querySelector("input.pagefind-ui__search-input");
    if (input) input.setAttribute("aria-label", "Search people, topics and stories");
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) ui.triggerSearch(query);
  };
  document.head.appendChild(script);
})();
