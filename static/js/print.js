// The print views' "Print" button (the CSP allows no inline handler).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
