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
  // Times are rendered in UTC by the server; every one is shown the same
  // way in the user's zone, with UTC on hover.
  var timeFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", second: "2-digit" });
  function localTimes(root) {
    root.querySelectorAll("time[data-local-time]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (!isNaN(d)) {
        el.textContent = timeFormat.format(d);
        el.title = d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
      }
    });
  }

  // Charts: options come as JSON in the element's data-options attribute
  // (never an inline script, and htmx strips script tags from swaps); a swap
  // disposes the old instance first.
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
  // The tooltip is built as elements, its colour markers styled through the
  // DOM: echarts' own markers are HTML with style attributes, which the CSP
  // (style-src 'self') refuses.
  function tooltipIn(unit) { return function (params) { return tooltip(params, unit); }; }
  // One way to write a number, as the tables write it: an amount of money
  // with two decimals, a quantity of a thousand or more whole, a smaller
  // one with up to three.
  function isMoney(unit) { return /^[A-Z]{3}($|[ ,])/.test(unit); }
  function num(v, unit) {
    if (typeof v !== "number") return v;
    if (isMoney(unit)) return v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return v.toLocaleString("en-US", { maximumFractionDigits: Math.abs(v) >= 1000 ? 0 : 3 });
  }
  // What the page's options leave to the browser: the colour scale's ends
  // written as amounts, the treemap's labels readable in either theme, the
  // audit changes' diamonds above the axis rather than on its labels.
  function finish(options, unit, isDark) {
    [].concat(options.visualMap || []).forEach(function (vm) {
      vm.formatter = function (v) { return num(v, unit) + (unit ? " " + unit : ""); };
    });
    [].concat(options.series || []).forEach(function (s) {
      if (s.type === "treemap") {
        s.label = { show: true };
        s.itemStyle = { borderColor: isDark ? "#2b3038" : "#ffffff", borderWidth: 2, gapWidth: 2 };
        s.upperLabel = { show: true, height: 22, color: isDark ? "#e8eaed" : "#1f2329" };
      }
      ((s.markPoint && s.markPoint.data) || []).forEach(function (d) {
        if (d.symbol === "diamond") d.symbolOffset = [0, -Math.round((d.symbolSize || 18) / 2)];
      });
    });
  }
  function tooltip(params, unit) {
    var list = Array.isArray(params) ? params : [params];
    var box = document.createElement("div");
    if (list.length) {
      var head = document.createElement("div");
      head.textContent = list[0].axisValueLabel || list[0].name;
      if (list.some(function (p) { return p.data && p.data.name === "partial"; })) {
        var note = document.createElement("span");
        note.className = "tt-note";
        note.textContent = " (partial)";
        head.appendChild(note);
      }
      box.appendChild(head);
    }
    list.forEach(function (p) {
      var line = document.createElement("div");
      var marker = document.createElement("span");
      marker.className = "tt-marker";
      if (typeof p.color === "string") marker.style.backgroundColor = p.color;
      var v = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
      line.appendChild(marker);
      var shown = num(v, unit);
      line.appendChild(document.createTextNode((Array.isArray(params) ? p.seriesName : (p.name || p.seriesName)) + ": " + shown + (unit && typeof v === "number" ? " " + unit : "")));
      box.appendChild(line);
    });
    return box;
  }
  // echarts is large: it is loaded the first time a page shows a chart.
  var loading = false;
  function loadECharts() {
    if (loading) return;
    loading = true;
    var s = document.createElement("script");
    s.src = document.body.getAttribute("data-echarts");
    s.onload = function () { startCharts(document); };
    document.head.appendChild(s);
  }
  function startCharts(root) {
    if (!root.querySelector("[data-chart]")) return;
    if (!window.echarts) { loadECharts(); return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var options;
      try { options = JSON.parse(el.getAttribute("data-options")); } catch (e) { return; }
      var unit = el.getAttribute("data-unit") || "";
      if (options.tooltip) { options.tooltip.formatter = tooltipIn(unit); }
      var isDark = !!(dark && dark.matches);
      finish(options, unit, isDark);
      var old = echarts.getInstanceByDom(el);
      if (old) old.dispose();
      var chart = echarts.init(el, isDark ? "dark" : null, { renderer: "canvas" });
      if (isDark) { options.backgroundColor = "transparent"; }
      chart.setOption(options);
      // clicking a product family or an account drills down (same-origin paths only)
      var drill = {};
      try { drill = JSON.parse(el.getAttribute("data-drill") || "{}"); } catch (e) { drill = {}; }
      chart.on("click", function (p) {
        var url = drill[p.name] || drill[p.seriesName];
        if (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") window.location.assign(url);
      });
    });
  }
  // A list narrowed as one types ([data-filter] names the select): the
  // options whose text holds what was typed stay, the chosen one always.
  document.addEventListener("input", function (ev) {
    var box = ev.target;
    if (!box.getAttribute || !box.getAttribute("data-filter")) return;
    var list = document.getElementById(box.getAttribute("data-filter"));
    if (!list) return;
    var want = box.value.trim().toLowerCase();
    Array.prototype.forEach.call(list.options, function (o) {
      o.hidden = want !== "" && !o.selected && o.textContent.toLowerCase().indexOf(want) < 0;
    });
  });
  function onLoad(root) { localTimes(root); foldCharts(root); startCharts(root); }
  // a report's print button
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t && t.closest && t.closest("[data-print]")) { window.print(); }
  });

  // A chart that folds away ([data-toggle] names it); the choice holds for
  // the tab's later searches.
  function chartHidden() { try { return sessionStorage.getItem("orgboard.chart") === "hidden"; } catch (e) { return false; } }
  function setFold(btn, hide) {
    var box = document.getElementById(btn.getAttribute("data-toggle"));
    if (!box) return;
    box.hidden = hide;
    btn.setAttribute("aria-expanded", hide ? "false" : "true");
    btn.textContent = hide ? "Show the chart" : "Hide the chart";
  }
  function foldCharts(root) {
    if (!chartHidden()) return;
    root.querySelectorAll("[data-toggle]").forEach(function (btn) { setFold(btn, true); });
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-toggle]");
    if (!btn) return;
    var hide = btn.getAttribute("aria-expanded") === "true";
    setFold(btn, hide);
    try { sessionStorage.setItem("orgboard.chart", hide ? "hidden" : "shown"); } catch (e) { /* private mode */ }
    if (!hide && window.echarts) {
      document.getElementById(btn.getAttribute("data-toggle")).querySelectorAll("[data-chart]").forEach(function (el) {
        var c = echarts.getInstanceByDom(el); if (c) c.resize();
      });
    }
  });

  // A request of an element a swap has removed meanwhile (a progress
  // panel's poll, when the user changed the grouping) is not sent, and its
  // answer, when it was on its way already, is dropped: it would put the old
  // view back over the new one.
  document.addEventListener("htmx:beforeRequest", function (ev) {
    if (ev.detail.elt && !ev.detail.elt.isConnected) ev.preventDefault();
  });
  document.addEventListener("htmx:beforeSwap", function (ev) {
    if (ev.detail.requestConfig && ev.detail.requestConfig.elt && !ev.detail.requestConfig.elt.isConnected) ev.detail.shouldSwap = false;
  });

  // The entry drawer: a modal dialog filled by htmx. It opens when an entry
  // arrives, marks the row it came from, keeps the focus inside, closes with
  // its button, Escape or a click beside it, and gives the focus back.
  var opener = null;
  document.addEventListener("htmx:beforeRequest", function (ev) {
    if (ev.detail.target && ev.detail.target.id === "drawer-body") opener = ev.detail.elt;
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (!ev.detail.target || ev.detail.target.id !== "drawer-body") return;
    var dialog = document.getElementById("drawer");
    document.querySelectorAll("tr.chosen").forEach(function (tr) { tr.classList.remove("chosen"); });
    var row = opener && opener.closest("tr");
    if (row) row.classList.add("chosen");
    if (opener) opener.setAttribute("aria-current", "true");
    if (!dialog.open) dialog.showModal();
    var close = dialog.querySelector("[data-close-drawer]");
    if (close) close.focus();
  });
  document.addEventListener("close", function (ev) {
    if (!ev.target || ev.target.id !== "drawer") return;
    document.querySelectorAll("tr.chosen").forEach(function (tr) { tr.classList.remove("chosen"); });
    if (opener && document.contains(opener)) { opener.removeAttribute("aria-current"); opener.focus(); }
  }, true);
  document.addEventListener("click", function (ev) {
    var dialog = ev.target.closest && ev.target.closest("dialog.drawer");
    if (!dialog) return;
    var r = dialog.getBoundingClientRect();
    var beside = ev.target === dialog && (ev.clientX < r.left || ev.clientX > r.right || ev.clientY < r.top || ev.clientY > r.bottom);
    if (beside || ev.target.closest("[data-close-drawer]")) dialog.close();
  });
  document.addEventListener("keydown", function (ev) {
    var dialog = document.querySelector("dialog.drawer[open]");
    if (!dialog || ev.key !== "Tab") return;
    var f = Array.prototype.filter.call(dialog.querySelectorAll("a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])"),
      function (el) { return !el.disabled && el.offsetParent !== null; });
    if (!f.length) return;
    var first = f[0], last = f[f.length - 1];
    if (ev.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) { last.focus(); ev.preventDefault(); }
    else if (!ev.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) { first.focus(); ev.preventDefault(); }
  });
  document.addEventListener("DOMContentLoaded", function () { onLoad(document); });
  document.addEventListener("htmx:load", function (ev) { onLoad(ev.detail.elt.parentElement || document); });
  window.addEventListener("resize", function () {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) { var c = echarts.getInstanceByDom(el); if (c) c.resize(); });
  });
  if (dark && dark.addEventListener) dark.addEventListener("change", function () { startCharts(document); });

  // A date makes the range custom (capture: before htmx sends the change);
  // a preset wins over the dates sent with it, and the answer shows its dates.
  document.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t && t.form && t.hasAttribute("data-range")) {
      var p = t.form.querySelector("[data-preset]");
      if (p) p.value = "custom";
    }
  }, true);

  // Forms with data-confirm ask before they submit (no inline handlers).
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); ev.stopImmediatePropagation(); }
  }, true);
})();
