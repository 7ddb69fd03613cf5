// Orgboard's one script: keyboard tree, copy buttons, charts. Loaded from
// /static with the page; no inline script anywhere (strict CSP).
(function () {
  "use strict";

  // Tree keyboard: arrows move, Right expands, Left collapses, Enter opens.
  function visibleItems(tree) {
    return Array.prototype.filter.call(tree.querySelectorAll('[role="treeitem"]'), function (el) {
      for (var p = el.parentElement; p && p !== tree; p = p.parentElement) {
        if (p.getAttribute("role") === "treeitem" && p.getAttribute("aria-expanded") !== "true") return false;
      }
      return true;
    });
  }
  function focusItem(tree, item) {
    tree.querySelectorAll('[role="treeitem"]').forEach(function (el) { el.tabIndex = -1; });
    item.tabIndex = 0;
    item.focus();
  }
  function expand(item, open) {
    var btn = item.querySelector(":scope > .node .twisty");
    if (!btn || btn.classList.contains("leaf")) return false;
    var isOpen = item.getAttribute("aria-expanded") === "true";
    if (isOpen !== open) btn.click();
    return true;
  }
  document.addEventListener("keydown", function (ev) {
    var item = ev.target.closest && ev.target.closest('[role="treeitem"]');
    if (!item || ev.target !== item) return;
    var tree = item.closest('[role="tree"]');
    var items = visibleItems(tree);
    var i = items.indexOf(item);
    switch (ev.key) {
      case "ArrowDown": if (i + 1 < items.length) focusItem(tree, items[i + 1]); break;
      case "ArrowUp": if (i > 0) focusItem(tree, items[i - 1]); break;
      case "Home": focusItem(tree, items[0]); break;
      case "End": focusItem(tree, items[items.length - 1]); break;
      case "ArrowRight":
        if (item.getAttribute("aria-expanded") === "true") {
          var child = item.querySelector('[role="group"] [role="treeitem"]');
          if (child) focusItem(tree, child);
        } else { expand(item, true); }
        break;
      case "ArrowLeft":
        if (item.getAttribute("aria-expanded") === "true") { expand(item, false); break; }
        var parent = item.parentElement.closest('[role="treeitem"]');
        if (parent) focusItem(tree, parent);
        break;
      case "Enter":
        var link = item.querySelector(":scope > .node a");
        if (link) link.click();
        break;
      default: return;
    }
    ev.preventDefault();
  });
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest(".twisty");
    if (btn && !btn.classList.contains("leaf")) {
      var item = btn.closest('[role="treeitem"]');
      var open = item.getAttribute("aria-expanded") === "true";
      if (btn.dataset.loaded === "true") {
        item.setAttribute("aria-expanded", open ? "false" : "true");
        var group = item.querySelector(':scope > [role="group"]');
        if (group) group.hidden = open;
        ev.preventDefault();
      }
    }
    var copy = ev.target.closest && ev.target.closest("[data-copy]");
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(function () {
        var was = copy.textContent;
        copy.textContent = "Copied";
        setTimeout(function () { copy.textContent = was; }, 1200);
      });
    }
  });
  // After children load, mark the node expanded and loaded (htmx loads once).
  document.addEventListener("htmx:afterSwap", function (ev) {
    var group = ev.detail.target;
    if (group && group.getAttribute && group.getAttribute("role") === "group") {
      var item = group.closest('[role="treeitem"]');
      item.setAttribute("aria-expanded", "true");
      group.hidden = false;
      var btn = item.querySelector(":scope > .node .twisty");
      if (btn) btn.dataset.loaded = "true";
    }
  });
  // Forms with data-confirm ask before they submit (no inline handlers).
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); ev.stopImmediatePropagation(); }
  }, true);
})();
