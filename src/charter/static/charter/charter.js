// Small progressive enhancements; every page works without them.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-toggle-nav]");
  if (toggle) {
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", open ? "false" : "true");
    nav.classList.toggle("open", !open);
  }
});
document.addEventListener("submit", function (event) {
  // A form posted twice changes nothing on the server; this only spares the second request.
  var form = event.target;
  if (form.dataset.submitted === "true") { event.preventDefault(); return; }
  form.dataset.submitted = "true";
  setTimeout(function () { form.dataset.submitted = "false"; }, 3000);
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); form.dataset.submitted = "false"; }
});
document.addEventListener("focusin", function (event) {
  // A new API token is shown once: focusing it selects it, ready to copy.
  if (event.target.matches("[data-select-on-focus]")) { event.target.select(); }
});
document.addEventListener("DOMContentLoaded", function () {
  // After a refused form, put the keyboard (and screen reader) on the first field to fix.
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
});
