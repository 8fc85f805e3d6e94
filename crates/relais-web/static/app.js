// Progressive enhancement only: every page works without this file.
document.addEventListener("change", (e) => {
  const el = e.target;
  if (el.matches && el.matches("select[data-autosubmit]")) el.form.requestSubmit();
});
document.addEventListener("submit", (e) => {
  const msg = e.target.dataset && e.target.dataset.confirm;
  if (msg && !window.confirm(msg)) e.preventDefault();
});
document.addEventListener("focusin", (e) => {
  if (e.target.matches && e.target.matches("input[data-select-all]")) e.target.select();
});
// On a phone the sections scroll sideways: bring the current one into view.
const current = document.querySelector("nav.sections [aria-current]");
if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest", inline: "center" });
