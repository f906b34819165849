// Small behaviours of every page; the site works without them.
(function () {
  "use strict";

  function isTyping(target) {
    return Boolean(
      target.closest && target.closest("input, textarea, select, [contenteditable='true']")
    );
  }

  // "/" jumps to the global "Find order…" box.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    var box = document.getElementById("find-order");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
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
