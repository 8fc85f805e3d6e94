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
