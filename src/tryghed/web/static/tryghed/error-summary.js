// A form that comes back with errors: move the focus to the summary at its top, so a
// keyboard or screen-reader user starts where the corrections are listed. Without this
// script the summary is still read out (role="alert") and its links still lead to the fields.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
