/* Hover cards for mention links: a small, keyboard-friendly enhancement.
   Without this script every mention is an ordinary link whose title gives a summary. */
(function () {
  "use strict";
  var source = document.getElementById("explainer-cards");
  if (!source || !document.querySelector) return;
  var cards;
  try {
    cards = JSON.parse(source.textContent);
  } catch (err) {
    return;
  }
  var card = null;
  var current = null;
  var hideTimer = null;
  var lastPointer = "mouse";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function ensureCard() {
    if (card) return card;
    card = el("div", "hovercard");
    card.id = "hovercard";
    card.setAttribute("role", "tooltip");
    card.hidden = true;
    card.addEventListener("mouseenter", cancelHide);
    card.addEventListener("mouseleave", scheduleHide);
    document.body.appendChild(card);
    return card;
  }

  function fill(data) {
    var box = ensureCard();
    while (box.firstChild) box.removeChild(box.firstChild);
    var head = el("div", "hovercard-head");
    if (data.image) {
      var img = el("img", "avatar");
      img.src = data.image;
      img.alt = "";
      head.appendChild(img);
    } else if (data.initials) {
      head.appendChild(el("span", "avatar", data.initials));
    }
    var names = el("div", "hovercard-names");
    names.appendChild(el("p", "hovercard-name", data.name));
    var detail = [data.role, data.party].filter(Boolean).join(" · ");
    if (!data.initials && data.kind) detail = data.kind.charAt(0).toUpperCase() + data.kind.slice(1);
    if (detail) names.appendChild(el("p", "hovercard-role", detail));
    head.appendChild(names);
    box.appendChild(head);
    if (data.summary) box.appendChild(el("p", "hovercard-summary", data.summary));
  }

  function place(link) {
    var box = ensureCard();
    var rect = link.getBoundingClientRect();
    var width = Math.min(320, document.documentElement.clientWidth - 16);
    box.style.width = width + "px";
    var left = rect.left + window.pageXOffset;
    var maxLeft = window.pageXOffset + document.documentElement.clientWidth - width - 8;
    box.style.left = Math.max(8, Math.min(left, maxLeft)) + "px";
    box.style.top = rect.bottom + window.pageYOffset + 6 + "px";
  }

  function show(link) {
    var data = cards[link.getAttribute("data-ref")];
    if (!data) return;
    cancelHide();
    if (current && current !== link) hide();
    current = link;
    if (link.hasAttribute("title")) {
      link.setAttribute("data-title", link.getAttribute("title"));
      link.removeAttribute("title");
    }
    fill(data);
    var box = ensureCard();
    box.hidden = false;
    place(link);
    link.setAttribute("aria-describedby", "hovercard");
  }

  function hide() {
    cancelHide();
    if (card) card.hidden = true;
    if (current) {
      current.removeAttribute("aria-describedby");
      if (current.hasAttribute("data-title")) {
        current.setAttribute("title", current.getAttribute("data-title"));
        current.removeAttribute("data-title");
      }
    }
    current = null;
  }

  function scheduleHide() {
    cancelHide();
    hideTimer = window.setTimeout(hide, 200);
  }

  function cancelHide() {
    if (hideTimer) window.clearTimeout(hideTimer);
    hideTimer = null;
  }

  function mentionOf(target) {
    return target && target.closest ? target.closest("a[data-ref]") : null;
  }

  document.addEventListener("pointerdown", function (event) {
    lastPointer = event.pointerType || "mouse";
  });
  document.addEventListener("mouseover", function (event) {
    if (lastPointer === "touch") return; // a tap follows the link; nothing hides behind hover
    var link = mentionOf(event.target);
    if (link) show(link);
  });
  document.addEventListener("mouseout", function (event) {
    var link = mentionOf(event.target);
    if (link && link === current && !link.contains(event.relatedTarget)) scheduleHide();
  });
  document.addEventListener("focusin", function (event) {
    var link = mentionOf(event.target);
    if (link) show(link);
    else hide();
  });
  document.addEventListener("focusout", function (event) {
    if (mentionOf(event.target) === current) hide();
  });
  document.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && current) hide();
  });
})();
