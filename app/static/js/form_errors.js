// A form sent back with errors: take the reader to the first field that needs fixing, which may be
// thousands of pixels below the message at the top (focus scrolls it into view and reads it out).
const form = document.querySelector("main form");
const invalid = form && form.querySelector("[aria-invalid='true']");
const target = invalid || (form && form.querySelector(".errors"));
if (target) {
  if (!invalid) target.tabIndex = -1;
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "center" });
}
