// On a phone the main navigation folds behind a "Menu" button. Without
// JavaScript the button stays hidden and the whole navigation shows.
(function () {
  var button = document.querySelector(".menu-toggle");
  var nav = document.querySelector(".main-nav");
  if (!button || !nav) return;
  button.hidden = false;
  nav.classList.add("foldable");
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
})();
