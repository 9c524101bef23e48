// A form that came back with errors starts with a summary of them. Move the
// focus there, so a screen reader reads it and a phone shows it; a link in it
// moves the focus to its field. Without JavaScript the summary is simply the
// first thing on the page.
(function () {
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
})();
