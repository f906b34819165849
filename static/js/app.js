// Small behaviours of every page; the site works without them.
(function () {
  "use strict";

  function isTyping(target) {
    return Boolean(
      target.closest && target.closest("input, textarea, select, [contenteditable='true']")
    );
  }

  // "/" focuses the list's search box on a list, else the global "Find order…" box.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    var box = document.getElementById("list-q") || document.getElementById("find-order");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // ---- lists: j/k move, x select, enter open; selection count and "select page" ----------
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#order-table tbody tr[data-order-id]"));
  }

  function currentIndex(list) {
    return list.findIndex(function (row) { return row.classList.contains("current"); });
  }

  function moveTo(list, index) {
    if (!list.length) return;
    index = Math.max(0, Math.min(list.length - 1, index));
    list.forEach(function (row) { row.classList.remove("current"); row.removeAttribute("aria-current"); });
    var row = list[index];
    row.classList.add("current");
    row.setAttribute("aria-current", "true");
    row.scrollIntoView({ block: "nearest" });
  }

  function updateSelected() {
    var counter = document.getElementById("selected-count");
    if (!counter) return;
    var boxes = document.querySelectorAll("#order-table tbody input[name='order']");
    var checked = Array.prototype.filter.call(boxes, function (box) { return box.checked; });
    var all = document.getElementById("select-all-matching");
    counter.textContent = all && all.checked ? "all matching selected" : checked.length + " selected";
    rows().forEach(function (row) {
      var box = row.querySelector("input[name='order']");
      row.classList.toggle("selected", Boolean(box && box.checked));
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    var list = rows();
    if (!list.length) return;
    var index = currentIndex(list);
    if (event.key === "j") {
      moveTo(list, index + 1);
    } else if (event.key === "k") {
      moveTo(list, index < 0 ? 0 : index - 1);
    } else if (event.key === "x" && index >= 0) {
      var box = list[index].querySelector("input[name='order']");
      if (box) { box.checked = !box.checked; updateSelected(); }
    } else if (event.key === "Enter" && index >= 0 && event.target === document.body) {
      var link = list[index].querySelector("td.order-id a");
      if (link) window.location.href = link.href;
    } else {
      return;
    }
    event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.id === "select-page") {
      document.querySelectorAll("#order-table tbody input[name='order']").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.id === "select-page" || target.id === "select-all-matching" || target.name === "order") {
      updateSelected();
    }
  });

  // The search box filters as one types; its "change" on leaving it must not fetch the rows
  // again, or the boxes just ticked would be replaced by fresh, unticked ones.
  document.addEventListener("change", function (event) {
    if (event.target.id === "list-q") event.stopPropagation();
  }, true);

  // After htmx replaces the results, the saved-view and column forms keep the list as now shown.
  document.addEventListener("htmx:afterSwap", function () {
    var results = document.getElementById("results");
    if (results) {
      document.querySelectorAll("form[data-keep-query] input[name='query']").forEach(function (input) {
        input.value = results.getAttribute("data-query") || "";
      });
    }
    updateSelected();
  });
})();

// Batch Order Operation: choosing another operation shows its inputs at once.
(function () {
  "use strict";
  var select = document.querySelector(".batch-form select[name='operation']");
  var button = document.querySelector("[data-batch-change]");
  if (!select || !button) return;
  select.addEventListener("change", function () {
    button.click();
  });
})();

// Chargeback rebuttal: choosing a saved text appends it to the field the select names.
document.addEventListener("change", function (event) {
  "use strict";
  var select = event.target.closest && event.target.closest("select[data-insert-into]");
  if (!select) return;
  var source = document.getElementById("saved-text-" + select.value);
  var target = document.getElementById(select.dataset.insertInto);
  if (!source || !target) return;
  var text = source.content.textContent.trim();
  target.value = target.value ? target.value + "\n\n" + text : text;
  select.value = "";
});
