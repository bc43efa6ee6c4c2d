// The print button of print pages (templates/includes/print_button.html): hidden without
// JavaScript, where the page says to use the browser's print command instead.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
